/**
 * What Lambda's retries of a failed scheduled run do (infra/platform-stack.ts gives the schedule
 * function two retries; the README's "A scheduled run or an SES event failed" relies on this):
 * the schedule handler runs the same event again, and a status report is emailed at most once a
 * day however many attempts, retries, duplicates or manual re-runs there are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailNotifier } from '../../functions/adapters/email-notifier.js';
import type { Deps, DocumentStore } from '../../functions/core/ports.js';
import { handleSchedule } from '../../functions/handlers/schedule.js';
import {
  makeProject,
  makeProjectSpec,
  makeStages,
  makeTestStore,
  type TestStore,
} from '../support/dynamo.js';
import {
  CapturingLogger,
  MemoryDocuments,
  RecordingMailer,
  RecordingWorkflow,
  SettableClock,
  testRenderer,
} from '../support/fakes.js';

let db: TestStore;
beforeAll(async () => {
  db = await makeTestStore();
});
afterAll(async () => {
  await db?.drop();
});

/** Five recipients: three stakeholders and two team members (test/support/dynamo.ts). */
const RECIPIENTS = [
  'approver@acme.example',
  'eng@msp.example',
  'informed@acme.example',
  'pm@msp.example',
  'sponsor@acme.example',
];

let counter = 0;
/** A fresh active project whose weekly report is due on Friday 2026-12-04 16:00 in London. */
async function seed(documents: DocumentStore) {
  counter++;
  const id = `retry-${counter}-${Date.now().toString(36)}`;
  const project = makeProject({}, makeProjectSpec({ id }));
  const stages = makeStages(project).map((s, i) => (i === 0 ? { ...s, status: 'active' as const } : s));
  await db.store.commit([project, ...stages]);
  const mailer = new RecordingMailer();
  const deps: Deps = {
    store: db.store,
    workflow: new RecordingWorkflow(),
    notifier: new EmailNotifier(mailer),
    documents,
    renderer: testRenderer,
    clock: new SettableClock(new Date('2026-12-04T16:00:00Z')),
    log: new CapturingLogger(),
    config: {
      publicBaseUrl: 'http://127.0.0.1:9',
      senderEmail: 'projects@msp.example',
      mspName: 'Example MSP',
      linkTtlDays: 21,
    },
  };
  return { id, deps, mailer };
}

/** The document store of a run whose first `failures` writes fail (S3 unavailable). */
class FailingFirstWrites extends MemoryDocuments {
  constructor(private failures: number) {
    super();
  }
  override async put(key: string, body: Uint8Array, contentType: string) {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('the documents bucket did not answer');
    }
    return super.put(key, body, contentType);
  }
}

const recipientsOf = (mailer: RecordingMailer) => mailer.sent.flatMap((m) => m.to).sort();

describe('a status report that Lambda retries', () => {
  it('sends nothing on a failed attempt, everything once on the retry, and nothing more on a later one', async () => {
    const { id, deps, mailer } = await seed(new FailingFirstWrites(1));
    const event = { kind: 'status-report', projectId: id };

    await expect(handleSchedule(deps, event)).rejects.toThrow('the documents bucket did not answer');
    expect(mailer.sent).toEqual([]);
    expect(await db.store.get(id, 'document', 'status-2026-12-04')).toBeUndefined();

    expect(await handleSchedule(deps, event)).toMatchObject({ status: 'sent', recipients: 5 });
    expect(await handleSchedule(deps, event)).toEqual({ status: 'skipped', reason: 'already_sent' });
    expect(recipientsOf(mailer)).toEqual(RECIPIENTS);
  });

  it('sends once when two invocations of the same event run at the same time', async () => {
    // The scheduler delivers at least once, and an operator's re-run may meet a retry.
    const { id, deps, mailer } = await seed(new MemoryDocuments());
    const event = { kind: 'status-report', projectId: id };
    const results = await Promise.all([handleSchedule(deps, event), handleSchedule(deps, event)]);
    expect(results.map((r) => r.status).sort()).toEqual(['sent', 'skipped']);
    expect(results.find((r) => r.status === 'skipped')).toEqual({
      status: 'skipped',
      reason: 'already_sent',
    });
    expect(recipientsOf(mailer)).toEqual(RECIPIENTS);
  });
});
