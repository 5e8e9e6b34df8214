import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsRequest, AwsRequestError, AwsServiceClient } from '../../functions/adapters/aws-request.js';
import { FsDocumentStore, S3DocumentStore } from '../../functions/adapters/documents.js';
import { ValidationError } from '../../functions/core/errors.js';
import { type FakeAws, s3Bucket, s3Error, startFakeAws } from '../support/aws-server.js';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const text = (body: Uint8Array | undefined) => (body ? Buffer.from(body).toString('utf8') : body);

describe('FsDocumentStore', () => {
  let dir: string;
  let store: FsDocumentStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'milepost-docs-'));
    store = new FsDocumentStore(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores a document under its key and reads it back', async () => {
    const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x00, 0xff, 0x80]);
    const { versionId } = await store.put('projects/acme/plan/v1.pdf', pdf, 'application/pdf');
    expect(versionId).toMatch(/^[0-9a-f]{32}$/);
    expect(await store.get('projects/acme/plan/v1.pdf')).toEqual(pdf);
    expect(await store.get('projects/acme/plan/v1.pdf', versionId)).toEqual(pdf);
    // The key's latest and the immutable version; no temp file left behind.
    expect((await readdir(join(dir, 'projects/acme/plan'))).sort()).toEqual([
      'v1.pdf',
      `v1.pdf.${versionId}`,
    ]);
  });

  it('keeps every write of a key as its own version, the latest under the key', async () => {
    const one = await store.put('a/versions.txt', bytes('one'), 'text/plain');
    const two = await store.put('a/versions.txt', bytes('two'), 'text/plain');
    expect(one.versionId).not.toBe(two.versionId);
    expect(text(await store.get('a/versions.txt', one.versionId))).toBe('one');
    expect(text(await store.get('a/versions.txt', two.versionId))).toBe('two');
    expect(text(await store.get('a/versions.txt'))).toBe('two');
  });

  it('gives each of many concurrent writes of one key its own bytes', async () => {
    const written = await Promise.all(
      Array.from({ length: 24 }, (_, i) => store.put('race/v1.pdf', bytes(`writer ${i}`), 'application/pdf')),
    );
    expect(new Set(written.map((w) => w.versionId)).size).toBe(24);
    for (const [i, w] of written.entries()) {
      expect(text(await store.get('race/v1.pdf', w.versionId))).toBe(`writer ${i}`);
    }
    // The latest is one whole write, never a mix, and no temp file is left.
    expect(text(await store.get('race/v1.pdf'))).toMatch(/^writer \d+$/);
    expect((await readdir(join(dir, 'race'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('returns undefined for an unknown version and refuses a version id that is not one', async () => {
    await store.put('a/known.txt', bytes('x'), 'text/plain');
    expect(await store.get('a/known.txt', '0'.repeat(32))).toBeUndefined();
    for (const bad of ['', '../../etc/passwd', 'tmp', `${'a'.repeat(31)}/`, 'A'.repeat(32)]) {
      await expect(store.get('a/known.txt', bad)).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it('replaces a document written twice', async () => {
    await store.put('a/b.txt', bytes('one'), 'text/plain');
    await store.put('a/b.txt', bytes('two'), 'text/plain');
    expect(text(await store.get('a/b.txt'))).toBe('two');
  });

  it('keeps documents private to this user whatever the umask (folders 0700, files 0600)', async () => {
    const before = process.umask(0o022);
    try {
      await store.put('private/acme/status.html', bytes('<p>RAG</p>'), 'text/html');
    } finally {
      process.umask(before);
    }
    expect((await stat(join(dir, 'private/acme'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'private/acme/status.html'))).mode & 0o777).toBe(0o600);
    for (const f of await readdir(join(dir, 'private/acme'))) {
      expect((await stat(join(dir, 'private/acme', f))).mode & 0o777, f).toBe(0o600);
    }
  });

  it('returns undefined for a missing document', async () => {
    expect(await store.get('projects/none/plan/v9.html')).toBeUndefined();
  });

  it('rejects keys that leave the folder', async () => {
    for (const key of [
      '../outside.txt',
      'a/../../b',
      '/etc/passwd',
      '',
      'a//b',
      './a',
      `a/v1.pdf.${'0'.repeat(32)}`,
    ]) {
      await expect(store.put(key, bytes('x'), 'text/plain')).rejects.toBeInstanceOf(ValidationError);
      await expect(store.get(key)).rejects.toBeInstanceOf(ValidationError);
    }
  });
});

describe('S3DocumentStore', () => {
  const SECRET = 'local-secret';
  let aws: FakeAws;
  let bucket: ReturnType<typeof s3Bucket>;
  let store: S3DocumentStore;
  beforeAll(async () => {
    aws = await startFakeAws({ AKIDLOCAL: SECRET });
  });
  afterAll(async () => {
    await aws.close();
  });
  beforeEach(() => {
    aws.requests.length = 0;
    bucket = s3Bucket('docs-bucket');
    aws.answer(bucket.handle);
    const client = new AwsServiceClient({
      service: 's3',
      region: 'eu-west-2',
      uriEscapePath: false,
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: SECRET, sessionToken: 'session-token' },
      backoffMs: () => 0,
    });
    store = new S3DocumentStore(client, 'docs-bucket', 'eu-west-2', aws.endpoint);
  });

  it('puts a document with its content type and reads the same bytes back, signed for S3', async () => {
    const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x00, 0xff, 0x80]);
    await store.put('projects/acme/plan/v1.pdf', pdf, 'application/pdf');
    expect(await store.get('projects/acme/plan/v1.pdf')).toEqual(pdf);

    const [put, get] = aws.requests;
    expect(put).toMatchObject({ method: 'PUT', target: '/docs-bucket/projects/acme/plan/v1.pdf' });
    expect(put!.headers['content-type']).toBe('application/pdf');
    expect(put!.headers['content-length']).toBe('8');
    expect(put!.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(pdf).digest('hex'));
    expect(put!.headers['x-amz-security-token']).toBe('session-token');
    expect(get).toMatchObject({ method: 'GET', target: '/docs-bucket/projects/acme/plan/v1.pdf' });
    for (const req of [put!, get!]) {
      expect(req.signature, req.method).toMatchObject({ ok: true, service: 's3', region: 'eu-west-2' });
      expect(req.signature.signedHeaders).toEqual(
        expect.arrayContaining(['host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token']),
      );
    }
    expect(put!.signature.signedHeaders).toContain('content-type');
    expect(bucket.objects.get('projects/acme/plan/v1.pdf')?.contentType).toBe('application/pdf');
  });

  it('answers the version S3 gave the write and reads exactly that version back, signed', async () => {
    const one = await store.put('projects/acme/plan/v1.pdf', bytes('loser'), 'application/pdf');
    const two = await store.put('projects/acme/plan/v1.pdf', bytes('winner'), 'application/pdf');
    expect(one.versionId).toMatch(/^1\+v\//);
    expect(two.versionId).toMatch(/^2\+v\//);
    aws.requests.length = 0;
    expect(text(await store.get('projects/acme/plan/v1.pdf', one.versionId))).toBe('loser');
    expect(text(await store.get('projects/acme/plan/v1.pdf', two.versionId))).toBe('winner');
    expect(text(await store.get('projects/acme/plan/v1.pdf'))).toBe('winner');
    const [get] = aws.requests;
    // `+`, `/` and `=` percent-encoded (a raw `+` would reach S3 as a space), and signed so.
    expect(get!.target).toBe(
      `/docs-bucket/projects/acme/plan/v1.pdf?versionId=${one.versionId!.replace('+', '%2B').replace('/', '%2F').replace('=', '%3D')}`,
    );
    expect(get!.signature).toMatchObject({ ok: true, service: 's3' });
  });

  it('returns undefined for a version S3 does not have (404 NoSuchVersion)', async () => {
    await store.put('a.pdf', bytes('x'), 'application/pdf');
    expect(await store.get('a.pdf', 'no-such-version')).toBeUndefined();
    expect(aws.requests.at(-1)!.target).toBe('/docs-bucket/a.pdf?versionId=no-such-version');
  });

  it('answers no version for a bucket without versioning (no header, or "null" when suspended)', async () => {
    for (const header of [undefined, 'null']) {
      aws.answer(() => ({
        status: 200,
        headers: header ? { 'x-amz-version-id': header } : ({} as Record<string, string>),
      }));
      expect(await store.put('a.pdf', bytes('x'), 'application/pdf')).toEqual({});
    }
  });

  it('refuses an empty version id or one with control characters before any request', async () => {
    for (const bad of ['', 'a\nb', 'x'.repeat(1025)]) {
      await expect(store.get('a.pdf', bad)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(aws.requests).toHaveLength(0);
  });

  it('encodes each segment of a key once, and S3 verifies the signature of that path', async () => {
    const key = "projects/café & co/it's (v1)+*=.pdf";
    await store.put(key, bytes('x'), 'application/pdf');
    expect(aws.requests[0]!.target).toBe(
      '/docs-bucket/projects/caf%C3%A9%20%26%20co/it%27s%20%28v1%29%2B%2A%3D.pdf',
    );
    expect(aws.requests[0]!.signature.ok).toBe(true);
    expect(text(await store.get(key))).toBe('x');
    expect([...bucket.objects.keys()]).toEqual([key]);
  });

  it('returns undefined when the key does not exist (404 NoSuchKey)', async () => {
    expect(await store.get('missing.html')).toBeUndefined();
    expect(aws.requests).toHaveLength(1);
  });

  it('tries a 503 again and stores the document', async () => {
    let first = true;
    aws.answer((req) => {
      if (first) {
        first = false;
        return s3Error(503, 'SlowDown');
      }
      return bucket.handle(req);
    });
    await store.put('a/b.pdf', bytes('%PDF-'), 'application/pdf');
    expect(aws.requests.map((r) => r.method)).toEqual(['PUT', 'PUT']);
    expect(text(bucket.objects.get('a/b.pdf')?.body)).toBe('%PDF-');
  });

  it('fails with a clear error on 403 (and on a 404 that is not NoSuchKey)', async () => {
    aws.answer(() => s3Error(403, 'AccessDenied', 'Access Denied'));
    const denied = await store.get('k.html').catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(AwsRequestError);
    expect((denied as Error).message).toBe('s3 GetObject failed: HTTP 403 AccessDenied (request id REQ123)');
    await expect(store.put('k.html', bytes('b'), 'text/html')).rejects.toThrow(
      's3 PutObject failed: HTTP 403 AccessDenied (request id REQ123)',
    );
    aws.answer(() => s3Error(404, 'NoSuchBucket'));
    await expect(store.get('k.html')).rejects.toThrow('s3 GetObject failed: HTTP 404 NoSuchBucket');
  });

  it('rejects a key with .. before any request', async () => {
    await expect(store.put('../x', bytes('b'), 'text/plain')).rejects.toBeInstanceOf(ValidationError);
    await expect(store.get('a/../../x')).rejects.toBeInstanceOf(ValidationError);
    expect(aws.requests).toHaveLength(0);
  });

  it('says which setting is missing when no bucket is configured, at use', async () => {
    const unset = new S3DocumentStore({} as AwsServiceClient, '', 'eu-west-2');
    await expect(unset.get('a/v1.pdf')).rejects.toThrow(
      'no documents bucket is configured (DOCUMENTS_BUCKET is not set)',
    );
  });

  it('addresses the bucket virtual-hosted in AWS, path-style when its name has dots', async () => {
    const sent: AwsRequest[] = [];
    const recorder = {
      send: async (req: AwsRequest) => {
        sent.push(req);
        return { status: 200, headers: {}, body: new Uint8Array() };
      },
    } as unknown as AwsServiceClient;
    await new S3DocumentStore(recorder, 'milepost-documents-1a2b', 'eu-west-2').put(
      'p/a b.pdf',
      bytes('x'),
      'application/pdf',
    );
    await new S3DocumentStore(recorder, 'docs.example.com', 'eu-west-2').get('p/v1.pdf');
    expect(sent.map((r) => `${r.operation} ${r.method} ${r.url.href}`)).toEqual([
      'PutObject PUT https://milepost-documents-1a2b.s3.eu-west-2.amazonaws.com/p/a%20b.pdf',
      'GetObject GET https://s3.eu-west-2.amazonaws.com/docs.example.com/p/v1.pdf',
    ]);
  });
});
