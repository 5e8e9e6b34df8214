/**
 * SigV4 signing of staff API requests: in AWS the `/api` routes use API Gateway's IAM
 * authorizer, so every request carries a Signature Version 4 `Authorization` header for the
 * `execute-api` service, made from the standard AWS credential chain (environment, shared config
 * and SSO profiles, web identity, container and instance roles).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** AWS credentials as the credential chain returns them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A request about to be sent: what the signature covers. */
export interface RequestToSign {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** What signs requests: the region and service the signature is scoped to, and its credentials. */
export interface SignerOptions {
  region: string;
  /** @default 'execute-api' (API Gateway) */
  service?: string;
  /** @default the standard AWS credential chain */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  /** Fixed signing time (tests); @default now */
  signingDate?: Date;
}

/** Signs requests with SigV4; the returned headers include `host`, `x-amz-date` and `authorization`. */
export type RequestSigner = (request: RequestToSign) => Promise<Record<string, string>>;

/** A SigV4 signer for the staff API (service `execute-api` unless told otherwise). */
export function sigV4Signer(options: SignerOptions): RequestSigner {
  const signer = new SignatureV4({
    region: options.region,
    service: options.service ?? 'execute-api',
    credentials: options.credentials ?? defaultProvider(),
    sha256: Sha256,
    // API Gateway, like every service but S3, signs the path with its segments encoded again.
    uriEscapePath: true,
  });
  return async ({ method, url, headers, body }) => {
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const prior = query[k];
      query[k] = prior === undefined ? v : [...(Array.isArray(prior) ? prior : [prior]), v];
    }
    const signed = await signer.sign(
      {
        method: method.toUpperCase(),
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        // `host` is signed as the request will send it (with a non-default port).
        headers: { ...headers, host: url.host },
        ...(body !== undefined ? { body } : {}),
      },
      options.signingDate ? { signingDate: options.signingDate } : {},
    );
    return signed.headers as Record<string, string>;
  };
}

/** The region of an execute-api host (`<api>.execute-api.<region>.amazonaws.com`), if it is one. */
export function regionOfApiHost(hostname: string): string | undefined {
  return /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/i.exec(hostname)?.[1];
}

/** Whether a host is this machine: the local runtime, which needs no signature. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}
