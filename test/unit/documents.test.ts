import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FsDocumentStore, S3DocumentStore } from '../../functions/adapters/documents.js';
import { ValidationError } from '../../functions/core/errors.js';

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
    await store.put('projects/acme/plan/v1.pdf', pdf, 'application/pdf');
    expect(await store.get('projects/acme/plan/v1.pdf')).toEqual(pdf);
    expect(await readdir(join(dir, 'projects/acme/plan'))).toEqual(['v1.pdf']);
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
  });

  it('returns undefined for a missing document', async () => {
    expect(await store.get('projects/none/plan/v9.html')).toBeUndefined();
  });

  it('rejects keys that leave the folder', async () => {
    for (const key of ['../outside.txt', 'a/../../b', '/etc/passwd', '', 'a//b', './a']) {
      await expect(store.put(key, bytes('x'), 'text/plain')).rejects.toBeInstanceOf(ValidationError);
      await expect(store.get(key)).rejects.toBeInstanceOf(ValidationError);
    }
  });
});

describe('S3DocumentStore', () => {
  const s3 = mockClient(S3Client);
  const store = new S3DocumentStore(new S3Client({ region: 'us-east-1' }), 'docs-bucket');
  beforeEach(() => {
    s3.reset();
  });

  it('puts the body with its content type', async () => {
    s3.on(PutObjectCommand).resolves({});
    const pdf = bytes('%PDF-1.3');
    await store.put('projects/acme/plan/v1.pdf', pdf, 'application/pdf');
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'docs-bucket',
      Key: 'projects/acme/plan/v1.pdf',
      Body: pdf,
      ContentType: 'application/pdf',
    });
  });

  it('reads a document body as bytes', async () => {
    const body = Object.assign(Readable.from([Buffer.from('hello')]), {
      transformToByteArray: async () => bytes('hello'),
    });
    s3.on(GetObjectCommand).resolves({ Body: body as never });
    expect(text(await store.get('k.txt'))).toBe('hello');
  });

  it('returns undefined when the key does not exist', async () => {
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'no such key', $metadata: {} }));
    expect(await store.get('missing.html')).toBeUndefined();
  });

  it('passes other errors through', async () => {
    const denied = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: {},
      message: 'denied',
    });
    s3.on(GetObjectCommand).rejects(denied);
    await expect(store.get('k.html')).rejects.toBe(denied);
  });

  it('rejects a key with ..', async () => {
    await expect(store.put('../x', bytes('b'), 'text/plain')).rejects.toBeInstanceOf(ValidationError);
    expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
  });
});
