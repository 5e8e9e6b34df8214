/**
 * The document ports as the functions wire them (functions/composition/documents.ts,
 * renderer.ts): the S3 store and the Lambda renderer sign for their service with the SDK clients'
 * credentials (fixed local ones against the local endpoints, else the default chain, session token
 * included), checked by a local server that signs each received request again.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readEnv } from '../../functions/adapters/config.js';
import { PdfKitRenderer } from '../../functions/adapters/pdf-renderer.js';
import { documentStore } from '../../functions/composition/documents.js';
import { lambdaRenderer } from '../../functions/composition/renderer.js';
import type { DocumentModel } from '../../functions/core/documents/model.js';
import { type FakeAws, s3Bucket, startFakeAws } from '../support/aws-server.js';

const ENV = {
  TABLE_NAME: 'milepost',
  STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:eu-west-2:123456789012:stateMachine:',
  PUBLIC_BASE_URL: 'https://api.example/',
  SENDER_EMAIL: 'projects@msp.example',
  AWS_REGION: 'eu-west-2',
  DOCUMENTS_BUCKET: 'milepost-documents',
};

const MODEL: DocumentModel = {
  title: 'Charter',
  projectName: 'Acme M365',
  author: 'Northwind',
  docVersion: 1,
  createdAt: '2026-12-01T09:00:00.000Z',
  meta: [],
  sections: [{ heading: 'Purpose', blocks: [{ type: 'paragraph', text: 'Move mail.' }] }],
};

let aws: FakeAws;
beforeAll(async () => {
  aws = await startFakeAws({ local: 'local', ASIAENVEXAMPLE: 'env-secret' });
});
afterAll(async () => {
  await aws.close();
});
beforeEach(() => {
  aws.requests.length = 0;
});

/** Runs `body` with these variables in process.env (where the default credential chain reads). */
async function withEnv(vars: Record<string, string>, body: () => Promise<void>): Promise<void> {
  const saved = { ...process.env };
  Object.assign(process.env, vars);
  try {
    await body();
  } finally {
    process.env = saved;
  }
}

describe('documentStore', () => {
  it('signs for S3 with the local credentials against the local endpoints, the key encoded once', async () => {
    const bucket = s3Bucket('milepost-documents');
    aws.answer(bucket.handle);
    const store = documentStore(
      readEnv({ ...ENV, S3_ENDPOINT: aws.endpoint, DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' }),
    );
    const key = 'projects/acme (2)/charter/v1.pdf';
    await store.put(key, new TextEncoder().encode('%PDF-1.7'), 'application/pdf');
    expect(new TextDecoder().decode(await store.get(key))).toBe('%PDF-1.7');
    expect(await store.get('projects/acme/none.pdf')).toBeUndefined();
    expect(aws.requests[0]!.target).toBe('/milepost-documents/projects/acme%20%282%29/charter/v1.pdf');
    expect(aws.requests.map((r) => r.signature)).toEqual(
      Array(3).fill(expect.objectContaining({ ok: true, accessKeyId: 'local', service: 's3' })),
    );
  });

  it('signs with the default chain’s credentials and session token in AWS', async () => {
    const bucket = s3Bucket('milepost-documents');
    aws.answer(bucket.handle);
    await withEnv(
      {
        AWS_ACCESS_KEY_ID: 'ASIAENVEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'env-secret',
        AWS_SESSION_TOKEN: 'env-session-token',
      },
      async () => {
        const store = documentStore(readEnv({ ...ENV, S3_ENDPOINT: aws.endpoint }));
        await store.put('a/v1.pdf', new TextEncoder().encode('%PDF-'), 'application/pdf');
      },
    );
    expect(aws.requests[0]!.signature).toMatchObject({ ok: true, accessKeyId: 'ASIAENVEXAMPLE' });
    expect(aws.requests[0]!.headers['x-amz-security-token']).toBe('env-session-token');
  });

  it('keeps documents in a folder when DOCUMENTS_DIR is set (no request)', () => {
    expect(documentStore(readEnv({ ...ENV, DOCUMENTS_DIR: '/nonexistent' })).constructor.name).toBe(
      'FsDocumentStore',
    );
  });
});

describe('lambdaRenderer', () => {
  it('invokes the named documents function, signed for Lambda', async () => {
    const pdf = await new PdfKitRenderer().render(MODEL);
    aws.answer(() => ({ status: 200, body: JSON.stringify({ pdf: Buffer.from(pdf).toString('base64') }) }));
    const renderer = lambdaRenderer(
      readEnv({
        ...ENV,
        DOCUMENTS_FUNCTION_NAME: 'milepost-documents',
        LAMBDA_ENDPOINT: aws.endpoint,
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
      }),
    );
    expect(await renderer.render(MODEL)).toEqual(pdf);
    expect(aws.requests[0]).toMatchObject({
      method: 'POST',
      target: '/2015-03-31/functions/milepost-documents/invocations',
      signature: { ok: true, accessKeyId: 'local', service: 'lambda', region: 'eu-west-2' },
    });
  });

  it('says so when no documents function is configured', async () => {
    await expect(lambdaRenderer(readEnv(ENV)).render(MODEL)).rejects.toThrow(
      'no document renderer is configured (DOCUMENTS_FUNCTION_NAME is not set)',
    );
  });
});
