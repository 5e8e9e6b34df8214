/**
 * The waiting-on-client clock through the use cases on DynamoDB Local: rounds that end (withdrawn,
 * decided, replaced) keep their wait, the open round counts up to now, and the read model, the
 * portfolio, the forecast end and the status report all show it.
 */

import { describe, expect, it } from 'vitest';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { archiveProject } from '../../functions/core/use-cases/archive-project.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { requestApprovals } from '../../functions/core/use-cases/request-approvals.js';
import { sendStatusReport } from '../../functions/core/use-cases/send-status-report.js';
import { getProjectDetail } from '../../functions/core/use-cases/staff-get-project.js';
import { listProjectSummaries } from '../../functions/core/use-cases/staff-list-projects.js';
import { upsertTask } from '../../functions/core/use-cases/staff-upsert-task.js';
import { submitStage } from '../../functions/core/use-cases/submit-stage.js';
import { pdfText } from '../support/fakes.js';
import { decideLink, type LifecycleFixture, lifecycleFixture, linkIds, START } from './lifecycle-support.js';

const HOUR = 3_600_000;
const APPROVER = 'approver@acme.example';
const PM = 'pm@msp.example';
const STAGES: ProjectSpecInput['stages'] = [
  { key: 'qa', gate: { approvers: ['approver'], rule: 'all' } },
  { key: 'deployment' },
];

async function atQa(): Promise<LifecycleFixture> {
  const f = await lifecycleFixture({ stages: STAGES });
  await enterStage(f.deps, { projectId: f.projectId, stage: 'qa', executionStartedAt: START });
  await openGate(f.deps, {
    projectId: f.projectId,
    stage: 'qa',
    taskToken: 'token-qa-AAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  });
  return f;
}

async function testCase(f: LifecycleFixture, id: string, status: 'todo' | 'done') {
  const existing = await f.deps.store.get(f.projectId, 'task', id);
  await upsertTask(
    f.deps,
    f.projectId,
    id,
    { name: `Test case ${id}`, stage: 'qa', status, version: existing?.version ?? 0 },
    PM,
  );
}

const summaryOf = async (f: LifecycleFixture) =>
  (await listProjectSummaries(f.deps)).find((s) => s.id === f.projectId);

describe('the waiting-on-client clock', () => {
  it('sums every round of a gate, counts the open one up to now, and moves the forecast end', async () => {
    const f = await atQa();
    // Round 1: requested at once, withdrawn 2 hours later (a new test case to do).
    await testCase(f, 'login', 'done');
    f.clock.advanceDays(2 / 24);
    await testCase(f, 'restore', 'todo');
    await testCase(f, 'restore', 'done');
    const before = await getProjectDetail(f.deps, f.projectId);
    expect(before.customerWait).toEqual({ totalMs: 2 * HOUR });
    expect(before.gates[0]?.customerWait).toEqual({ waiting: false, totalMs: 2 * HOUR });

    // Round 2: the PM submits; a day later it still waits.
    await submitStage(f.deps, f.projectId, 'qa', PM);
    const requestedAt = (await f.gate('qa')).requestedAt;
    f.clock.advanceDays(1);
    const waiting = await getProjectDetail(f.deps, f.projectId);
    expect(waiting.gates[0]?.customerWait).toEqual({ waiting: true, since: requestedAt, totalMs: 26 * HOUR });
    expect(waiting.customerWait).toEqual({ waitingSince: requestedAt, totalMs: 26 * HOUR });
    // 26 hours round to one day: the timeline end (2027-02-26) moves by one.
    expect(waiting.health).toMatchObject({ customerWaitMs: 26 * HOUR, forecastEnd: '2027-02-27' });
    expect(await summaryOf(f)).toMatchObject({
      waitingOnCustomerSince: requestedAt,
      customerWaitMs: 26 * HOUR,
    });

    // Decided two days after round 2's request: the clock stops there.
    f.clock.advanceDays(1);
    const link = linkIds(f.mailer.tagged('approval-request')).at(-1) ?? '';
    expect(await decideLink(f.deps, link, 'approve')).toBe('recorded');
    f.clock.advanceDays(5);
    const decided = await getProjectDetail(f.deps, f.projectId);
    expect(decided.gates[0]?.customerWait).toEqual({ waiting: false, totalMs: 50 * HOUR });
    expect(decided.customerWait).toEqual({ totalMs: 50 * HOUR });
    expect(decided.health.forecastEnd).toBe('2027-02-28');
    const summary = await summaryOf(f);
    expect(summary?.customerWaitMs).toBe(50 * HOUR);
    expect(summary).not.toHaveProperty('waitingOnCustomerSince');
  });

  it('keeps the wait of a round that a new round replaces (approvers changed in the spec)', async () => {
    const f = await atQa();
    await testCase(f, 'login', 'done');
    f.clock.advanceDays(3 / 24);
    const project = await f.deps.store.getProject(f.projectId);
    await requestApprovals(f.deps, project!, await f.gate('qa'), 'system');
    const gate = await f.gate('qa');
    expect(gate).toMatchObject({ round: 2, status: 'pending_approval', customerWaitMs: 3 * HOUR });
    f.clock.advanceDays(1 / 24);
    expect((await getProjectDetail(f.deps, f.projectId)).customerWait.totalMs).toBe(4 * HOUR);
  });

  it('stops counting when the project is archived (its links are neutral)', async () => {
    const f = await atQa();
    await testCase(f, 'login', 'done');
    f.clock.advanceDays(1);
    await archiveProject(f.deps, f.projectId, 'spec removed');
    f.clock.advanceDays(10);
    const detail = await getProjectDetail(f.deps, f.projectId);
    expect(detail.customerWait).toEqual({ totalMs: 24 * HOUR });
    expect(detail.gates[0]?.customerWait).toEqual({ waiting: false, totalMs: 24 * HOUR });
    expect(detail.health.forecastEnd).toBe('2027-02-27');
    const summary = await summaryOf(f);
    expect(summary).toMatchObject({ status: 'archived', customerWaitMs: 24 * HOUR });
    expect(summary).not.toHaveProperty('waitingOnCustomerSince');
  });

  it('tells the approver in the status report since when their decision waits, and everyone the total', async () => {
    const f = await atQa();
    await testCase(f, 'login', 'done');
    // START is Tue 1 Dec 2026, 09:00 in London; the report goes out on Friday 4 Dec.
    f.clock.set('2026-12-04T16:00:00.000Z');
    const result = await sendStatusReport(f.deps, f.projectId);
    expect(result).toMatchObject({ status: 'sent', failed: 0 });
    const reports = f.mailer.tagged('status-report');
    const mine = reports.filter((m) => m.to[0] === APPROVER);
    const others = reports.filter((m) => m.to[0] !== APPROVER);
    expect(mine).toHaveLength(1);
    expect(others.length).toBeGreaterThan(2);
    const waitLine =
      'Waiting for your decision since 1 Dec 2026, 09:00 (Europe/London): approval of Quality Assurance & Testing (3 days 7 hours so far).';
    expect(mine[0]?.text).toContain(waitLine);
    expect(mine[0]?.text.indexOf(waitLine)).toBeLessThan(mine[0]?.text.indexOf('Health') ?? 0);
    for (const m of others) expect(m.text).not.toContain('Waiting for your decision');
    for (const m of reports) {
      expect(m.text).toMatch(/Waiting on your decisions:?\s+3 days 7 hours in total/);
      expect(m.text).toMatch(
        /Forecast end:?\s+Mon, 1 Mar 2027 \(planned Fri, 26 Feb 2027, moved by the time waiting on decisions\)/,
      );
      expect(m.text).toContain('waiting for Jenny Price (all of 1) since 1 Dec 2026, 09:00 (Europe/London)');
    }
    // The stored report is the copy everyone else got (no one's personal line).
    const stored = pdfText(
      f.documents.docs.get(`projects/${f.projectId}/status-2026-12-04/v1.pdf`)?.body ?? new Uint8Array(),
    );
    expect(stored).toContain('Waiting on your decisions');
    expect(stored).not.toContain('Waiting for your decision since');
  });
});
