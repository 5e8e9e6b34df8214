/**
 * A document version always serves the bytes its record describes, on DynamoDB Local with the
 * real document stores (a folder, and S3 through the local signed stand-in): two publishes of one
 * document racing on `v<N>.pdf`, a publish retried after its commit failed, and a record of an
 * earlier release without a storage version.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsServiceClient } from '../../functions/adapters/aws-request.js';
import { FsDocumentStore, S3DocumentStore } from '../../functions/adapters/documents.js';
import { bytesSha256, type DocumentDraft } from '../../functions/core/documents/model.js';
import { ConflictError } from '../../functions/core/errors.js';
import type { DocumentRecord } from '../../functions/core/model.js';
import type { DocumentStore, ProjectStore } from '../../functions/core/ports.js';
import { documentKey, PDF, publishDocument } from '../../functions/core/use-cases/publish-document.js';
import { getDocument } from '../../functions/core/use-cases/staff-get-document.js';
import { viewApprovalDocument } from '../../functions/core/use-cases/view-approval-document.js';
import { type FakeAws, s3Bucket, startFakeAws } from '../support/aws-server.js';
import { makeTestStore, type TestStore } from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import { type Seeded, SPONSOR, seedApprovalGate } from './approval-support.js';

const SECRET = 'local-secret';
let aws: FakeAws;
beforeAll(async () => {
  aws = await startFakeAws({ AKIDLOCAL: SECRET });
});
afterAll(async () => {
  await aws.close();
});

/** The two real document stores, each fresh per test. */
const stores: [string, () => Promise<{ documents: DocumentStore; done: () => Promise<void> }>][] = [
  [
    'a folder (FsDocumentStore)',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'milepost-doc-versions-'));
      return { documents: new FsDocumentStore(dir), done: () => rm(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'S3 (S3DocumentStore, versioned bucket)',
    async () => {
      aws.answer(s3Bucket('docs-bucket').handle);
      const client = new AwsServiceClient({
        service: 's3',
        region: 'eu-west-2',
        uriEscapePath: false,
        credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: SECRET },
        backoffMs: () => 0,
      });
      return {
        documents: new S3DocumentStore(client, 'docs-bucket', 'eu-west-2', aws.endpoint),
        done: async () => {},
      };
    },
  ],
];

/** A charter draft whose rendered bytes differ with `text`. */
function draft(text: string): DocumentDraft {
  return {
    title: 'Project charter',
    projectName: 'Acme M365',
    author: 'Test MSP',
    meta: [],
    sections: [{ heading: 'Scope', blocks: [{ type: 'paragraph', text }] }],
  };
}

function publish(deps: TestDeps, text: string): Promise<DocumentRecord> {
  return publishDocument(deps, {
    projectId: 'acme-m365',
    id: 'charter',
    kind: 'charter',
    title: 'Project charter',
    draft: draft(text),
    actor: 'pm@msp.example',
    eventType: 'charter_generated',
  });
}

/** What the staff download and the approver's document link serve for version 1 of the charter. */
async function served(deps: TestDeps, seeded: Seeded): Promise<{ staff: string; approver: string }> {
  const staff = await getDocument(deps, 'acme-m365', 'charter', 1);
  const approver = await viewApprovalDocument(deps, seeded.ids[SPONSOR.email]!, 'charter');
  if (approver.kind !== 'document') throw new Error(`approver got ${approver.kind}`);
  expect(bytesSha256(staff.body)).toBe(staff.sha256);
  expect(bytesSha256(approver.body)).toBe(approver.sha256);
  return { staff: staff.sha256, approver: approver.sha256 };
}

describe.each(stores)('document versions on %s', (_name, makeStore) => {
  let ts: TestStore;
  let deps: TestDeps;
  let done: () => Promise<void>;
  let seeded: Seeded;

  beforeEach(async () => {
    ts = await makeTestStore();
    const made = await makeStore();
    done = made.done;
    // The real store stands where the tests' in-memory one usually does.
    deps = { ...makeTestDeps(ts.store), documents: made.documents as TestDeps['documents'] };
    seeded = await seedApprovalGate(deps, { taskToken: 'token-1', documentVersion: 1 });
  });
  afterEach(async () => {
    await ts.drop();
    await done();
  });

  it('two publishes at once: the committed record serves its own bytes, never the loser’s', async () => {
    const real = deps.documents;
    // The first put to arrive is held until the other publish has put AND committed: the loser's
    // bytes then land last under the same key, the interleaving that served them before.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let first = true;
    const gated: DocumentStore = {
      put: async (key, body, type) => {
        if (first) {
          first = false;
          await held;
        }
        return real.put(key, body, type);
      },
      get: (key, versionId) => real.get(key, versionId),
    };
    const racing = { ...deps, documents: gated as TestDeps['documents'] };
    const a = publish(racing, 'Scope as the first editor wrote it');
    const b = publish(racing, 'Scope as the second editor wrote it');
    const winner = await Promise.race([a, b]);
    release();
    const results = await Promise.allSettled([a, b]);
    const loser = results.find((r) => r.status === 'rejected');
    expect(loser?.status === 'rejected' && loser.reason).toBeInstanceOf(ConflictError);

    const record = (await deps.store.get('acme-m365', 'document', 'charter'))!;
    expect(record).toMatchObject({ docVersion: 1, sha256: winner.sha256, key: winner.key });
    expect(record.storageVersion).toBeTruthy();
    expect(record.versions?.[0]?.storageVersion).toBe(record.storageVersion);
    // The race really happened: the key's latest bytes are the loser's.
    const latest = await real.get(record.key);
    expect(bytesSha256(latest!)).not.toBe(record.sha256);
    // Yet the version the record names is the winner's bytes, and that is what is served.
    expect(bytesSha256((await real.get(record.key, record.storageVersion))!)).toBe(record.sha256);
    expect(await served(deps, seeded)).toEqual({ staff: record.sha256, approver: record.sha256 });
  });

  it('a publish whose commit failed is retried: the same key is written again and that write is served', async () => {
    // The first attempt puts v1.pdf and then its commit fails (a crash, a lost connection).
    const failing: ProjectStore = Object.create(ts.store);
    failing.commit = async () => {
      throw new Error('connection reset');
    };
    await expect(publish({ ...deps, store: failing }, 'Scope before the retry')).rejects.toThrow(
      'connection reset',
    );
    expect(await deps.store.get('acme-m365', 'document', 'charter')).toBeUndefined();

    const retried = await publish(deps, 'Scope of the retry');
    expect(retried).toMatchObject({ docVersion: 1, key: documentKey('acme-m365', 'charter', 1) });
    expect(await served(deps, seeded)).toEqual({ staff: retried.sha256, approver: retried.sha256 });
    // Later versions publish as usual, and version 1 still serves its own bytes.
    const next = await publish(deps, 'Scope, revised');
    expect(next.docVersion).toBe(2);
    expect(bytesSha256((await getDocument(deps, 'acme-m365', 'charter', 2)).body)).toBe(next.sha256);
    expect(await served(deps, seeded)).toEqual({ staff: retried.sha256, approver: retried.sha256 });
  });

  it('a record written before storage versions serves the key’s bytes', async () => {
    const bytes = await deps.renderer.render({
      ...draft('Scope of an earlier release'),
      docVersion: 1,
      createdAt: '2026-11-01T09:00:00.000Z',
    });
    const key = documentKey('acme-m365', 'charter', 1);
    await deps.documents.put(key, bytes, PDF);
    const sha256 = bytesSha256(bytes);
    // As earlier releases stored it: no storage version, no `versions` list.
    await deps.store.commit([
      {
        entity: 'document',
        projectId: 'acme-m365',
        id: 'charter',
        kind: 'charter',
        docVersion: 1,
        title: 'Project charter v1',
        key,
        sha256,
        size: bytes.byteLength,
        contentType: PDF,
        createdAt: '2026-11-01T09:00:00.000Z',
        version: 0,
      },
    ]);
    const stored = (await deps.store.get('acme-m365', 'document', 'charter'))!;
    expect(stored.storageVersion).toBeUndefined();
    expect(await served(deps, seeded)).toEqual({ staff: sha256, approver: sha256 });
  });
});
