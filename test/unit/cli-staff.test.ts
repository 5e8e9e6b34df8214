import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidArgumentError } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, StaffClient, UnreachableError } from '../../cli/staff/client.js';
import {
  changesOf,
  parseAllocation,
  parseCost,
  parseDate,
  parseHours,
  parseLimit,
  parseQuantity,
  parseScore,
  parseText,
  parseVersion,
} from '../../cli/staff/commands.js';
import { DEFAULT_ENDPOINT, type EndpointDeps, resolveEndpoint } from '../../cli/staff/endpoint.js';
import { describeFailure, fieldName } from '../../cli/staff/errors.js';
import { clean, rag, table, wantsColor } from '../../cli/staff/format.js';
import { isLoopbackHost, regionOfApiHost, sigV4Signer } from '../../cli/staff/sign.js';

// ---- an independent SigV4 check (node:crypto), itself checked against AWS's published vector ----

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s, 'utf8').digest();
const encode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

interface Received {
  method: string;
  /** The path as sent on the wire (already percent-encoded), with its query. */
  target: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Recomputes the signature of a received request from its Authorization header, as AWS documents
 * SigV4 for services other than S3 (path segments encoded again), and says whether it matches.
 */
function verifySigV4(req: Received, secretAccessKey: string): { ok: boolean; expected: string; got: string } {
  const auth = req.headers['authorization'] ?? '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { ok: false, expected: 'a SigV4 header', got: auth };
  const [, , day, region, service, signedHeaders, signature] = m as unknown as string[];
  const [path = '/', query = ''] = req.target.split('?');
  const canonicalPath = path
    .split('/')
    .map((s) => encode(s))
    .join('/');
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((p) => p.split('=').map((x) => encode(decodeURIComponent(x ?? ''))) as [string, string])
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v ?? ''}`)
    .join('&');
  const names = signedHeaders!.split(';');
  const canonicalHeaders = names
    .map((n) => `${n}:${(req.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  // The payload hash is the body's; a header claiming another one is a mismatch.
  const payloadHash = sha256(req.body);
  const claimed = req.headers['x-amz-content-sha256'];
  if (claimed !== undefined && claimed !== payloadHash)
    return { ok: false, expected: payloadHash, got: claimed };
  const canonicalRequest = [
    req.method,
    canonicalPath,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', req.headers['x-amz-date'], scope, sha256(canonicalRequest)].join(
    '\n',
  );
  let key = hmac(`AWS4${secretAccessKey}`, day!);
  for (const part of [region!, service!, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return { ok: expected === signature, expected, got: signature! };
}

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

/** The get-vanilla request of the AWS Signature Version 4 test suite. */
const GET_VANILLA = {
  method: 'GET',
  target: '/',
  headers: {
    host: 'example.amazonaws.com',
    'x-amz-date': '20150830T123600Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  },
  body: '',
};

describe('the SigV4 check used by these tests', () => {
  it('accepts the AWS SigV4 test suite vector get-vanilla', () => {
    // From the AWS Signature Version 4 test suite (get-vanilla).
    const result = verifySigV4(GET_VANILLA, CREDENTIALS.secretAccessKey);
    expect(result.expected).toBe(result.got);
    expect(result.ok).toBe(true);
  });

  it('rejects that vector with one byte of the secret changed', () => {
    const result = verifySigV4(GET_VANILLA, `${CREDENTIALS.secretAccessKey.slice(0, -1)}X`);
    expect(result.ok).toBe(false);
  });
});

describe('sigV4Signer', () => {
  const signingDate = new Date('2026-03-04T05:06:07Z');
  const signer = sigV4Signer({ region: 'eu-west-2', credentials: CREDENTIALS, signingDate });

  it('signs for execute-api in the region with the Authorization header AWS expects', async () => {
    const headers = await signer({
      method: 'PUT',
      url: new URL('https://abc123.execute-api.eu-west-2.amazonaws.com/api/projects/acme/tasks/tenant'),
      headers: { 'content-type': 'application/json' },
      body: '{"status":"done"}',
    });
    expect(headers['authorization']).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260304\/eu-west-2\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*\bhost\b[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['authorization']).toContain('x-amz-date');
    expect(headers['authorization']).toContain('content-type');
    expect(headers['x-amz-date']).toBe('20260304T050607Z');
    expect(headers['host']).toBe('abc123.execute-api.eu-west-2.amazonaws.com');
    expect(headers['x-amz-content-sha256']).toBe(sha256('{"status":"done"}'));
  });

  it('carries the session token of temporary credentials', async () => {
    const withToken = sigV4Signer({
      region: 'eu-west-2',
      credentials: { ...CREDENTIALS, sessionToken: 'session-token' },
      signingDate,
    });
    const headers = await withToken({
      method: 'GET',
      url: new URL('https://h.example/api/projects'),
      headers: {},
    });
    expect(headers['x-amz-security-token']).toBe('session-token');
  });

  it('produces a signature that an independent SigV4 implementation verifies, path and query included', async () => {
    const url = new URL(
      'https://h.example/api/projects/acme/deviations/overdue-stage%3Aqa/corrective-action?limit=5&order=desc',
    );
    const body = '{"action":"Add an engineer"}';
    const headers = await signer({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body,
    });
    const ok = verifySigV4(
      { method: 'POST', target: `${url.pathname}${url.search}`, headers, body },
      CREDENTIALS.secretAccessKey,
    );
    expect(ok.got).toBe(ok.expected);
    // The same request with another body, path or secret does not verify.
    expect(
      verifySigV4(
        { method: 'POST', target: `${url.pathname}${url.search}`, headers, body: '{}' },
        CREDENTIALS.secretAccessKey,
      ).ok,
    ).toBe(false);
    expect(
      verifySigV4(
        { method: 'POST', target: '/api/projects/other', headers, body },
        CREDENTIALS.secretAccessKey,
      ).ok,
    ).toBe(false);
    expect(
      verifySigV4({ method: 'POST', target: `${url.pathname}${url.search}`, headers, body }, 'another-secret')
        .ok,
    ).toBe(false);
  });

  it('finds the region of an execute-api host and knows loopback hosts', () => {
    expect(regionOfApiHost('abc123.execute-api.ap-southeast-2.amazonaws.com')).toBe('ap-southeast-2');
    expect(regionOfApiHost('api.example.com')).toBeUndefined();
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('127.0.0.1.example.com')).toBe(false);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });
});

describe('StaffClient', () => {
  const servers: ReturnType<typeof createServer>[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.close();
  });

  /** A server that records each request and answers with `answer`. */
  async function server(answer: (req: IncomingMessage, body: string) => { status: number; body: string }) {
    const seen: Received[] = [];
    const s = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        seen.push({
          method: req.method ?? '',
          target: req.url ?? '',
          headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
          body,
        });
        const a = answer(req, body);
        res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body);
      });
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
  }

  it('sends signed requests that verify where they arrive (Host with its port)', async () => {
    const api = await server(() => ({ status: 200, body: '{"version":2}' }));
    const client = new StaffClient({
      baseUrl: `${api.url}/`,
      signer: sigV4Signer({ region: 'eu-west-2', credentials: CREDENTIALS }),
    });
    await client.putTask('acme', 'tenant', { status: 'done', version: 1 });
    const [req] = api.seen;
    expect(req?.target).toBe('/api/projects/acme/tasks/tenant');
    expect(JSON.parse(req?.body ?? '')).toEqual({ status: 'done', version: 1 });
    const check = verifySigV4(req!, CREDENTIALS.secretAccessKey);
    expect(check.got).toBe(check.expected);
  });

  it('turns the API’s error body into an ApiError with its field issues', async () => {
    const api = await server(() => ({
      status: 400,
      body: JSON.stringify({
        error: 'invalid request',
        issues: [{ path: 'estimateHours', message: 'must not be negative' }],
      }),
    }));
    const err = await new StaffClient({ baseUrl: api.url })
      .putTask('acme', 't', { estimateHours: -1 })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 400,
      issues: [{ path: 'estimateHours', message: 'must not be negative' }],
    });
  });

  it('reads API Gateway’s own { message } refusals', async () => {
    const api = await server(() => ({ status: 403, body: '{"message":"Forbidden"}' }));
    const err = await new StaffClient({ baseUrl: api.url }).listProjects().catch((e) => e);
    expect(err).toMatchObject({ status: 403, error: 'Forbidden' });
  });

  it('says which endpoint it cannot reach', async () => {
    const api = await server(() => ({ status: 200, body: '[]' }));
    const closed = api.url;
    for (const s of servers.splice(0)) s.close();
    const err = await new StaffClient({ baseUrl: closed }).listProjects().catch((e) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.message).toBe(`cannot reach ${closed} (ECONNREFUSED)`);
  });
});

describe('resolveEndpoint', () => {
  const cfn = mockClient(CloudFormationClient);
  afterEach(() => {
    cfn.reset();
    signed.length = 0;
  });
  const signed: { region: string }[] = [];
  const deps = (env: Record<string, string> = {}): EndpointDeps => ({
    env,
    cloudFormation: (region) =>
      new CloudFormationClient({ region: region ?? 'us-west-1', credentials: CREDENTIALS }),
    signer: (o) => {
      signed.push({ region: o.region });
      return async () => ({});
    },
  });
  it('defaults to the local runtime, unsigned', async () => {
    expect(await resolveEndpoint({}, deps())).toEqual({ baseUrl: `${DEFAULT_ENDPOINT}/` });
  });

  it('takes MILEPOST_ENDPOINT, and --endpoint over it', async () => {
    expect((await resolveEndpoint({}, deps({ MILEPOST_ENDPOINT: 'http://localhost:9090' }))).baseUrl).toBe(
      'http://localhost:9090/',
    );
    const ep = await resolveEndpoint(
      { endpoint: 'http://127.0.0.1:7000' },
      deps({ MILEPOST_ENDPOINT: 'http://localhost:9090' }),
    );
    expect(ep).toEqual({ baseUrl: 'http://127.0.0.1:7000/' });
  });

  it('signs for a host that is not this machine, in the region of its execute-api name', async () => {
    const ep = await resolveEndpoint(
      { endpoint: 'https://abc.execute-api.eu-central-1.amazonaws.com' },
      deps(),
    );
    expect(ep.signer).toBeDefined();
    expect(signed).toEqual([{ region: 'eu-central-1' }]);
  });

  it('refuses what is not an http(s) base URL', async () => {
    await expect(resolveEndpoint({ endpoint: 'ftp://x' }, deps())).rejects.toThrow(
      '--endpoint: must be an http or https URL',
    );
    await expect(resolveEndpoint({ endpoint: 'nope' }, deps())).rejects.toThrow(
      '--endpoint: "nope" is not a URL',
    );
    await expect(resolveEndpoint({}, deps({ MILEPOST_ENDPOINT: 'http://u:p@h' }))).rejects.toThrow(
      'MILEPOST_ENDPOINT: must not carry a user name or password',
    );
    await expect(resolveEndpoint({ endpoint: 'http://h', stack: true }, deps())).rejects.toThrow(
      'give --endpoint or --stack, not both',
    );
  });

  it('reads the ApiUrl output of the platform stack and signs in its region', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'Milepost-Platform' }).resolves({
      Stacks: [
        {
          StackName: 'Milepost-Platform',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'AlarmTopicArn', OutputValue: 'arn:aws:sns:eu-west-2:1:x' },
            { OutputKey: 'ApiUrl', OutputValue: 'https://abc.execute-api.eu-west-2.amazonaws.com' },
          ],
        },
      ],
    });
    const ep = await resolveEndpoint({ stack: true, region: 'eu-west-2' }, deps());
    expect(ep.baseUrl).toBe('https://abc.execute-api.eu-west-2.amazonaws.com/');
    expect(signed).toEqual([{ region: 'eu-west-2' }]);
  });

  it('uses the region of the credential chain when --region is absent', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'Other',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [{ OutputKey: 'ApiUrl', OutputValue: 'https://x.execute-api.us-west-1.amazonaws.com' }],
        },
      ],
    });
    await resolveEndpoint({ stack: 'Other' }, deps());
    expect(cfn.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({ StackName: 'Other' });
    expect(signed).toEqual([{ region: 'us-west-1' }]);
  });

  it('says in one line when the stack is missing or is not the platform stack', async () => {
    cfn.on(DescribeStacksCommand).rejectsOnce(
      Object.assign(new Error('Stack with id Milepost-Platform does not exist'), {
        name: 'ValidationError',
      }),
    );
    await expect(resolveEndpoint({ stack: true, region: 'eu-west-2' }, deps())).rejects.toThrow(
      'stack Milepost-Platform not found in eu-west-2 (pass --stack NAME or --region)',
    );
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'X', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] }],
    });
    await expect(resolveEndpoint({ stack: 'X', region: 'eu-west-2' }, deps())).rejects.toThrow(
      'stack X in eu-west-2 has no ApiUrl output: is it the milepost platform stack?',
    );
  });

  it('says so when there are no credentials', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }));
    await expect(resolveEndpoint({ stack: true, region: 'eu-west-2' }, deps())).rejects.toThrow(
      /^no AWS credentials: /,
    );
  });
});

describe('argument handling', () => {
  it('accepts hours, scores, versions, dates and page sizes and refuses the rest', () => {
    expect(parseHours('7.5')).toBe(7.5);
    expect(parseHours('0')).toBe(0);
    for (const bad of ['-1', 'ten', '', 'Infinity'])
      expect(() => parseHours(bad)).toThrow(InvalidArgumentError);
    expect(parseScore('5')).toBe(5);
    for (const bad of ['0', '6', '2.5', 'x']) expect(() => parseScore(bad)).toThrow('must be 1-5');
    expect(parseVersion('0')).toBe(0);
    expect(parseVersion('12')).toBe(12);
    for (const bad of ['-1', '1.5', 'v2']) expect(() => parseVersion(bad)).toThrow(InvalidArgumentError);
    expect(parseDate('2027-02-28')).toBe('2027-02-28');
    for (const bad of ['2027-02-30', '27-02-01', '2027-2-1'])
      expect(() => parseDate(bad)).toThrow('must be a date YYYY-MM-DD');
    expect(parseLimit('100')).toBe(100);
    for (const bad of ['0', '101', '5x']) expect(() => parseLimit(bad)).toThrow('must be 1-100');
    expect(() => parseText('  ')).toThrow('must not be empty');
  });

  it('accepts an allocation 1-100, a whole quantity and a cost of 0 or more, in plain decimals only', () => {
    expect(parseAllocation('1')).toBe(1);
    expect(parseAllocation('100')).toBe(100);
    expect(parseAllocation('12.5')).toBe(12.5);
    for (const bad of ['0', '100.5', '-5', '', '0x40', '1e2', 'half'])
      expect(() => parseAllocation(bad)).toThrow('must be 1-100 (percent)');
    expect(parseQuantity('12')).toBe(12);
    for (const bad of ['0', '1.5', '-1', '', '0x10'])
      expect(() => parseQuantity(bad)).toThrow('must be a whole number, more than 0');
    expect(parseCost('0')).toBe(0);
    expect(parseCost('2640.50')).toBe(2640.5);
    for (const bad of ['-1', '', '1e3', '0x10', 'Infinity', 'free'])
      expect(() => parseCost(bad)).toThrow('must be a number, 0 or more');
  });

  it('sends only the fields whose options were given, under the API’s names', () => {
    expect(
      changesOf(
        { estimate: 4, hours: 0, status: 'done', json: true },
        { estimate: 'estimateHours', hours: 'actualHours', status: 'status', name: 'name' },
      ),
    ).toEqual({
      estimateHours: 4,
      actualHours: 0,
      status: 'done',
    });
  });

  it('sends --clear as the API names the fields, once each; a list option as an empty list', () => {
    const fields = { waiverReason: 'waiverReason', step: 'steps', estimate: 'estimateHours' };
    expect(
      changesOf({ clear: ['waiver-reason', 'step', 'estimate', 'waiverReason', 'acceptance'] }, fields),
    ).toEqual({ steps: [], clear: ['waiverReason', 'estimateHours', 'acceptance'] });
    expect(() => changesOf({ step: ['Switch'], clear: ['step'] }, fields)).toThrow(
      '--clear step: the list is also given; give one of them',
    );
  });
});

describe('errors in one line', () => {
  it('names the options a 400 complains about', () => {
    const err = describeFailure(
      'task tenant',
      new ApiError(400, 'invalid request', [
        { path: 'estimateHours', message: 'must not be negative' },
        { path: 'taskId', message: 'must be 1-64 letters' },
      ]),
    );
    expect(err.message).toBe('task tenant: --estimate: must not be negative; task id: must be 1-64 letters');
    expect(fieldName('actualHours')).toBe('--hours');
    expect(fieldName('reviewBy')).toBe('--review-by');
    // One item of a list names the repeated option and which use of it.
    expect(fieldName('steps.2')).toBe('--step (item 3)');
    expect(fieldName('allocation')).toBe('--allocation');
  });

  it('says what to check when AWS refuses the signature', () => {
    expect(describeFailure('projects', new ApiError(403, 'Forbidden')).message).toBe(
      'projects: the API refused the request (403 Forbidden): check your AWS credentials and region, and that they may call execute-api:Invoke on this API',
    );
  });

  it('passes 404 and 409 messages through, and keeps server failures short', () => {
    expect(describeFailure('show x', new ApiError(404, 'project x not found')).message).toBe(
      'show x: project x not found',
    );
    expect(
      describeFailure('submit qa', new ApiError(409, 'stage qa is not the current stage (execution)'))
        .message,
    ).toBe('submit qa: stage qa is not the current stage (execution)');
    expect(describeFailure('projects', new ApiError(502, 'Bad Gateway')).message).toBe(
      'projects: the API failed (502 Bad Gateway); try again',
    );
  });

  it('says to sign in when the credential chain finds nothing', () => {
    const err = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(describeFailure('projects', err).message).toBe(
      'no AWS credentials: sign in (aws sso login, or AWS_PROFILE / AWS_ACCESS_KEY_ID) and try again',
    );
  });

  it('never prints a control character from the API', () => {
    const err = describeFailure('show x', new ApiError(404, 'project \u001b[2Jx\nnot found'));
    expect(err.message).toBe('show x: project  [2Jx not found');
  });
});

describe('tables', () => {
  it('aligns columns, right-aligns numbers and leaves no trailing spaces', () => {
    expect(
      table(
        ['ID', { heading: 'EST', right: true }, 'NAME'],
        [
          ['tenant', 16, 'Configured tenant'],
          ['t1', 4.5, ''],
        ],
      ),
    ).toEqual(['ID      EST  NAME', 'tenant   16  Configured tenant', 't1      4.5']);
  });

  it('prints values with escape sequences and newlines as one inert line', () => {
    expect(clean('Evil\u001b[31m\nname\u009b')).toBe('Evil [31m name ');
    expect(table(['NAME'], [['a\u001b]0;title\u0007b']])).toEqual(['NAME', 'a ]0;title b']);
  });

  it('colours RAG only on a terminal that wants colour', () => {
    expect(rag('red', true)).toBe('\u001b[31mred\u001b[0m');
    expect(rag('red', false)).toBe('red');
    expect(wantsColor({ isTTY: true }, {})).toBe(true);
    expect(wantsColor({ isTTY: false }, {})).toBe(false);
    expect(wantsColor({}, {})).toBe(false);
    expect(wantsColor({ isTTY: true }, { NO_COLOR: '' })).toBe(false);
    expect(wantsColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('keeps the columns aligned when a cell is coloured', () => {
    const lines = table(
      ['ID', { heading: 'RAG', paint: (p, raw) => p.replace(raw, rag(raw, true)) }, 'X'],
      [
        ['a', 'red', '1'],
        ['bb', 'green', '2'],
      ],
    );
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping the colour codes
    const plain = lines.map((l) => l.replace(/\u001b\[\d+m/g, ''));
    expect(plain).toEqual(['ID  RAG    X', 'a   red    1', 'bb  green  2']);
  });
});
