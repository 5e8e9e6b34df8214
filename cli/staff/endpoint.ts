/**
 * Where the CLI sends its requests: `--endpoint URL`, or `$MILEPOST_ENDPOINT`, or the local
 * runtime at http://127.0.0.1:8080; or, with `--stack [NAME]`, the `ApiUrl` output of the deployed
 * platform stack read from CloudFormation. Requests to any host but this machine are signed with
 * SigV4 (the deployed `/api` is IAM-authorized); the local runtime needs no signature.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { Endpoint } from './client.js';
import {
  isLoopbackHost,
  type RequestSigner,
  regionOfApiHost,
  type SignerOptions,
  sigV4Signer,
} from './sign.js';

/** The local runtime's address (`npm start`). */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8080';
/** The platform stack's name as `cdk deploy` creates it. */
export const DEFAULT_STACK = 'Milepost-Platform';
/** The platform stack's output holding the base URL of the API. */
export const API_URL_OUTPUT = 'ApiUrl';

/** The endpoint options every staff command takes. */
export interface EndpointOptions {
  endpoint?: string;
  /** `true`: `--stack` without a name (the default stack). */
  stack?: string | true;
  region?: string;
}

/** An endpoint the CLI cannot use, said in one line. */
export class EndpointError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EndpointError';
  }
}

/** What endpoint resolution needs from outside (replaced in tests). */
export interface EndpointDeps {
  env: Record<string, string | undefined>;
  cloudFormation: (region: string | undefined) => CloudFormationClient;
  signer: (options: SignerOptions) => RequestSigner;
}

const defaultDeps: EndpointDeps = {
  env: process.env,
  cloudFormation: (region) => new CloudFormationClient(region ? { region } : {}),
  signer: sigV4Signer,
};

/** Resolves the options to an endpoint (reading the stack's output when `--stack` is given). */
export async function resolveEndpoint(
  options: EndpointOptions,
  deps: EndpointDeps = defaultDeps,
): Promise<Endpoint> {
  if (options.stack !== undefined && options.endpoint !== undefined)
    throw new EndpointError('give --endpoint or --stack, not both');
  if (options.stack !== undefined)
    return stackEndpoint(options.stack === true ? DEFAULT_STACK : options.stack, options.region, deps);

  const given = options.endpoint ?? deps.env['MILEPOST_ENDPOINT'] ?? DEFAULT_ENDPOINT;
  const url = parseBaseUrl(given, options.endpoint !== undefined ? '--endpoint' : 'MILEPOST_ENDPOINT');
  if (isLoopbackHost(url.hostname)) return { baseUrl: url.href };
  const region = options.region ?? regionOfApiHost(url.hostname) ?? (await chainRegion(deps));
  return { baseUrl: url.href, signer: deps.signer({ region }) };
}

function parseBaseUrl(value: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EndpointError(`${source}: "${value}" is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new EndpointError(`${source}: must be an http or https URL`);
  if (url.username || url.password)
    throw new EndpointError(`${source}: must not carry a user name or password`);
  if (url.search || url.hash) throw new EndpointError(`${source}: must be a base URL without ? or #`);
  return url;
}

/** The region of the standard AWS chain (AWS_REGION, the profile's config...). */
async function chainRegion(deps: EndpointDeps): Promise<string> {
  try {
    return await deps.cloudFormation(undefined).config.region();
  } catch (e) {
    throw new EndpointError('no AWS region: pass --region or set AWS_REGION', { cause: e });
  }
}

async function stackEndpoint(
  stackName: string,
  regionOption: string | undefined,
  deps: EndpointDeps,
): Promise<Endpoint> {
  const client = deps.cloudFormation(regionOption);
  let region: string;
  try {
    region = regionOption ?? (await client.config.region());
  } catch (e) {
    throw new EndpointError('no AWS region: pass --region or set AWS_REGION', { cause: e });
  }
  let outputs: { OutputKey?: string; OutputValue?: string }[];
  try {
    const res = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = res.Stacks?.[0]?.Outputs ?? [];
  } catch (e) {
    throw stackError(e, stackName, region);
  } finally {
    client.destroy();
  }
  const value = outputs.find((o) => o.OutputKey === API_URL_OUTPUT)?.OutputValue;
  if (!value)
    throw new EndpointError(
      `stack ${stackName} in ${region} has no ${API_URL_OUTPUT} output: is it the milepost platform stack?`,
    );
  const url = parseBaseUrl(value, `${stackName} ${API_URL_OUTPUT}`);
  return { baseUrl: url.href, signer: deps.signer({ region }) };
}

/** CloudFormation's refusals, said as what to do. */
function stackError(e: unknown, stackName: string, region: string): EndpointError {
  const name = e instanceof Error ? e.name : '';
  const message = e instanceof Error ? e.message : String(e);
  if (name === 'CredentialsProviderError')
    return new EndpointError(
      'no AWS credentials: sign in (aws sso login, or AWS_PROFILE / AWS_ACCESS_KEY_ID) and try again',
      { cause: e },
    );
  if (name === 'ValidationError' && /does not exist/.test(message))
    return new EndpointError(`stack ${stackName} not found in ${region} (pass --stack NAME or --region)`, {
      cause: e,
    });
  if (name === 'ExpiredTokenException' || name === 'ExpiredToken')
    return new EndpointError('the AWS credentials have expired: sign in again', { cause: e });
  if (name === 'AccessDenied' || name === 'AccessDeniedException')
    return new EndpointError(`not allowed to read stack ${stackName} (cloudformation:DescribeStacks)`, {
      cause: e,
    });
  return new EndpointError(`cannot read stack ${stackName} in ${region}: ${message.split('\n')[0]}`, {
    cause: e,
  });
}
