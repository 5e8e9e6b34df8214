/**
 * The AWS credentials of a Lambda function: the runtime puts the execution role's credentials in
 * the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) for the life of
 * the execution environment. The Lambda bundles resolve the SDK's default credential chain
 * (`@aws-sdk/credential-provider-node`) to this module (infra/bundle.ts): the chain's SSO, INI,
 * STS, web identity, container and IMDS providers could never apply there and cost about 90 KB of
 * code. It keeps the chain's exports, so the clients' runtime configuration imports it unchanged.
 * Code that is not bundled (the local runtime, the CLI, tests) keeps the full chain.
 */

/** The credentials an SDK client signs with. */
export interface EnvCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Thrown when the environment holds no credentials (the SDK reports it as the request's error). */
export class CredentialsMissingError extends Error {
  /** Tells the SDK's chain helpers that no other provider should be tried. */
  readonly tryNextLink = false;
  constructor() {
    super('no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)');
    this.name = 'CredentialsProviderError';
  }
}

/** Reads the credentials from the environment on each call (the SDK caches what it is given). */
export function fromLambdaEnvironment(env: NodeJS.ProcessEnv = process.env): () => Promise<EnvCredentials> {
  return async () => {
    const accessKeyId = env['AWS_ACCESS_KEY_ID'];
    const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
    if (!accessKeyId || !secretAccessKey) throw new CredentialsMissingError();
    const sessionToken = env['AWS_SESSION_TOKEN'];
    const expiry = env['AWS_CREDENTIAL_EXPIRATION'];
    return {
      accessKeyId,
      secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
      ...(expiry ? { expiration: new Date(expiry) } : {}),
    };
  };
}

/** The default chain's entry, as the SDK clients call it (`credentialDefaultProvider`). */
export const defaultProvider = (_init?: unknown) => fromLambdaEnvironment();

/** The default chain's refresh helpers (credentials with an expiration are refreshed ahead of it). */
export const credentialsWillNeedRefresh = (credentials?: { expiration?: Date }) =>
  credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials?: { expiration?: Date }) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
