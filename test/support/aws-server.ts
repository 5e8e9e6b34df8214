/**
 * A local stand-in for an AWS REST endpoint (node:http on 127.0.0.1): it records each request as
 * it arrived on the wire, checks its SigV4 signature by signing the received request again with
 * AWS's signer (`@smithy/signature-v4`, with the pure-JS SHA-256 of `@aws-crypto/sha256-js`, not
 * the node:crypto one the adapter uses) and the secret of the access key it names, and answers
 * what the test says. `s3Bucket` answers PutObject/GetObject like S3.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';

/** A request as the server received it, with the verdict on its signature. */
export interface ReceivedRequest {
  method: string;
  /** The request target as sent: the path (percent-encoded) and the query. */
  target: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Buffer;
  signature: SignatureCheck;
}

/** Whether a signature holds, and what it was made for. */
export interface SignatureCheck {
  ok: boolean;
  /** Why not, when it does not hold. */
  reason?: string;
  accessKeyId?: string;
  region?: string;
  service?: string;
  signedHeaders?: string[];
}

/** What the server answers: a status with headers and a body, or nothing at all (`hang`). */
export type Reply = { status: number; headers?: Record<string, string>; body?: string | Buffer } | 'hang';

/** A running stand-in. */
export interface FakeAws {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  requests: ReceivedRequest[];
  /** Sets how the next requests are answered. */
  answer(handler: (req: ReceivedRequest) => Reply | Promise<Reply>): void;
  close(): Promise<void>;
}

/**
 * Recomputes the signature of `req` with the secret of the access key its Authorization header
 * names. S3 signs the path as sent; every other service signs it with its segments encoded again.
 */
export async function checkSignature(
  req: Omit<ReceivedRequest, 'signature'>,
  secrets: Record<string, string>,
): Promise<SignatureCheck> {
  const auth = req.headers['authorization'] ?? '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { ok: false, reason: `no SigV4 Authorization header: ${auth}` };
  const [, accessKeyId, day, region, service, signedHeaderList] = m as unknown as string[];
  const base = { accessKeyId, region, service, signedHeaders: signedHeaderList!.split(';') } as const;
  const secretAccessKey = secrets[accessKeyId!];
  if (!secretAccessKey) return { ...base, ok: false, reason: `unknown access key ${accessKeyId}` };
  const amzDate = req.headers['x-amz-date'] ?? '';
  const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!d || amzDate.slice(0, 8) !== day) return { ...base, ok: false, reason: `bad x-amz-date ${amzDate}` };
  const signingDate = new Date(`${d[1]}-${d[2]}-${d[3]}T${d[4]}:${d[5]}:${d[6]}Z`);
  // AWS refuses a signature more than 15 minutes off.
  if (Math.abs(signingDate.getTime() - Date.now()) > 15 * 60_000)
    return { ...base, ok: false, reason: 'signed more than 15 minutes ago' };
  // S3 takes the payload hash from this header: it must be the body's.
  const claimed = req.headers['x-amz-content-sha256'];
  const actual = createHash('sha256').update(req.body).digest('hex');
  if (claimed !== undefined && claimed !== actual)
    return { ...base, ok: false, reason: 'x-amz-content-sha256 is not the hash of the body' };

  const [path = '/', queryString = ''] = req.target.split('?');
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(queryString)) query[k] = v;
  const headers: Record<string, string> = {};
  for (const name of base.signedHeaders) {
    if (req.headers[name] === undefined)
      return { ...base, ok: false, reason: `signed header ${name} missing` };
    if (name !== 'authorization') headers[name] = req.headers[name]!;
  }
  const [hostname, port] = (req.headers['host'] ?? '').split(':');
  const signer = new SignatureV4({
    service: service!,
    region: region!,
    credentials: {
      accessKeyId: accessKeyId!,
      secretAccessKey,
      ...(req.headers['x-amz-security-token'] ? { sessionToken: req.headers['x-amz-security-token'] } : {}),
    },
    sha256: Sha256,
    uriEscapePath: service !== 's3',
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: req.method,
      protocol: 'http:',
      hostname: hostname ?? '',
      ...(port ? { port: Number(port) } : {}),
      path,
      query,
      headers,
      body: req.body,
    }),
    { signingDate, signableHeaders: new Set(base.signedHeaders) },
  );
  const expected = (signed as HttpRequest).headers['authorization'];
  return expected === auth
    ? { ...base, ok: true }
    : { ...base, ok: false, reason: 'signature does not match' };
}

/** Starts a stand-in on 127.0.0.1 that knows the given access keys' secrets. */
export async function startFakeAws(secrets: Record<string, string>): Promise<FakeAws> {
  const requests: ReceivedRequest[] = [];
  let handler: (req: ReceivedRequest) => Reply | Promise<Reply> = () => ({ status: 500 });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers))
          headers[k] = Array.isArray(v) ? v.join(',') : String(v);
        const received = {
          method: req.method ?? '',
          target: req.url ?? '/',
          headers,
          body: Buffer.concat(chunks),
        };
        const full: ReceivedRequest = { ...received, signature: await checkSignature(received, secrets) };
        requests.push(full);
        const reply = await handler(full);
        if (reply === 'hang') return;
        const body = reply.body ?? '';
        res.writeHead(reply.status, { 'content-length': String(Buffer.byteLength(body)), ...reply.headers });
        res.end(body);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    answer(next) {
      handler = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An S3 error answer as S3 writes it. */
export function s3Error(status: number, code: string, message = code): Reply {
  return {
    status,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': 'REQ123' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>REQ123</RequestId></Error>`,
  };
}

/**
 * PutObject and GetObject of one versioned bucket reached path-style (`/<bucket>/<key>`), kept in
 * memory: each PUT answers a new `x-amz-version-id` (ids carry `+`, `/` and `=`, so a client must
 * percent-encode them), GET reads the latest or `?versionId=` exactly (404 NoSuchVersion when
 * unknown); a request with a bad signature gets 403 SignatureDoesNotMatch, as from S3.
 */
export function s3Bucket(bucket: string): {
  /** The latest object of each key. */
  objects: Map<string, { body: Buffer; contentType: string }>;
  /** Every version, by `<key>?<versionId>`. */
  versions: Map<string, { body: Buffer; contentType: string }>;
  handle: (req: ReceivedRequest) => Reply;
} {
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const versions = new Map<string, { body: Buffer; contentType: string }>();
  let writes = 0;
  const handle = (req: ReceivedRequest): Reply => {
    if (!req.signature.ok) return s3Error(403, 'SignatureDoesNotMatch');
    const prefix = `/${bucket}/`;
    const [path = '', queryString = ''] = req.target.split('?');
    if (!path.startsWith(prefix)) return s3Error(404, 'NoSuchBucket');
    const key = path
      .slice(prefix.length)
      .split('/')
      .map((s) => decodeURIComponent(s))
      .join('/');
    const versionId = new URLSearchParams(queryString).get('versionId');
    if (req.method === 'PUT') {
      const object = { body: req.body, contentType: req.headers['content-type'] ?? '' };
      const id = `${++writes}+v/${randomBytes(4).toString('hex')}=`;
      objects.set(key, object);
      versions.set(`${key}?${id}`, object);
      return { status: 200, headers: { etag: '"e"', 'x-amz-version-id': id } };
    }
    if (req.method === 'GET') {
      if (versionId !== null) {
        const version = versions.get(`${key}?${versionId}`);
        if (!version) return s3Error(404, 'NoSuchVersion', 'The specified version does not exist.');
        return { status: 200, headers: { 'content-type': version.contentType }, body: version.body };
      }
      const object = objects.get(key);
      if (!object) return s3Error(404, 'NoSuchKey');
      return { status: 200, headers: { 'content-type': object.contentType }, body: object.body };
    }
    return s3Error(405, 'MethodNotAllowed');
  };
  return { objects, versions, handle };
}
