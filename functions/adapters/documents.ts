/**
 * `DocumentStore` adapters: S3 in AWS (a versioned bucket), a folder on disk for the local runtime.
 * Keys are relative paths such as `projects/<id>/plan/v3.pdf`; bodies are bytes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ValidationError } from '../core/errors.js';
import type { DocumentStore } from '../core/ports.js';

/** Rejects keys that are empty, absolute, or walk out of the store (`..`). */
function checkKey(key: string): string {
  const parts = key.split(/[\\/]/);
  if (
    key.length === 0 ||
    key.length > 1024 ||
    isAbsolute(key) ||
    key.startsWith('/') ||
    key.includes('\0') ||
    parts.some((p) => p === '..' || p === '.' || p === '')
  ) {
    throw new ValidationError([{ path: 'key', message: 'must be a relative path without . or .. parts' }]);
  }
  return key;
}

/** Documents as objects of one S3 bucket. */
export class S3DocumentStore implements DocumentStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: checkKey(key),
        Body: body,
        ContentType: contentType,
      }),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: checkKey(key) }));
      return res.Body ? await res.Body.transformToByteArray() : new Uint8Array();
    } catch (e) {
      if (e instanceof NoSuchKey) return undefined;
      throw e;
    }
  }
}

/** Documents as files under one folder (the local runtime). Writes are atomic (temp file + rename). */
export class FsDocumentStore implements DocumentStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    const full = resolve(join(this.root, checkKey(key)));
    // Belt and braces: the resolved path must stay inside the root.
    if (!full.startsWith(this.root + sep)) {
      throw new ValidationError([{ path: 'key', message: 'must stay inside the document store' }]);
    }
    return full;
  }

  async put(key: string, body: Uint8Array, _contentType: string): Promise<void> {
    const file = this.path(key);
    // Documents hold customer data: private to this user, whatever the process umask.
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    // Unique per write: two writes of one key in the same millisecond must not share a temp file.
    const tmp = `${file}.${process.pid}.${Date.now()}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, body, { mode: 0o600 });
    await rename(tmp, file);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.path(key)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
}
