/**
 * The status report through the real email path: DynamoDB Local for the records and links, the
 * email notifier over the SES mailer and the local SES server, and `GET /api/outbox` reading it.
 * Each approver's copy holds only their own pending decisions with their own fresh links, which
 * work; nobody else's copy holds any link; every email has its plain-text part.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailNotifier } from '../../functions/adapters/email-notifier.js';
import { SesMailer } from '../../functions/adapters/ses-mailer.js';
import { hashLinkId } from '../../functions/core/approval-links.js';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { sendStatusReport } from '../../functions/core/use-cases/send-status-report.js';
import { upsertTask } from '../../functions/core/use-cases/staff-upsert-task.js';
import { handleHttp } from '../../functions/http/app.js';
import { type OutboxEmail, type SesLocal, startSesLocal } from '../../local/ses-local.js';
import { decideLink, lifecycleFixture, START } from './lifecycle-support.js';

const SPONSOR = 'sponsor@acme.example';
const APPROVER = 'approver@acme.example';
const INFORMED = 'informed@acme.example';
const PM = 'pm@msp.example';
const STAGES: ProjectSpecInput['stages'] = [
  { key: 'qa', gate: { approvers: ['sponsor', 'approver'], rule: 'all' } },
  { key: 'deployment' },
];

let ses: SesLocal;
beforeAll(async () => {
  ses = await startSesLocal();
});
afterAll(async () => {
  await ses.stop();
});

/** A project at QA whose gate waits for both approvers, mailing through the local SES server. */
async function qaWaitingForTwo() {
  const f = await lifecycleFixture({ stages: STAGES, name: 'Mail <b>move</b> & "co"' });
  const client = new SESv2Client({
    endpoint: ses.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  f.deps.notifier = new EmailNotifier(new SesMailer(client, 'projects@msp.example'));
  await enterStage(f.deps, { projectId: f.projectId, stage: 'qa', executionStartedAt: START });
  await openGate(f.deps, {
    projectId: f.projectId,
    stage: 'qa',
    taskToken: 'token-qa-AAAAAAAAAAAAAAAAAAAAAA',
  });
  await upsertTask(
    f.deps,
    f.projectId,
    'login',
    { name: 'Login test', stage: 'qa', status: 'done', version: 0 },
    PM,
  );
  expect((await f.gate('qa')).status).toBe('pending_approval');
  return f;
}

const links = (s: string) => [...s.matchAll(/\/approve\/([A-Za-z0-9_-]{43})/g)].map((m) => m[1] ?? '');

describe('status report with each approver’s own pending decisions', () => {
  it('gives each approver only their own fresh link, no link to anyone else, and the links decide', async () => {
    const f = await qaWaitingForTwo();
    f.clock.set('2026-12-04T16:00:00.000Z'); // a Friday: the report is due
    const before = (await ses.outbox()).length;
    expect(await sendStatusReport(f.deps, f.projectId)).toMatchObject({ status: 'sent', failed: 0 });

    const reports = (await ses.outbox()).slice(before).filter((e) => e.subject.includes('Status report'));
    const of = (email: string): OutboxEmail => {
      const found = reports.filter((e) => e.to.includes(email));
      expect(found).toHaveLength(1);
      return found[0] as OutboxEmail;
    };
    const sponsor = of(SPONSOR);
    const approver = of(APPROVER);
    // Everyone else: the informed stakeholder and the team get no link at all.
    for (const other of [of(INFORMED), of(PM)]) {
      expect(links(other.html)).toEqual([]);
      expect(links(other.text)).toEqual([]);
      expect(other.text).not.toContain('Waiting for your decision');
    }
    // Each approver's copy: one link, in the HTML (Outlook and other buttons) and in the text part.
    const [sponsorLink] = links(sponsor.text);
    const [approverLink] = links(approver.text);
    expect(links(sponsor.text)).toHaveLength(1);
    expect(links(approver.text)).toHaveLength(1);
    expect(new Set(links(sponsor.html))).toEqual(new Set([sponsorLink]));
    expect(new Set(links(approver.html))).toEqual(new Set([approverLink]));
    expect(sponsorLink).not.toBe(approverLink);
    for (const copy of [sponsor, approver]) {
      expect(copy.text).toContain('Waiting for your decision since');
      expect(copy.text).toContain('Review and decide on Quality Assurance & Testing (approve or reject):');
      expect(copy.html).toContain('<v:roundrect');
      expect(copy.html).not.toContain('<b>move</b>');
    }

    // The links are stored hashed, for the right approver and the gate's current round.
    const gate = await f.gate('qa');
    const stored = await f.deps.store.getLink(hashLinkId(sponsorLink ?? ''));
    expect(stored).toMatchObject({
      approverEmail: SPONSOR,
      stage: 'qa',
      round: gate.round,
      status: 'pending',
    });
    expect((await f.deps.store.getLink(hashLinkId(approverLink ?? '')))?.approverEmail).toBe(APPROVER);
    // The event says who got a personal copy, never the links.
    const sent = (await f.events()).find((e) => e.type === 'status_report_sent');
    expect(sent?.data?.approverCopies).toEqual([SPONSOR, APPROVER]);
    expect(JSON.stringify(await f.events())).not.toContain(sponsorLink);

    // The links work: each approver decides through their own, and the gate passes.
    expect(await decideLink(f.deps, sponsorLink ?? '', 'approve')).toBe('recorded');
    expect((await f.gate('qa')).status).toBe('pending_approval');
    expect(await decideLink(f.deps, approverLink ?? '', 'approve')).toBe('recorded');
    expect((await f.gate('qa')).status).toBe('approved');
    expect(f.workflow.successes).toHaveLength(1);
  });

  it('lists only the decisions still pending for that person: an approver who decided gets no link', async () => {
    const f = await qaWaitingForTwo();
    const requested = (await ses.outbox()).filter(
      (e) => e.to.includes(SPONSOR) && e.subject.includes('Approval needed'),
    );
    const [requestLink] = links(requested.at(-1)?.text ?? '');
    expect(await decideLink(f.deps, requestLink ?? '', 'approve')).toBe('recorded');
    f.clock.set('2026-12-04T16:00:00.000Z');
    const before = (await ses.outbox()).length;
    await sendStatusReport(f.deps, f.projectId);
    const reports = (await ses.outbox()).slice(before);
    const sponsor = reports.find((e) => e.to.includes(SPONSOR));
    const approver = reports.find((e) => e.to.includes(APPROVER));
    expect(links(sponsor?.text ?? '')).toEqual([]);
    expect(links(sponsor?.html ?? '')).toEqual([]);
    expect(links(approver?.text ?? '')).toHaveLength(1);
  });

  it('keeps the plain-text part of every email, and GET /api/outbox shows it', async () => {
    await qaWaitingForTwo();
    const res = await handleHttp(
      (await lifecycleFixture()).deps,
      { method: 'GET', path: '/api/outbox', query: {}, headers: {}, body: '', caller: 'local' },
      {
        outbox: { list: async () => (await ses.outbox()).map((e) => ({ ...e, channel: 'email' as const })) },
      },
    );
    expect(res.status).toBe(200);
    const emails = JSON.parse(res.body) as OutboxEmail[];
    const request = emails.filter((e) => e.subject.includes('Approval needed')).at(-1);
    expect(request?.html).toContain('role="presentation"');
    expect(request?.text).toContain('Review and decide (approve or reject):\nhttp://127.0.0.1:3999/approve/');
    expect(request?.text).toContain('Stage: Quality Assurance & Testing');
    // Markup-free (the project name is shown as typed: plain text is not HTML).
    expect(request?.text).not.toMatch(/<(table|td|a|p|div|v:roundrect)\b/);
    expect(request?.text).toContain('Mail <b>move</b> & "co"');
    for (const e of emails) expect(e.text.length).toBeGreaterThan(0);
  });
});
