/** The document store port: S3 in AWS, a folder in the local runtime (the functions that keep documents). */
import { AwsServiceClient } from '../adapters/aws-request.js';
import type { Env } from '../adapters/config.js';
import { FsDocumentStore, S3DocumentStore } from '../adapters/documents.js';
import type { DocumentStore } from '../core/ports.js';
import { clientOptions } from './clients.js';

/** DOCUMENTS_DIR when set (local runtime), else the bucket DOCUMENTS_BUCKET (S3_ENDPOINT overrides S3's). */
export function documentStore(env: Env): DocumentStore {
  if (env.DOCUMENTS_DIR) return new FsDocumentStore(env.DOCUMENTS_DIR);
  const { region, credentials, maxAttempts } = clientOptions(env);
  const s3 = new AwsServiceClient({
    service: 's3',
    region,
    // S3 signs the path as it is sent (its segments are encoded once).
    uriEscapePath: false,
    ...(credentials ? { credentials } : {}),
    attempts: maxAttempts,
    // A document is at most a few MB, in the function's own region.
    timeoutMs: 15_000,
  });
  return new S3DocumentStore(s3, env.DOCUMENTS_BUCKET ?? '', region, env.S3_ENDPOINT);
}
