/**
 * `DocumentStore` adapters: S3 in AWS (a versioned bucket), a folder on disk for the local runtime.
 * Keys are relative paths such as `projects/<id>/plan/v3.pdf`; bodies are bytes. Both keep every
 * write of a key as its own version and read a named version exactly (S3 object versions; on disk
 * one immutable file per write beside the key's latest).
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { ValidationError } from '../core/errors.js';
import type { DocumentStore, StoredDocument } from '../core/ports.js';
import { AwsRequestError, type AwsServiceClient, awsEndpoint } from './aws-request.js';

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

/** Rejects a version id that is empty, too long or carries control characters. */
function checkVersionId(versionId: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (versionId.length === 0 || versionId.length > 1024 || /[\u0000-\u001f\u007f]/.test(versionId)) {
    throw new ValidationError([{ path: 'versionId', message: 'must be a non-empty storage version id' }]);
  }
  return versionId;
}

/** A key's path segment as S3 expects it: RFC 3986 unreserved characters kept, all else percent-encoded. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Documents as objects of one S3 bucket, with two REST calls (PutObject, GetObject) signed for
 * `s3` by `client` (built with `uriEscapePath: false`: S3 signs the path as sent). The bucket's
 * default encryption applies (S3-managed keys; SSE-KMS as a bucket default would need no header
 * either). The signed `x-amz-content-sha256` makes S3 refuse a body changed on the way.
 * The bucket is versioned: PutObject answers the new object version in `x-amz-version-id`, and
 * GetObject with `?versionId=` (percent-encoded, part of the signed query) reads exactly it.
 */
export class S3DocumentStore implements DocumentStore {
  /** The bucket's origin and the path prefix of its objects. */
  private readonly base: { origin: URL; prefix: string };

  /**
   * @param endpoint an S3-compatible endpoint reached path-style (`<endpoint>/<bucket>/<key>`),
   * for tests and the local runtime; @default the bucket's virtual-hosted AWS endpoint
   * `https://<bucket>.s3.<region>.amazonaws.com`.
   */
  constructor(
    private readonly client: AwsServiceClient,
    private readonly bucket: string,
    region: string,
    endpoint?: string,
  ) {
    // A bucket name with dots does not match S3's wildcard certificate: path-style for those.
    if (endpoint || bucket.includes('.') || !bucket) {
      this.base = { origin: endpoint ? new URL(endpoint) : awsEndpoint('s3', region), prefix: `/${bucket}` };
    } else {
      this.base = { origin: awsEndpoint(`${bucket}.s3`, region), prefix: '' };
    }
  }

  private url(key: string, versionId?: string): URL {
    checkKey(key);
    if (versionId !== undefined) checkVersionId(versionId);
    // Checked at use, not at construction: a function that never touches a document still starts.
    if (!this.bucket) throw new Error('no documents bucket is configured (DOCUMENTS_BUCKET is not set)');
    const url = new URL(this.base.origin);
    const root = url.pathname.replace(/\/+$/, '');
    url.pathname = `${root}${this.base.prefix}/${key.split('/').map(encodeSegment).join('/')}`;
    // Encoded as the signer encodes it (RFC 3986), not as URLSearchParams would (`+` for space).
    if (versionId !== undefined) url.search = `?versionId=${encodeSegment(versionId)}`;
    return url;
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<StoredDocument> {
    const response = await this.client.send({
      operation: 'PutObject',
      method: 'PUT',
      url: this.url(key),
      headers: { 'content-type': contentType },
      body,
    });
    // A bucket without versioning answers no header, or `null` once versioning was suspended.
    const versionId = response.headers['x-amz-version-id'];
    return versionId && versionId !== 'null' ? { versionId } : {};
  }

  async get(key: string, versionId?: string): Promise<Uint8Array | undefined> {
    try {
      return (
        await this.client.send({ operation: 'GetObject', method: 'GET', url: this.url(key, versionId) })
      ).body;
    } catch (e) {
      if (
        e instanceof AwsRequestError &&
        e.status === 404 &&
        (e.code === 'NoSuchKey' || e.code === 'NoSuchVersion')
      ) {
        return undefined;
      }
      throw e;
    }
  }
}

/**
 * Documents as files under one folder (the local runtime). Every write is atomic (temp file +
 * rename) and kept as its own version: an immutable file `<key>.<versionId>` (32 hex digits) plus
 * `<key>` itself, the latest write, for readers that name no version. Both are hard links of the
 * same written file, so a version costs no second copy; neither is ever written in place.
 */
export class FsDocumentStore implements DocumentStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private path(key: string): string {
    // `<key>.<32 hex>` names a version of `<key>`: such a key would read and write another's versions.
    if (/\.[0-9a-f]{32}$/.test(key)) {
      throw new ValidationError([
        { path: 'key', message: 'must not end in . and 32 hex digits (a version)' },
      ]);
    }
    const full = resolve(join(this.root, checkKey(key)));
    // Belt and braces: the resolved path must stay inside the root.
    if (!full.startsWith(this.root + sep)) {
      throw new ValidationError([{ path: 'key', message: 'must stay inside the document store' }]);
    }
    return full;
  }

  async put(key: string, body: Uint8Array, _contentType: string): Promise<StoredDocument> {
    const file = this.path(key);
    // Documents hold customer data: private to this user, whatever the process umask.
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    // Unique per write: two writes of one key in the same millisecond must not share a temp file.
    const tmp = `${file}.${process.pid}.${Date.now()}.${randomBytes(6).toString('hex')}.tmp`;
    const versionId = randomBytes(16).toString('hex');
    try {
      await writeFile(tmp, body, { mode: 0o600 });
      // The version exists, complete, before the put answers; `link` never replaces a file.
      await link(tmp, `${file}.${versionId}`);
      await rename(tmp, file);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    return { versionId };
  }

  async get(key: string, versionId?: string): Promise<Uint8Array | undefined> {
    let path = this.path(key);
    if (versionId !== undefined) {
      if (!/^[0-9a-f]{32}$/.test(versionId)) {
        throw new ValidationError([{ path: 'versionId', message: 'must be 32 hex digits' }]);
      }
      path = `${path}.${versionId}`;
    }
    try {
      return new Uint8Array(await readFile(path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
}
