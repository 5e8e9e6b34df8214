import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretReadError, secretValue } from '../../functions/adapters/secret-value.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

/** A stand-in for the Secrets Manager endpoint: records requests, answers with `answer(n)`. */
async function fakeSecretsManager(answer: (n: number) => { status: number; body: unknown }) {
  const seen: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    seen.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
    const a = answer(seen.length);
    res.writeHead(a.status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('secretValue', () => {
  it('asks GetSecretValue with a SigV4 signature for secretsmanager, once, and keeps the value', async () => {
    const sm = await fakeSecretsManager(() => ({
      status: 200,
      body: { SecretString: ' https://hooks.slack.com/services/T/B/SECRET \n' },
    }));
    close = sm.close;
    const read = secretValue('milepost/slack', 'eu-west-2', { endpoint: sm.endpoint, credentials });
    expect(await read()).toBe('https://hooks.slack.com/services/T/B/SECRET');
    expect(await read()).toBe('https://hooks.slack.com/services/T/B/SECRET');
    expect(sm.seen).toHaveLength(1);
    const { headers, body } = sm.seen[0]!;
    expect(headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
    expect(String(headers['authorization'])).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-2\/secretsmanager\/aws4_request, SignedHeaders=.*x-amz-target.*, Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.parse(body)).toEqual({ SecretId: 'milepost/slack' });
  });

  it('fails with the secret’s name and the status, and reads again on the next call', async () => {
    const sm = await fakeSecretsManager((n) =>
      n === 1
        ? { status: 400, body: { __type: 'AccessDeniedException', message: 'no' } }
        : { status: 200, body: { SecretString: 'https://example.com/hook' } },
    );
    close = sm.close;
    const read = secretValue('milepost/teams', 'eu-west-2', { endpoint: sm.endpoint, credentials });
    const err = await read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecretReadError);
    expect((err as Error).message).toBe('secret milepost/teams: Secrets Manager answered HTTP 400');
    expect(await read()).toBe('https://example.com/hook');
  });
});
