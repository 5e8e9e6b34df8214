/**
 * Reads a secret's value from AWS Secrets Manager (GetSecretValue) with one SigV4-signed `fetch`
 * and the function's own credentials: the platform's chat webhook URL is kept there, not in an
 * environment variable or a template, so it shows in no console page, log or CloudFormation
 * output. No Secrets Manager SDK client is bundled for this one call. The value is read at first
 * use and kept for the life of the process (a failed read is tried again next time).
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import * as z from 'zod/mini';
import '../core/zod-english.js';
import { MilepostError } from '../core/errors.js';

/** The secret could not be read; the message names the secret and the status, never its value. */
export class SecretReadError extends MilepostError {
  override name = 'SecretReadError';
}

const responseSchema = z.object({ SecretString: z.string().check(z.minLength(1)) });

/** A function that returns the secret's string value (read once, then kept). */
export function secretValue(
  secretId: string,
  region: string,
  options: {
    endpoint?: string;
    fetch?: typeof fetch;
    timeoutMs?: number;
    /** @default the standard AWS credential chain (the function's role in Lambda) */
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  } = {},
): () => Promise<string> {
  const signer = new SignatureV4({
    region,
    service: 'secretsmanager',
    credentials: options.credentials ?? defaultProvider(),
    sha256: Sha256,
  });
  const endpoint = new URL(options.endpoint ?? `https://secretsmanager.${region}.amazonaws.com/`);
  const fetchFn = options.fetch ?? globalThis.fetch;
  let cached: Promise<string> | undefined;
  const read = async (): Promise<string> => {
    const body = JSON.stringify({ SecretId: secretId });
    const signed = await signer.sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: endpoint.pathname,
      headers: {
        host: endpoint.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.GetSecretValue',
      },
      body,
    });
    let res: Response;
    try {
      res = await fetchFn(endpoint, {
        method: 'POST',
        headers: signed.headers,
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
    } catch (err) {
      throw new SecretReadError(`secret ${secretId}: Secrets Manager could not be reached`, { cause: err });
    }
    const text = await res.text();
    if (!res.ok) throw new SecretReadError(`secret ${secretId}: Secrets Manager answered HTTP ${res.status}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = responseSchema.safeParse(json);
    if (!parsed.success) throw new SecretReadError(`secret ${secretId}: no SecretString`);
    return parsed.data.SecretString.trim();
  };
  return () => {
    cached ??= read().catch((err: unknown) => {
      cached = undefined;
      throw err;
    });
    return cached;
  };
}
