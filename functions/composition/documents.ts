/** The document store port: S3 in AWS, a folder in the local runtime (the functions that keep documents). */
import { S3Client } from '@aws-sdk/client-s3';
import type { Env } from '../adapters/config.js';
import { FsDocumentStore, S3DocumentStore } from '../adapters/documents.js';
import type { DocumentStore } from '../core/ports.js';
import { clientOptions } from './clients.js';

/** DOCUMENTS_DIR when set (local runtime), else the bucket DOCUMENTS_BUCKET. */
export function documentStore(env: Env): DocumentStore {
  if (env.DOCUMENTS_DIR) return new FsDocumentStore(env.DOCUMENTS_DIR);
  const s3 = new S3Client({
    ...clientOptions(env),
    ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT, forcePathStyle: true } : {}),
  });
  return new S3DocumentStore(s3, env.DOCUMENTS_BUCKET ?? '');
}
