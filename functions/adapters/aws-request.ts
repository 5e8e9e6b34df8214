/**
 * One SigV4-signed HTTPS request to an AWS service, for the services milepost calls with one or
 * two operations (S3 PutObject/GetObject, Lambda Invoke): their SDK clients would add about 190 KB
 * to each function's code for three calls. It uses what every bundle already carries through the
 * DynamoDB client: AWS's signer (`@smithy/signature-v4`), the SDK's HTTP handler
 * (`@smithy/node-http-handler`, keep-alive connections), its `HttpRequest` and its SHA-256 on
 * node:crypto (`@smithy/core`), and the same credentials as the SDK clients (the default chain, which a Lambda
 * bundle resolves to the runtime's environment: functions/adapters/lambda-credentials.ts).
 *
 * Each attempt is signed afresh (its own date, the current credentials) and limited in time as a
 * whole (connect, send, answer and body). Throttling, 5xx answers, timeouts and network errors are
 * tried again with a jittered exponential pause (functions/core/retry.ts). Errors name the
 * service, the operation, the HTTP status and AWS's error code, never credentials or bodies.
 */
import type { Readable } from 'node:stream';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import { MilepostError } from '../core/errors.js';
import { retry } from '../core/retry.js';

/** The credentials a request is signed with. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When they stop working (role credentials); absent for long-term keys. */
  expiration?: Date;
}

/** Where credentials come from, each time they are needed. */
export type CredentialsProvider = () => Promise<AwsCredentials>;

/** A request to send: the operation's name is for error messages only. */
export interface AwsRequest {
  /** The API operation, as AWS names it (`PutObject`, `Invoke`). */
  operation: string;
  method: 'GET' | 'PUT' | 'POST';
  url: URL;
  /** Sent and signed (names in lower case). */
  headers?: Record<string, string>;
  body?: Uint8Array;
}

/** A 2xx answer, its body read whole. Header names are in lower case. */
export interface AwsResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** How one service is reached. */
export interface AwsServiceOptions {
  /** The signing name (`s3`, `lambda`), also the service named in errors. */
  service: string;
  region: string;
  /** @default the SDK's default credential chain (in a Lambda bundle: the runtime's environment) */
  credentials?: AwsCredentials | CredentialsProvider;
  /**
   * S3 signs the path exactly as sent; every other service signs it with its segments encoded
   * again. @default true
   */
  uriEscapePath?: boolean;
  /** Limit of one attempt, connect to last body byte, in ms. @default 10000 */
  timeoutMs?: number;
  /** Attempts in all, the first one included. @default 4 */
  attempts?: number;
  /** Pause after failed attempt `n` (1-based), in ms. @default up to 100·2^n ms at random, at most 5 s */
  backoffMs?: (attempt: number) => number;
}

/**
 * A request to an AWS service failed: an error answer (`status`, AWS's `code`), a timeout or a
 * network error (no status), or credentials that could not be found (no status, not retried).
 * The message never holds credentials, a signature or a body.
 */
export class AwsRequestError extends MilepostError {
  override name = 'AwsRequestError';
  constructor(
    message: string,
    readonly service: string,
    readonly operation: string,
    readonly detail: {
      status?: number;
      code?: string;
      requestId?: string;
      /** Whether another attempt may succeed (throttling, 5xx, timeout, network). */
      retryable: boolean;
      cause?: unknown;
    },
  ) {
    super(message, detail.cause === undefined ? undefined : { cause: detail.cause });
  }

  /** The HTTP status of AWS's answer, if one came. */
  get status(): number | undefined {
    return this.detail.status;
  }

  /** AWS's error code (`NoSuchKey`, `AccessDenied`, `TooManyRequestsException`), if it gave one. */
  get code(): string | undefined {
    return this.detail.code;
  }
}

/** `https://<service>.<region>.amazonaws.com` (`.com.cn` in the China regions). */
export function awsEndpoint(hostPrefix: string, region: string): URL {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return new URL(`https://${hostPrefix}.${region}.${suffix}`);
}

/** Credentials are refreshed this long before they expire (as the SDK clients do). */
const REFRESH_AHEAD_MS = 5 * 60_000;

/**
 * Keeps the credentials a provider gave until they come within five minutes of their expiration,
 * then asks again; one question at a time. Credentials without an expiration are kept.
 */
export function refreshingCredentials(provider: CredentialsProvider): CredentialsProvider {
  let kept: AwsCredentials | undefined;
  let pending: Promise<AwsCredentials> | undefined;
  return async () => {
    if (kept && (!kept.expiration || kept.expiration.getTime() - Date.now() > REFRESH_AHEAD_MS)) return kept;
    pending ??= provider()
      .then((credentials) => {
        kept = credentials;
        return credentials;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

/** AWS error codes that mean "slow down" whatever the status. */
const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestTimeout',
  'RequestTimeoutException',
  'EC2ThrottledException',
]);
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/** AWS's error code from the headers or the body (XML `<Code>` or JSON `__type`/`code`), if it looks like one. */
function errorCodeOf(headers: Record<string, string>, body: Uint8Array): string | undefined {
  const fromHeader = headers['x-amzn-errortype'] ?? headers['x-amz-error-code'];
  let code = fromHeader?.split(':')[0];
  if (!code && body.byteLength > 0) {
    const text = Buffer.from(body.subarray(0, 4096)).toString('utf8');
    code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
    if (!code) {
      try {
        const json = JSON.parse(text) as { __type?: unknown; code?: unknown; Code?: unknown };
        const value = json.__type ?? json.code ?? json.Code;
        if (typeof value === 'string') code = value.slice(value.lastIndexOf('#') + 1);
      } catch {}
    }
  }
  // Only a code's characters: nothing else from the answer reaches a message.
  return code && /^[A-Za-z0-9._-]{1,64}$/.test(code) ? code : undefined;
}

/** Reads a response body whole; the attempt's deadline destroys it. */
async function readBody(stream: unknown, signal: AbortSignal): Promise<Uint8Array> {
  if (!stream) return new Uint8Array();
  const readable = stream as Readable;
  const stop = () => readable.destroy(new Error('the attempt timed out'));
  signal.addEventListener('abort', stop, { once: true });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of readable) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

/** The `code` of a Node network error (`ECONNRESET`), or the error's name. */
function networkReason(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown };
  if (typeof e?.code === 'string' && /^[A-Z_]{2,40}$/.test(e.code)) return e.code;
  return typeof e?.name === 'string' ? e.name : 'error';
}

const defaultBackoff = (attempt: number) => Math.random() * Math.min(5000, 100 * 2 ** attempt);

/** Sends signed requests to one AWS service. */
export class AwsServiceClient {
  private readonly signer: SignatureV4;
  private readonly handler = new NodeHttpHandler({});
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: (attempt: number) => number;

  constructor(private readonly options: AwsServiceOptions) {
    const given = options.credentials;
    const provider: CredentialsProvider =
      given === undefined
        ? (defaultProvider() as CredentialsProvider)
        : typeof given === 'function'
          ? given
          : async () => given;
    this.signer = new SignatureV4({
      service: options.service,
      region: options.region,
      credentials: refreshingCredentials(provider),
      // The SDK's SHA-256 on node:crypto, as the DynamoDB client signs with.
      sha256: Sha256,
      uriEscapePath: options.uriEscapePath ?? true,
    });
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.attempts = options.attempts ?? 4;
    this.backoffMs = options.backoffMs ?? defaultBackoff;
  }

  /** Sends `request` until AWS answers 2xx (returned) or the attempts are used (AwsRequestError). */
  send(request: AwsRequest): Promise<AwsResponse> {
    return retry(
      {
        attempts: this.attempts,
        retryOn: (error) => error instanceof AwsRequestError && error.detail.retryable,
        delayMs: this.backoffMs,
      },
      () => this.attempt(request),
    );
  }

  private fail(request: AwsRequest, what: string, detail: AwsRequestError['detail']): AwsRequestError {
    return new AwsRequestError(
      `${this.options.service} ${request.operation} failed: ${what}`,
      this.options.service,
      request.operation,
      detail,
    );
  }

  private async attempt(request: AwsRequest): Promise<AwsResponse> {
    const { url } = request;
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const prior = query[k];
      query[k] = prior === undefined ? v : [...(Array.isArray(prior) ? prior : [prior]), v];
    }
    const headers: Record<string, string> = { ...request.headers, host: url.host };
    if (request.body) headers['content-length'] = String(request.body.byteLength);
    let signed: HttpRequest;
    try {
      signed = (await this.signer.sign(
        new HttpRequest({
          method: request.method,
          protocol: url.protocol,
          hostname: url.hostname,
          ...(url.port ? { port: Number(url.port) } : {}),
          path: url.pathname,
          query,
          headers,
          ...(request.body ? { body: request.body } : {}),
        }),
      )) as HttpRequest;
    } catch (error) {
      // No credentials (or unusable ones): another attempt would find the same.
      const reason = error instanceof Error ? error.message : 'unknown';
      throw this.fail(request, `no credentials to sign with (${reason})`, { retryable: false });
    }

    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.timeoutMs);
    let status: number;
    let responseHeaders: Record<string, string>;
    let body: Uint8Array;
    try {
      const { response } = await this.handler.handle(signed, { abortSignal: deadline.signal });
      status = response.statusCode;
      responseHeaders = Object.fromEntries(
        Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
      );
      body = await readBody(response.body, deadline.signal);
      const length = responseHeaders['content-length'];
      if (length !== undefined && Number(length) !== body.byteLength) {
        throw Object.assign(new Error('the answer ended before its Content-Length'), {
          name: 'IncompleteAnswer',
        });
      }
    } catch (error) {
      const what = deadline.signal.aborted
        ? `no complete answer within ${this.timeoutMs} ms`
        : `network error (${networkReason(error)})`;
      throw this.fail(request, what, { retryable: true, cause: error });
    } finally {
      clearTimeout(timer);
    }

    if (status >= 200 && status < 300) return { status, headers: responseHeaders, body };
    const code = errorCodeOf(responseHeaders, body);
    const id =
      responseHeaders['x-amz-request-id'] ??
      responseHeaders['x-amzn-requestid'] ??
      responseHeaders['x-amzn-request-id'];
    // AWS's request id helps its support find the call; anything else in that header is dropped.
    const requestId = id && /^[A-Za-z0-9+/=_-]{1,128}$/.test(id) ? id : undefined;
    throw this.fail(
      request,
      `HTTP ${status}${code ? ` ${code}` : ''}${requestId ? ` (request id ${requestId})` : ''}`,
      {
        status,
        ...(code ? { code } : {}),
        ...(requestId ? { requestId } : {}),
        retryable: RETRYABLE_STATUSES.has(status) || (code !== undefined && THROTTLING_CODES.has(code)),
      },
    );
  }
}
