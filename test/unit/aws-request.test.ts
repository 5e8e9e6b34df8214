/**
 * The signed-request adapter against a local HTTP server that checks each request's SigV4
 * signature by signing it again: what is signed, the session token, retries of throttling, 5xx,
 * timeouts and network errors, errors that name service, operation and status but no secret or
 * body, and credentials asked for again before they expire.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AwsCredentials,
  AwsRequestError,
  AwsServiceClient,
  type AwsServiceOptions,
  awsEndpoint,
  refreshingCredentials,
} from '../../functions/adapters/aws-request.js';
import { type FakeAws, s3Error, startFakeAws } from '../support/aws-server.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET };
const TOKEN = 'FwoGZXIvYXdzEXAMPLE//session+token=';

let aws: FakeAws;
beforeAll(async () => {
  aws = await startFakeAws({ AKIDEXAMPLE: SECRET, AKIDOTHER: 'other-secret' });
});
afterAll(async () => {
  await aws.close();
});
beforeEach(() => {
  aws.requests.length = 0;
});

const client = (options: Partial<AwsServiceOptions> = {}) =>
  new AwsServiceClient({
    service: 'lambda',
    region: 'eu-west-2',
    credentials: CREDENTIALS,
    backoffMs: () => 0,
    ...options,
  });

const post = (body = '{"a":1}') => ({
  operation: 'Invoke',
  method: 'POST' as const,
  url: new URL(`${aws.endpoint}/2015-03-31/functions/fn/invocations?Qualifier=live`),
  headers: { 'content-type': 'application/json' },
  body: new TextEncoder().encode(body),
});

describe('the local server’s signature check', () => {
  it('refuses a request signed with another secret', async () => {
    aws.answer(() => ({ status: 200, body: '{}' }));
    // AKIDOTHER is known to the server with another secret than the one signing here.
    await client({ credentials: { accessKeyId: 'AKIDOTHER', secretAccessKey: SECRET } }).send(post());
    expect(aws.requests[0]!.signature).toMatchObject({ ok: false, reason: 'signature does not match' });
  });
});

describe('AwsServiceClient', () => {
  it('sends one signed request: scope, signed headers, payload hash, body and answer', async () => {
    aws.answer(() => ({
      status: 200,
      headers: { 'x-amz-executed-version': '$LATEST' },
      body: '{"ok":true}',
    }));
    const res = await client().send(post());
    expect(res.status).toBe(200);
    expect(new TextDecoder().decode(res.body)).toBe('{"ok":true}');
    expect(res.headers['x-amz-executed-version']).toBe('$LATEST');
    const [req] = aws.requests;
    expect(req!.method).toBe('POST');
    expect(req!.target).toBe('/2015-03-31/functions/fn/invocations?Qualifier=live');
    expect(req!.body.toString()).toBe('{"a":1}');
    expect(req!.signature).toMatchObject({
      ok: true,
      accessKeyId: 'AKIDEXAMPLE',
      region: 'eu-west-2',
      service: 'lambda',
    });
    expect(req!.signature.signedHeaders).toEqual(
      expect.arrayContaining(['content-type', 'host', 'x-amz-content-sha256', 'x-amz-date']),
    );
    expect(req!.headers['x-amz-security-token']).toBeUndefined();
  });

  it('sends and signs the session token of temporary credentials', async () => {
    aws.answer(() => ({ status: 200, body: '{}' }));
    await client({ credentials: { ...CREDENTIALS, sessionToken: TOKEN } }).send(post());
    const [req] = aws.requests;
    expect(req!.headers['x-amz-security-token']).toBe(TOKEN);
    expect(req!.signature.ok).toBe(true);
    expect(req!.signature.signedHeaders).toContain('x-amz-security-token');
  });

  it('tries a 503 again and returns the 200 that follows, each attempt signed', async () => {
    let n = 0;
    aws.answer(() => (++n === 1 ? s3Error(503, 'SlowDown') : { status: 200, body: 'fine' }));
    const res = await client().send(post());
    expect(new TextDecoder().decode(res.body)).toBe('fine');
    expect(aws.requests).toHaveLength(2);
    expect(aws.requests.every((r) => r.signature.ok)).toBe(true);
  });

  it('tries throttling again (429, and a 400 whose code is a throttling code)', async () => {
    const answers = [
      {
        status: 429,
        headers: { 'x-amzn-errortype': 'TooManyRequestsException:http://internal' },
        body: '{}',
      },
      { status: 400, body: '{"__type":"com.amazon#ThrottlingException","message":"slow"}' },
      { status: 200, body: 'ok' },
    ];
    aws.answer(() => answers.shift()!);
    await client().send(post());
    expect(aws.requests).toHaveLength(3);
  });

  it('gives up after its attempts with the last answer named', async () => {
    aws.answer(() => s3Error(503, 'SlowDown'));
    const error = await client({ attempts: 3 })
      .send(post())
      .catch((e: unknown) => e);
    expect(aws.requests).toHaveLength(3);
    expect(error).toBeInstanceOf(AwsRequestError);
    expect((error as AwsRequestError).message).toBe(
      'lambda Invoke failed: HTTP 503 SlowDown (request id REQ123)',
    );
  });

  it('fails at once on a 403 with service, operation, status and code, and no secret, token or body', async () => {
    aws.answer(() => ({
      status: 403,
      headers: { 'x-amzn-errortype': 'AccessDeniedException', 'x-amzn-requestid': 'abc-123' },
      body: '{"message":"User arn:aws:sts::1:assumed-role/x is not authorized: SECRET-BODY-TEXT"}',
    }));
    const error = (await client({ credentials: { ...CREDENTIALS, sessionToken: TOKEN } })
      .send(post('{"document":"CUSTOMER-DATA"}'))
      .catch((e: unknown) => e)) as AwsRequestError;
    expect(aws.requests).toHaveLength(1);
    expect(error).toBeInstanceOf(AwsRequestError);
    expect(error.message).toBe('lambda Invoke failed: HTTP 403 AccessDeniedException (request id abc-123)');
    expect(error.status).toBe(403);
    expect(error.code).toBe('AccessDeniedException');
    const shown = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
    for (const secret of [SECRET, TOKEN, 'SECRET-BODY-TEXT', 'CUSTOMER-DATA', 'Signature='])
      expect(shown).not.toContain(secret);
  });

  it('keeps only a code-like value out of an answer as the error code', async () => {
    aws.answer(() => ({ status: 400, body: '<Error><Code>Bad code with spaces</Code></Error>' }));
    const error = (await client()
      .send(post())
      .catch((e: unknown) => e)) as AwsRequestError;
    expect(error.message).toBe('lambda Invoke failed: HTTP 400');
    expect(error.code).toBeUndefined();
  });

  it('limits each attempt in time and tries again, then names the limit', async () => {
    let n = 0;
    aws.answer(() => (++n === 1 ? 'hang' : { status: 200, body: 'late but fine' }));
    const res = await client({ timeoutMs: 1000 }).send(post());
    expect(new TextDecoder().decode(res.body)).toBe('late but fine');
    // At least the one that hung and the one that answered (a very slow machine may need more).
    expect(aws.requests.length).toBeGreaterThanOrEqual(2);

    aws.requests.length = 0;
    aws.answer(() => 'hang');
    await expect(client({ timeoutMs: 300, attempts: 2 }).send(post())).rejects.toThrow(
      'lambda Invoke failed: no complete answer within 300 ms',
    );
    expect(aws.requests).toHaveLength(2);
  });

  it('limits the body too: an answer that stops halfway times out', async () => {
    // Headers and half the body, then nothing: the deadline covers the body as well.
    const server = createServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nhalf');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      await expect(
        client({ timeoutMs: 300, attempts: 1 }).send({
          ...post(),
          url: new URL(`http://127.0.0.1:${port}/x`),
        }),
      ).rejects.toThrow('lambda Invoke failed: no complete answer within 300 ms');
    } finally {
      server.close();
    }
  });

  it('tries a refused connection again and names the network error', async () => {
    // A port that was just free: nothing listens there.
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise<void>((r) => server.close(() => r()));
    let attempts = 0;
    const error = await client({
      attempts: 3,
      backoffMs: () => {
        attempts++;
        return 0;
      },
    })
      .send({ ...post(), url: new URL(`http://127.0.0.1:${port}/x`) })
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe('lambda Invoke failed: network error (ECONNREFUSED)');
    expect(attempts).toBe(2);
  });

  it('sends nothing and tries nothing again when there are no credentials', async () => {
    aws.answer(() => ({ status: 200 }));
    let asked = 0;
    const error = await client({
      credentials: async () => {
        asked++;
        throw new Error('no AWS credentials in the environment');
      },
    })
      .send(post())
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'lambda Invoke failed: no credentials to sign with (no AWS credentials in the environment)',
    );
    expect(asked).toBe(1);
    expect(aws.requests).toHaveLength(0);
  });

  it('signs with the credentials a provider gives, and with new ones once they near expiry', async () => {
    aws.answer(() => ({ status: 200 }));
    const given: AwsCredentials[] = [
      // Expires in 2 minutes: inside the 5-minute margin, so asked for again at the next request.
      {
        accessKeyId: 'AKIDOTHER',
        secretAccessKey: 'other-secret',
        expiration: new Date(Date.now() + 120_000),
      },
      { ...CREDENTIALS, sessionToken: TOKEN, expiration: new Date(Date.now() + 3_600_000) },
    ];
    let asked = 0;
    const c = client({ credentials: async () => given[asked++]! });
    await c.send(post());
    await c.send(post());
    await c.send(post());
    expect(asked).toBe(2);
    expect(aws.requests.map((r) => r.signature.accessKeyId)).toEqual([
      'AKIDOTHER',
      'AKIDEXAMPLE',
      'AKIDEXAMPLE',
    ]);
    expect(aws.requests.every((r) => r.signature.ok)).toBe(true);
  });
});

describe('refreshingCredentials', () => {
  it('keeps credentials without an expiration and asks once for concurrent callers', async () => {
    let asked = 0;
    const provider = refreshingCredentials(async () => {
      asked++;
      return CREDENTIALS;
    });
    await Promise.all([provider(), provider(), provider()]);
    await provider();
    expect(asked).toBe(1);
  });

  it('asks again after a failure', async () => {
    let asked = 0;
    const provider = refreshingCredentials(async () => {
      if (++asked === 1) throw new Error('not yet');
      return CREDENTIALS;
    });
    await expect(provider()).rejects.toThrow('not yet');
    await expect(provider()).resolves.toEqual(CREDENTIALS);
  });
});

describe('awsEndpoint', () => {
  it('names the regional endpoint, in the China partition too', () => {
    expect(awsEndpoint('lambda', 'eu-west-2').href).toBe('https://lambda.eu-west-2.amazonaws.com/');
    expect(awsEndpoint('docs.s3', 'cn-north-1').href).toBe('https://docs.s3.cn-north-1.amazonaws.com.cn/');
  });
});
