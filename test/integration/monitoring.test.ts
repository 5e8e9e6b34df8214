import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoProjectStore } from '../../functions/adapters/dynamo-store.js';
import { EmailNotifier } from '../../functions/adapters/email-notifier.js';
import { bytesSha256 } from '../../functions/core/documents/model.js';
import type { Entity, Gate, Project, ProjectEvent, Stage } from '../../functions/core/model.js';
import type { EmailMessage } from '../../functions/core/notifications/email/render.js';
import type { Deps } from '../../functions/core/ports.js';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { runMonitoringCheck } from '../../functions/core/use-cases/run-monitoring-check.js';
import { sendStatusReport } from '../../functions/core/use-cases/send-status-report.js';
import { handleSchedule } from '../../functions/handlers/schedule.js';
import { handleHttp } from '../../functions/http/app.js';
import {
  makeGate,
  makeProject,
  makeProjectSpec,
  makeRisk,
  makeStages,
  makeTask,
  makeTestStore,
  type TestStore,
} from '../support/dynamo.js';
import {
  CapturingLogger,
  MemoryDocuments,
  pdfText,
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

let counter = 0;
/** A fresh project (unique id) seeded into the table, with its stages, and deps on a fixed clock. */
async function seed(opts: {
  now: string;
  spec?: Partial<ProjectSpecInput>;
  project?: Partial<Project>;
  stages?: (stages: Stage[]) => Stage[];
  records?: (projectId: string) => Entity[];
}) {
  counter++;
  const id = `mon-${counter}-${Date.now().toString(36)}`;
  const spec = makeProjectSpec({
    id,
    name: 'Mail <b>migration</b> & "cut-over"',
    stages: [
      { key: 'initiation', due: '2026-12-10' },
      { key: 'execution', due: '2027-01-20' },
      { key: 'support', due: '2027-02-26' },
    ],
    ...opts.spec,
  });
  const project = makeProject({ ...opts.project }, spec);
  const stages = (opts.stages ?? ((s) => s))(
    makeStages(project).map((s, i) => (i === 0 ? { ...s, status: 'active' as const } : s)),
  );
  await db.store.commit([project, ...stages, ...(opts.records?.(id) ?? [])]);
  const mailer = new RecordingMailer();
  const workflow = new RecordingWorkflow();
  const documents = new MemoryDocuments();
  const clock = new SettableClock(new Date(opts.now));
  const log = new CapturingLogger();
  const logs = log.lines;
  const deps: Deps = {
    store: db.store,
    workflow,
    notifier: new EmailNotifier(mailer),
    documents,
    renderer: testRenderer,
    clock,
    log,
    config: {
      publicBaseUrl: 'http://127.0.0.1:9',
      senderEmail: 'projects@msp.example',
      mspName: 'Example MSP',
      linkTtlDays: 21,
    },
  };
  return { id, deps, mailer, workflow, documents, clock, logs };
}

async function events(projectId: string, type?: string): Promise<ProjectEvent[]> {
  const all: ProjectEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await db.store.listEvents(projectId, { ...(cursor ? { cursor } : {}), limit: 100 });
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return type ? all.filter((e) => e.type === type) : all;
}

describe('runMonitoringCheck', () => {
  it('records each deviation once and clears it when it is gone', async () => {
    const { id, deps, clock } = await seed({
      now: '2026-12-14T09:00:00Z',
      records: (projectId) => [
        makeTask({ projectId, id: 'kickoff', name: 'Kick-off', stage: 'initiation', estimateHours: 10 }),
      ],
    });

    const first = await runMonitoringCheck(deps, id);
    expect(first.status).toBe('checked');
    const detected = await events(id, 'deviation_detected');
    expect(detected.map((e) => e.data?.['key']).sort()).toEqual(['overdue-stage:initiation', 'spi']);
    expect(detected.every((e) => e.actor === 'scheduler')).toBe(true);
    expect((await events(id, 'health_changed'))[0]?.summary).toMatch(/^Health is red/);

    clock.at = new Date('2026-12-15T09:00:00Z');
    const second = await runMonitoringCheck(deps, id);
    expect(second.status === 'checked' && second.detected).toEqual([]);
    expect(await events(id, 'deviation_detected')).toHaveLength(2);

    // The PM finishes the task and the stage: the deviations clear.
    const task = await db.store.get(id, 'task', 'kickoff');
    const stage = await db.store.get(id, 'stage', 'initiation');
    if (!task || !stage) throw new Error('seeded records missing');
    await db.store.commit([
      { ...task, status: 'done', actualHours: 9 },
      { ...stage, status: 'completed', completedAt: clock.at.toISOString() },
    ]);
    await runMonitoringCheck(deps, id);
    expect((await events(id, 'deviation_cleared')).map((e) => e.data?.['key']).sort()).toEqual([
      'overdue-stage:initiation',
      'spi',
    ]);
    const project = await db.store.getProject(id);
    expect(project?.monitoring).toMatchObject({ rag: 'green', openDeviations: [] });
  });

  it('records a corrective action for an open deviation through the staff API, until it clears', async () => {
    const { id, deps, clock } = await seed({ now: '2026-12-14T09:00:00Z' });
    await runMonitoringCheck(deps, id);
    const key = 'overdue-stage:initiation';
    const api = (path: string, body: unknown) =>
      handleHttp(deps, {
        method: 'POST',
        path,
        query: {},
        headers: { 'content-type': 'application/json', 'x-milepost-actor': 'pm@msp.example' },
        body: JSON.stringify(body),
        caller: 'local',
      });

    const unknown = await api(`/api/projects/${id}/deviations/spi/corrective-action`, { action: 'x' });
    expect(unknown.status).toBe(404);
    const empty = await api(`/api/projects/${id}/deviations/${encodeURIComponent(key)}/corrective-action`, {
      action: ' ',
    });
    expect(empty.status).toBe(400);
    expect(JSON.parse(empty.body).issues).toEqual([{ path: 'action', message: 'must not be empty' }]);

    const recorded = await api(
      `/api/projects/${id}/deviations/${encodeURIComponent(key)}/corrective-action`,
      {
        action: 'Second engineer on the charter for two days',
      },
    );
    expect(recorded.status).toBe(200);
    expect(JSON.parse(recorded.body)).toMatchObject({ key, by: 'pm@msp.example' });
    expect((await events(id, 'corrective_action_recorded')).map((e) => e.data?.['key'])).toEqual([key]);

    // The next check keeps the action while the deviation is open...
    clock.at = new Date('2026-12-15T09:00:00Z');
    await runMonitoringCheck(deps, id);
    expect((await db.store.getProject(id))?.monitoring?.correctiveActions?.[key]).toMatchObject({
      action: 'Second engineer on the charter for two days',
    });
    // ...and drops it once the deviation is gone (the event log keeps it).
    const stage = await db.store.get(id, 'stage', 'initiation');
    await db.store.commit([{ ...stage!, status: 'completed', completedAt: clock.at.toISOString() }]);
    await runMonitoringCheck(deps, id);
    expect((await db.store.getProject(id))?.monitoring?.correctiveActions).toBeUndefined();
  });

  it('records a stale approval, an overdue task and a risk due for review', async () => {
    const { id, deps } = await seed({
      now: '2026-12-09T09:00:00Z',
      records: (projectId) => [
        makeGate({
          projectId,
          stage: 'initiation',
          status: 'pending_approval',
          round: 2,
          requestedAt: '2026-12-01T09:00:00Z',
          approvers: [
            { email: 'sponsor@acme.example', name: 'Amara Okafor' },
            { email: 'approver@acme.example', name: 'Jenny Price', decision: 'approve' },
          ],
        }),
        makeTask({
          projectId,
          id: 'inventory',
          name: 'Mailbox inventory',
          stage: 'initiation',
          due: '2026-12-04',
        }),
        makeRisk({ projectId, id: 'outage', title: 'Outage', reviewBy: '2026-12-08' }),
      ],
    });

    await runMonitoringCheck(deps, id);
    const byKey = new Map((await events(id, 'deviation_detected')).map((e) => [e.data?.['key'], e]));
    expect(byKey.get('stale-approval:initiation:2')?.summary).toMatch(
      /waited 8 day\(s\) \(more than 7\); waiting for Amara Okafor$/,
    );
    expect(byKey.get('stale-approval:initiation:2')?.stage).toBe('initiation');
    expect(byKey.get('overdue-task:inventory')?.summary).toBe(
      'Deliverable Mailbox inventory is overdue by 5 day(s) (due 2026-12-04)',
    );
    expect(byKey.get('risk-review:outage:2026-12-08')?.summary).toMatch(/Risk "Outage" is due for review/);
  });

  it('advances an auto support gate once the support period is over', async () => {
    const { id, deps, workflow } = await seed({
      now: '2027-02-20T09:00:00Z',
      project: { currentStage: 'support' },
      stages: (stages) =>
        stages.map((s) =>
          s.key === 'support'
            ? { ...s, status: 'active' as const, supportUntil: '2027-02-19T09:00:00Z' }
            : { ...s, status: 'completed' as const },
        ),
      records: (projectId): Gate[] => [
        makeGate({ projectId, stage: 'support', rule: 'auto', approvers: [], taskToken: 'token-support' }),
      ],
    });

    const result = await runMonitoringCheck(deps, id);
    expect(result.status === 'checked' && result.gate).toBe('advanced');
    expect(workflow.successes).toEqual([
      { taskToken: 'token-support', output: { stage: 'support', round: 0, decision: 'auto' } },
    ]);
    expect((await db.store.get(id, 'gate', 'support'))?.status).toBe('approved');
  });

  it('reads with one request when nothing changed and writes with one more on a change, however many records', async () => {
    // Two projects, one small and one with hundreds of tasks and events: the same request counts.
    const counts: Record<string, { unchanged: string[]; changed: string[] }> = {};
    for (const [label, taskCount, eventCount] of [
      ['small', 1, 0],
      ['large', 250, 300],
    ] as const) {
      const { id, deps, clock } = await seed({
        now: '2026-12-14T09:00:00Z',
        records: (projectId) => [
          makeGate({
            projectId,
            status: 'pending_approval',
            round: 1,
            requestedAt: '2026-12-13T09:00:00Z',
            approvers: [{ email: 'sponsor@acme.example', name: 'Amara Okafor' }],
          }),
          makeRisk({ projectId, id: 'outage', title: 'Outage', reviewBy: '2026-12-08' }),
        ],
      });
      for (let i = 0; i < taskCount; i += 90) {
        const batch = Array.from({ length: Math.min(90, taskCount - i) }, (_, j) =>
          makeTask({
            projectId: id,
            id: `t-${i + j}`,
            name: `Task ${i + j}`,
            stage: 'execution',
            estimateHours: 2,
          }),
        );
        await db.store.commit(batch);
      }
      for (let i = 0; i < eventCount; i += 90) {
        const batch = Array.from({ length: Math.min(90, eventCount - i) }, (_, j) => ({
          projectId: id,
          type: 'note',
          actor: 'system',
          summary: `Earlier event ${i + j}`,
        }));
        await db.store.commit([], batch);
      }
      // A removed task leaves its removal marker, an assignment bumps the assignments counter:
      // both sort below the check's key range, so its requests stay the same. The portfolio's
      // allocations counter is outside every project partition, and only a gate whose criteria
      // read other projects (resourcing) reads it: this gate's check sends no request for it.
      const gone = makeTask({ projectId: id, id: 'gone', name: 'Removed', stage: 'execution' });
      await db.store.commit([gone]);
      await db.store.commit([], [], [{ ref: { entity: 'task', projectId: id, id: 'gone' }, version: 1 }], {
        bumps: [{ projectId: id, counter: 'assignments' }, { counter: 'allocations' }],
      });
      // The check's store sends through a client that counts what it sends.
      const sent: string[] = [];
      const counting = {
        send: (command: { constructor: { name: string } }) => {
          sent.push(command.constructor.name);
          return db.client.send(command as never);
        },
      } as unknown as typeof db.client;
      const checkDeps: Deps = { ...deps, store: new DynamoProjectStore(counting, db.tableName) };

      const first = await runMonitoringCheck(checkDeps, id);
      expect(first.status === 'checked' && first.detected.length).toBeGreaterThan(0);
      const changed = sent.splice(0);
      clock.at = new Date('2026-12-14T10:00:00Z');
      const second = await runMonitoringCheck(checkDeps, id);
      expect(second.status === 'checked' && second.detected).toEqual([]);
      counts[label] = { changed, unchanged: sent.splice(0) };
      // What the check found is really stored: one health_changed event, the deviations once.
      expect(await events(id, 'health_changed')).toHaveLength(1);
    }
    for (const label of ['small', 'large']) {
      expect(counts[label]).toEqual({
        changed: ['QueryCommand', 'TransactWriteCommand'],
        unchanged: ['QueryCommand'],
      });
    }
  });

  it('skips a closed project without writing anything', async () => {
    const { id, deps } = await seed({ now: '2026-12-20T09:00:00Z', project: { status: 'closed' } });
    expect(await runMonitoringCheck(deps, id)).toEqual({ status: 'skipped', reason: 'closed' });
    expect(await events(id)).toEqual([]);
  });
});

describe('sendStatusReport', () => {
  it('emails every stakeholder and team member, stores the report and records it once', async () => {
    const { id, deps, mailer, documents } = await seed({
      now: '2026-12-04T16:00:00Z',
      records: (projectId) => [
        makeTask({
          projectId,
          id: 'kickoff',
          name: 'Kick-off <script>alert(1)</script>',
          stage: 'initiation',
          status: 'done',
          estimateHours: 4,
          actualHours: 4,
        }),
        makeTask({
          projectId,
          id: 'charter',
          name: 'Charter',
          stage: 'initiation',
          estimateHours: 6,
          due: '2026-12-08',
        }),
        makeRisk({ projectId, id: 'outage', title: 'Outage "big" <one>', likelihood: 4, impact: 5 }),
        makeGate({
          projectId,
          stage: 'initiation',
          status: 'pending_approval',
          round: 1,
          requestedAt: '2026-12-03T10:00:00Z',
        }),
      ],
    });

    const result = await sendStatusReport(deps, id);
    expect(result).toMatchObject({
      status: 'sent',
      documentId: 'status-2026-12-04',
      recipients: 5,
      failed: 0,
    });
    expect(mailer.sent.map((m) => m.to[0]).sort()).toEqual([
      'approver@acme.example',
      'eng@msp.example',
      'informed@acme.example',
      'pm@msp.example',
      'sponsor@acme.example',
    ]);
    const mail = mailer.sent[0] as EmailMessage;
    expect(mail.subject).toMatch(/Status report Fri, 4 Dec 2026/);
    expect(mail.html).toContain('Kick-off &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('Outage &quot;big&quot; &lt;one&gt;');
    expect(mail.html).toContain('Mail &lt;b&gt;migration&lt;/b&gt; &amp; &quot;cut-over&quot;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain(
      'Pending approvals\n- Initiation & Planning: waiting for Amara Okafor (all of 1)',
    );
    expect(mail.text).toContain('Charter (Initiation & Planning, todo, due 2026-12-08)');
    expect(mail.text).toContain('Next milestones\n- Tue, 8 Dec 2026: Deliverable Charter');

    const record = await db.store.get(id, 'document', 'status-2026-12-04');
    expect(record).toMatchObject({
      kind: 'status',
      key: `projects/${id}/status-2026-12-04/v1.pdf`,
      docVersion: 1,
    });
    // The stored report is a PDF of the same content (escaped nowhere: a PDF shows text as text).
    const pdf = documents.docs.get(record?.key ?? '');
    expect(pdf?.contentType).toBe('application/pdf');
    const text = pdfText(pdf?.body ?? new Uint8Array());
    expect(text).toContain('Kick-off <script>alert(1)</script>');
    expect(text).toMatch(
      /Pending approvals Stage Rule Waiting since Waiting for Initiation & Planning all of 1 .* Amara Okafor/,
    );
    expect(text).toContain('Page 1 of 2');
    expect(record?.sha256).toBe(bytesSha256(pdf?.body ?? new Uint8Array()));
    // The record names the storage version of its own write, and that version is these bytes.
    expect(record?.storageVersion).toBeTruthy();
    expect(record?.versions?.[0]?.storageVersion).toBe(record?.storageVersion);
    const named = await documents.get(record?.key ?? '', record?.storageVersion);
    expect(bytesSha256(named ?? new Uint8Array())).toBe(record?.sha256);
    const sentEvents = await events(id, 'status_report_sent');
    expect(sentEvents).toHaveLength(1);
    expect(sentEvents[0]?.data?.['document']).toBe('status-2026-12-04');

    // A retry the same day sends nothing more.
    expect(await sendStatusReport(deps, id)).toEqual({ status: 'skipped', reason: 'already_sent' });
    expect(mailer.sent).toHaveLength(5);
  });

  it('sends fortnightly reports every other ISO week from the timeline start', async () => {
    // Timeline starts Tue 2026-12-01 (ISO week 49): reports in weeks 49, 51, 53, not 50 or 52.
    const spec = {
      communication: {
        channels: ['email'],
        statusReport: { every: 'fortnight' as const, day: 'friday' as const, at: '16:00' },
      },
    };
    const { id, deps, mailer, clock } = await seed({ now: '2026-12-04T16:00:00Z', spec });
    expect((await sendStatusReport(deps, id)).status).toBe('sent');
    clock.at = new Date('2026-12-11T16:00:00Z');
    expect(await sendStatusReport(deps, id)).toEqual({ status: 'skipped', reason: 'not_due' });
    clock.at = new Date('2026-12-18T16:00:00Z');
    expect((await sendStatusReport(deps, id)).status).toBe('sent');
    expect(mailer.sent).toHaveLength(10);
  });

  it('sends monthly reports only in the first week of the month', async () => {
    const spec = {
      communication: {
        channels: ['email'],
        statusReport: { every: 'month' as const, day: 'friday' as const, at: '16:00' },
      },
    };
    const { id, deps, clock } = await seed({ now: '2026-12-11T16:00:00Z', spec });
    expect(await sendStatusReport(deps, id)).toEqual({ status: 'skipped', reason: 'not_due' });
    clock.at = new Date('2027-01-01T16:00:00Z');
    expect((await sendStatusReport(deps, id)).status).toBe('sent');
  });

  it('records a failed email and still sends the others', async () => {
    const { id, deps, mailer } = await seed({ now: '2026-12-04T16:00:00Z' });
    mailer.failWhen = (m) => m.to.includes('informed@acme.example');
    const result = await sendStatusReport(deps, id);
    expect(result).toMatchObject({ status: 'sent', recipients: 4, failed: 1 });
    const failed = await events(id, 'email_failed');
    expect(failed.map((e) => e.data?.['to'])).toEqual([['informed@acme.example']]);
  });
});

describe('handleSchedule', () => {
  it('runs the job the event names', async () => {
    const { id, deps, mailer } = await seed({ now: '2026-12-04T16:00:00Z' });
    expect(await handleSchedule(deps, { kind: 'status-report', projectId: id })).toMatchObject({
      status: 'sent',
    });
    expect(mailer.sent.length).toBeGreaterThan(0);
    expect(await handleSchedule(deps, { kind: 'monitor', projectId: id })).toMatchObject({
      status: 'checked',
    });
  });

  it('rejects a malformed event with the field named', async () => {
    const { deps } = await seed({ now: '2026-12-04T16:00:00Z' });
    await expect(handleSchedule(deps, { kind: 'backup', projectId: 'x' })).rejects.toThrow(/kind/);
  });

  it('skips an unknown project', async () => {
    const { deps, logs } = await seed({ now: '2026-12-04T16:00:00Z' });
    expect(await handleSchedule(deps, { kind: 'monitor', projectId: 'no-such-project' })).toEqual({
      status: 'skipped',
      reason: 'unknown_project',
    });
    expect(logs.some((l) => l.includes('unknown project'))).toBe(true);
  });
});
