import { describe, expect, it } from 'vitest';
import { hashLinkId } from '../../functions/core/approval-links.js';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { progressGate } from '../../functions/core/use-cases/progress-gate.js';
import { remindGate } from '../../functions/core/use-cases/remind-gate.js';
import { reworkStage } from '../../functions/core/use-cases/rework-stage.js';
import { submitStage } from '../../functions/core/use-cases/submit-stage.js';
import { loadApproval } from '../../functions/core/use-cases/view-approval.js';
import {
  countEvents,
  decideLink,
  type LifecycleFixture,
  lifecycleFixture,
  linkIds,
  START,
} from './lifecycle-support.js';

const TOKEN = 'token-first-AAAAAAAAAAAAAAAAAAAAAAAA';
const TOKEN2 = 'token-second-BBBBBBBBBBBBBBBBBBBBBBB';
const SPONSOR = 'sponsor@acme.example';
const APPROVER = 'approver@acme.example';

const TWO_APPROVERS: ProjectSpecInput['stages'] = [
  {
    key: 'initiation',
    gate: {
      approvers: ['sponsor', 'approver'],
      rule: 'all',
      remindAfterDays: 3,
      timeoutDays: 7,
      escalateTo: 'director@msp.example',
    },
  },
  { key: 'resourcing' },
  { key: 'risk' },
  { key: 'execution' },
  { key: 'qa' },
  { key: 'deployment' },
  { key: 'support' },
];

/** A project at initiation with approval requests out to sponsor and approver (round 1). */
async function requested(overrides: Partial<ProjectSpecInput> = {}): Promise<LifecycleFixture> {
  const f = await lifecycleFixture({ stages: TWO_APPROVERS, ...overrides });
  await enterStage(f.deps, { projectId: f.projectId, stage: 'initiation', executionStartedAt: START });
  f.mailer.sent = [];
  await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN });
  return f;
}

describe('approval gates', () => {
  it('sends one email per approver with distinct links', async () => {
    const f = await requested();

    const requests = f.mailer.tagged('approval-request');
    expect(requests.map((m) => m.to[0]).sort()).toEqual([APPROVER, SPONSOR]);
    const ids = linkIds(requests);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    for (const message of requests) {
      const [id] = linkIds([message]);
      const link = await f.deps.store.getLink(hashLinkId(id ?? ''));
      expect(link).toMatchObject({ round: 1, status: 'pending', approverEmail: message.to[0] });
      // The link shows in the two forms of each button (Outlook's VML and everyone else's): the
      // decision and the charter's download (the same credential); the text part has it twice.
      expect(message.html.split(id ?? '-').length - 1).toBe(4);
      expect(message.text.split(id ?? '-').length - 1).toBe(2);
      expect(message.text).toContain(`/approve/${id}?document=charter`);
      for (const part of [message.subject, message.text, message.html]) expect(part).not.toContain(TOKEN);
    }
    const gate = await f.gate('initiation');
    expect(gate).toMatchObject({ status: 'pending_approval', round: 1, taskToken: TOKEN });
    expect((await f.stage('initiation')).status).toBe('awaiting_approval');
    expect(countEvents(await f.events(), 'approval_requested')).toBe(1);
    for (const id of ids) expect((await loadApproval(f.deps, id)).kind).toBe('open');
  });

  it('keeps the links and sends no new emails when the gate reopens after a timeout', async () => {
    const f = await requested();
    const ids = linkIds(f.mailer.tagged('approval-request'));
    const before = f.mailer.sent.length;
    f.workflow.gone.add(TOKEN);

    const result = await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN2 });

    expect(result.outcome).toBe('reopened');
    expect(f.mailer.sent).toHaveLength(before);
    const gate = await f.gate('initiation');
    expect(gate).toMatchObject({ status: 'pending_approval', round: 1, taskToken: TOKEN2 });
    for (const id of ids) expect((await loadApproval(f.deps, id)).kind).toBe('open');
    const events = await f.events();
    expect(countEvents(events, 'approval_requested')).toBe(1);
    expect(countEvents(events, 'gate_reopened')).toBe(1);
    expect(JSON.stringify(events)).not.toContain(TOKEN2);
  });

  it('sends the gate passed to the new token when the approval came while no task waited', async () => {
    const f = await requested();
    const ids = linkIds(f.mailer.tagged('approval-request'));
    f.workflow.gone.add(TOKEN);
    for (const id of ids) expect(await decideLink(f.deps, id, 'approve')).toBe('recorded');
    expect(f.workflow.successes).toHaveLength(0);

    const result = await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN2 });

    expect(result.outcome).toBe('passed');
    expect(f.workflow.successes).toEqual([
      { taskToken: TOKEN2, output: { stage: 'initiation', round: 1, decision: 'approved' } },
    ]);
  });

  it('fails the new task with GateRejected when the rejection came while no task waited', async () => {
    const f = await requested();
    const [first] = linkIds(f.mailer.tagged('approval-request'));
    f.workflow.gone.add(TOKEN);
    expect(await decideLink(f.deps, first ?? '', 'reject', 'Budget <b>too high</b>')).toBe('recorded');

    await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN2 });

    expect(f.workflow.failures).toHaveLength(1);
    expect(f.workflow.failures[0]).toMatchObject({ taskToken: TOKEN2, error: 'GateRejected' });
    expect(f.workflow.failures[0]?.cause).toContain('Budget <b>too high</b>');
  });

  it('reminds undecided approvers with fresh links of the same round, earlier links still valid', async () => {
    const f = await requested();
    const first = linkIds(f.mailer.tagged('approval-request'));
    const sponsorLink = linkIds(f.mailer.to(SPONSOR))[0] ?? '';
    expect(await decideLink(f.deps, sponsorLink, 'approve')).toBe('recorded');
    f.mailer.sent = [];
    f.clock.advanceDays(3);

    const result = await remindGate(f.deps, {
      projectId: f.projectId,
      stage: 'initiation',
      executionStartedAt: START,
    });

    expect(result).toEqual({ continueAsNew: false });
    const reminders = f.mailer.tagged('approval-reminder');
    expect(reminders.map((m) => m.to[0])).toEqual([APPROVER]);
    const [fresh] = linkIds(reminders);
    expect(first).not.toContain(fresh);
    expect(await f.deps.store.getLink(hashLinkId(fresh ?? ''))).toMatchObject({ round: 1 });
    const approverFirst = first.find((id) => id !== sponsorLink) ?? '';
    expect((await loadApproval(f.deps, approverFirst)).kind).toBe('open');
    expect((await loadApproval(f.deps, fresh ?? '')).kind).toBe('open');
    expect(f.mailer.tagged('gate-escalation')).toHaveLength(0);
    expect(await f.gate('initiation')).toMatchObject({ reminders: 1, round: 1, status: 'pending_approval' });
    expect(countEvents(await f.events(), 'gate_reminded')).toBe(1);

    // The earlier link still decides, and the reminder's link then shows "already decided".
    expect(await decideLink(f.deps, approverFirst, 'approve')).toBe('recorded');
    expect(await decideLink(f.deps, fresh ?? '', 'approve')).toBe('decided');
    expect(f.workflow.successes).toHaveLength(1);
  });

  it('escalates once after timeoutDays without a decision', async () => {
    const f = await requested();
    const input = { projectId: f.projectId, stage: 'initiation', executionStartedAt: START };
    f.clock.advanceDays(3);
    await remindGate(f.deps, input);
    expect(f.mailer.tagged('gate-escalation')).toHaveLength(0);
    // Each timeout is followed by the gate task opening again with a new token.
    await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN2 });
    f.clock.advanceDays(4);
    await remindGate(f.deps, input);
    await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: `${TOKEN2}-3` });
    f.clock.advanceDays(3);
    await remindGate(f.deps, input);

    const escalations = f.mailer.tagged('gate-escalation');
    expect(escalations.map((m) => m.to[0])).toEqual(['director@msp.example']);
    expect(escalations[0]?.text).toContain('Amara Okafor');
    expect(linkIds(escalations)).toHaveLength(0);
    const events = await f.events();
    expect(countEvents(events, 'gate_escalated')).toBe(1);
    expect(countEvents(events, 'gate_reminded')).toBe(3);
    expect((await f.gate('initiation')).escalatedAt).toBe('2026-12-08T09:00:00.000Z');
  });

  it('sends a reminder once when the step is retried after its commit, and again after the next timeout', async () => {
    const f = await requested();
    const input = { projectId: f.projectId, stage: 'initiation', executionStartedAt: START };
    f.mailer.sent = [];
    f.clock.advanceDays(7);

    // The step commits and sends, then its answer is lost (Lambda timeout): Step Functions retries it,
    // also while the first attempt still runs.
    await remindGate(f.deps, input);
    f.clock.advanceDays(0.01);
    await Promise.all([remindGate(f.deps, input), remindGate(f.deps, input)]);

    expect(
      f.mailer
        .tagged('approval-reminder')
        .map((m) => m.to[0])
        .sort(),
    ).toEqual([APPROVER, SPONSOR]);
    expect(f.mailer.tagged('gate-escalation')).toHaveLength(1);
    expect(await f.gate('initiation')).toMatchObject({
      reminders: 1,
      escalatedAt: '2026-12-08T09:00:00.000Z',
    });
    let events = await f.events();
    expect(countEvents(events, 'gate_reminded')).toBe(1);
    expect(countEvents(events, 'gate_escalated')).toBe(1);
    const reminded = await f.gate('initiation');
    expect(reminded.remindedFor).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(reminded)).not.toContain(`"remindedFor":"${TOKEN}"`);

    // The gate task opens again and times out again: that timeout gets its own reminder.
    await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN2 });
    f.clock.advanceDays(3);
    await remindGate(f.deps, input);
    await remindGate(f.deps, input);

    expect(f.mailer.tagged('approval-reminder')).toHaveLength(4);
    expect(f.mailer.tagged('gate-escalation')).toHaveLength(1);
    events = await f.events();
    expect(countEvents(events, 'gate_reminded')).toBe(2);
    expect(await f.gate('initiation')).toMatchObject({ reminders: 2 });
  });

  it('reminds the PM remindAfterDays apart while the gate waits for its criteria, retries included', async () => {
    const f = await lifecycleFixture();
    await enterStage(f.deps, { projectId: f.projectId, stage: 'execution', executionStartedAt: START });
    await openGate(f.deps, { projectId: f.projectId, stage: 'execution', taskToken: TOKEN });
    f.mailer.sent = [];
    const input = { projectId: f.projectId, stage: 'execution', executionStartedAt: START };

    // The gate task times out every 6 hours; the default remindAfterDays is 3.
    f.clock.advanceDays(0.25);
    await remindGate(f.deps, input);
    expect(f.mailer.tagged('gate-waiting')).toHaveLength(0);
    await openGate(f.deps, { projectId: f.projectId, stage: 'execution', taskToken: TOKEN2 });
    f.clock.advanceDays(2.75);
    await remindGate(f.deps, input);
    await remindGate(f.deps, input);

    expect(f.mailer.tagged('gate-waiting').map((m) => m.to[0])).toEqual(['pm@msp.example']);
    expect(await f.gate('execution')).toMatchObject({ reminders: 1 });
    expect(countEvents(await f.events(), 'gate_reminded')).toBe(1);
  });

  /**
   * Runs the gate task's timeout loop as the state machine does: every 6 hours the task times out,
   * the remind step runs and the gate task opens again with a new token, until `days` have passed.
   */
  async function timeoutLoop(f: LifecycleFixture, days: number): Promise<void> {
    const input = { projectId: f.projectId, stage: 'initiation', executionStartedAt: START };
    for (let i = 1; i <= days * 4; i++) {
      f.clock.advanceDays(0.25);
      await remindGate(f.deps, input);
      await openGate(f.deps, {
        projectId: f.projectId,
        stage: 'initiation',
        taskToken: `token-loop-${i}-CCCCCCCCCCCCCCCCCCCC`,
      });
    }
  }

  it('caps reminders at 3 per round, escalates exactly timeoutDays after the request, and logs no routine reopen', async () => {
    const f = await requested({
      stages: [
        {
          key: 'initiation',
          gate: {
            approvers: ['sponsor', 'approver'],
            rule: 'all',
            remindAfterDays: 2,
            timeoutDays: 7,
            escalateTo: 'director@msp.example',
          },
        },
        ...TWO_APPROVERS.slice(1),
      ],
    });
    const requestedAt = (await f.gate('initiation')).requestedAt ?? '';
    await timeoutLoop(f, 20);

    const events = await f.events();
    const reminded = events.filter((e) => e.type === 'gate_reminded');
    // Days 2, 4 and 6 after the request; without the cap days 8 ... 20 would follow.
    expect(reminded.map((e) => e.at)).toEqual([
      '2026-12-03T09:00:00.000Z',
      '2026-12-05T09:00:00.000Z',
      '2026-12-07T09:00:00.000Z',
    ]);
    expect(f.mailer.tagged('approval-reminder')).toHaveLength(6);
    const escalated = events.filter((e) => e.type === 'gate_escalated');
    expect(escalated).toHaveLength(1);
    const lateMs = Date.parse(escalated[0]?.at ?? '') - (Date.parse(requestedAt) + 7 * 86_400_000);
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThanOrEqual(6 * 3_600_000);
    // The emails state the true waiting time: 7 days, not the day of a reminder.
    const [escalation] = f.mailer.tagged('gate-escalation');
    expect(escalation?.to).toEqual(['director@msp.example']);
    expect(escalation?.text).toMatch(
      /waited for a decision since 1 Dec 2026, 09:00 \(Europe\/London\): 7 days\./,
    );
    expect(escalated[0]?.summary).toContain('after 7 days without a decision (timeoutDays 7)');
    // 80 timeouts, each followed by a reopen with nothing changed: none of them is an event.
    expect(countEvents(events, 'gate_reopened')).toBe(0);
    expect(await f.gate('initiation')).toMatchObject({ status: 'pending_approval', reminders: 3, round: 1 });
  });

  it('takes the reminder cap from the spec (maxReminders), and each reminder says since when the request waits', async () => {
    const f = await requested({
      stages: [
        {
          key: 'initiation',
          gate: {
            approvers: ['sponsor', 'approver'],
            rule: 'all',
            remindAfterDays: 1,
            maxReminders: 1,
            timeoutDays: 5,
            escalateTo: 'director@msp.example',
          },
        },
        ...TWO_APPROVERS.slice(1),
      ],
    });
    await timeoutLoop(f, 10);
    const events = await f.events();
    expect(events.filter((e) => e.type === 'gate_reminded').map((e) => e.at)).toEqual([
      '2026-12-02T09:00:00.000Z',
    ]);
    expect(events.filter((e) => e.type === 'gate_escalated').map((e) => e.at)).toEqual([
      '2026-12-06T09:00:00.000Z',
    ]);
    const reminders = f.mailer.tagged('approval-reminder');
    expect(reminders).toHaveLength(2);
    for (const m of reminders)
      expect(m.text).toContain(
        'the request has waited for your decision since 1 Dec 2026, 09:00 (Europe/London)',
      );
    expect(f.mailer.tagged('gate-escalation')[0]?.text).toContain(': 5 days.');
  });

  it('still logs the reopen of a gate task that did not time out (a restart or a retry)', async () => {
    const f = await requested();
    await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN2 });
    expect(countEvents(await f.events(), 'gate_reopened')).toBe(1);
    // After a timeout with nothing due the next reopen is quiet; a restart after it is logged again.
    f.clock.advanceDays(0.25);
    await remindGate(f.deps, { projectId: f.projectId, stage: 'initiation', executionStartedAt: START });
    await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: `${TOKEN2}-3` });
    expect(countEvents(await f.events(), 'gate_reopened')).toBe(1);
    await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: `${TOKEN2}-4` });
    expect(countEvents(await f.events(), 'gate_reopened')).toBe(2);
  });

  it('stores the latest token of a retried gate task and delivers a later decision to it once', async () => {
    const f = await requested();
    const ids = linkIds(f.mailer.tagged('approval-request'));
    const sent = f.mailer.sent.length;

    // The gate task is retried with a new token; the retried invocation is also delivered twice.
    await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN2 });
    const repeats = await Promise.all([
      openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN2 }),
      openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN2 }),
    ]);
    expect(repeats.map((r) => r.outcome)).toEqual(['repeat', 'repeat']);
    expect(await f.gate('initiation')).toMatchObject({ taskToken: TOKEN2, round: 1 });
    expect(f.mailer.sent).toHaveLength(sent);
    expect(countEvents(await f.events(), 'gate_reopened')).toBe(1);

    for (const id of ids) expect(await decideLink(f.deps, id, 'approve')).toBe('recorded');
    expect(f.workflow.successes).toEqual([
      { taskToken: TOKEN2, output: { stage: 'initiation', round: 1, decision: 'approved' } },
    ]);
  });

  it('delivers a decision recorded while no task waited exactly once to the live gate task', async () => {
    const f = await requested();
    const ids = linkIds(f.mailer.tagged('approval-request'));
    f.workflow.gone.add(TOKEN);
    for (const id of ids) expect(await decideLink(f.deps, id, 'approve')).toBe('recorded');
    const TOKEN3 = `${TOKEN2}-third`;

    // A first attempt of the gate task died (its token is gone); the retry's invocation arrives twice
    // at once, and once more later.
    f.workflow.gone.add(TOKEN2);
    await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN2 });
    const results = await Promise.all([
      openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN3 }),
      openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN3 }),
    ]);
    const late = await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN3 });

    expect(results.map((r) => r.outcome).sort()).toEqual(['passed', 'repeat']);
    expect(late.outcome).toBe('repeat');
    expect(f.workflow.successes).toEqual([
      { taskToken: TOKEN3, output: { stage: 'initiation', round: 1, decision: 'approved' } },
    ]);
    expect(await f.gate('initiation')).toMatchObject({ status: 'approved', taskToken: TOKEN3 });
  });

  it('delivers a rejection recorded while no task waited once, even when the gate task opens twice', async () => {
    const f = await requested();
    const [first] = linkIds(f.mailer.tagged('approval-request'));
    f.workflow.gone.add(TOKEN);
    expect(await decideLink(f.deps, first ?? '', 'reject', 'Not yet')).toBe('recorded');

    await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN2 });
    await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN2 });

    expect(f.workflow.failures).toHaveLength(1);
    expect(f.workflow.failures[0]).toMatchObject({ taskToken: TOKEN2, error: 'GateRejected' });
  });

  it('escalates to the first team member of the spec when the gate names nobody', async () => {
    const f = await lifecycleFixture();
    await enterStage(f.deps, { projectId: f.projectId, stage: 'initiation', executionStartedAt: START });
    await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN });
    f.clock.advanceDays(7);

    await remindGate(f.deps, { projectId: f.projectId, stage: 'initiation', executionStartedAt: START });

    expect(f.mailer.tagged('gate-escalation').map((m) => m.to[0])).toEqual(['pm@msp.example']);
  });

  it('reminds the PM, not the approvers, while the gate waits for its criteria', async () => {
    const f = await lifecycleFixture();
    await enterStage(f.deps, { projectId: f.projectId, stage: 'execution', executionStartedAt: START });
    await openGate(f.deps, { projectId: f.projectId, stage: 'execution', taskToken: TOKEN });
    f.mailer.sent = [];
    f.clock.advanceDays(3);

    await remindGate(f.deps, { projectId: f.projectId, stage: 'execution', executionStartedAt: START });

    expect(f.mailer.sent.map((m) => [m.tag, m.to[0]])).toEqual([['gate-waiting', 'pm@msp.example']]);
    expect(f.mailer.sent[0]?.text).toContain('Deliverable "Configured tenant" is not done');
    expect(await f.gate('execution')).toMatchObject({ status: 'waiting', reminders: 1 });
  });

  it('starts a new round when the PM resubmits after rework; older links stop working', async () => {
    const f = await requested();
    const round1 = linkIds(f.mailer.tagged('approval-request'));
    const sponsorLink = linkIds(f.mailer.to(SPONSOR))[0] ?? '';
    expect(
      await decideLink(f.deps, sponsorLink, 'reject', 'Scope is missing the <script>phones</script>'),
    ).toBe('recorded');
    const failure = f.workflow.failures[0];
    expect(failure).toMatchObject({ taskToken: TOKEN, error: 'GateRejected' });

    await reworkStage(f.deps, {
      projectId: f.projectId,
      stage: 'initiation',
      error: { Error: 'GateRejected', Cause: failure?.cause ?? '' },
    });
    await reworkStage(f.deps, {
      projectId: f.projectId,
      stage: 'initiation',
      error: { Error: 'GateRejected', Cause: failure?.cause ?? '' },
    });

    expect(await f.stage('initiation')).toMatchObject({ status: 'rework', reworkCount: 1 });
    expect(await f.gate('initiation')).toMatchObject({
      status: 'waiting',
      awaitingResubmission: true,
      round: 1,
    });
    const rework = f.mailer.tagged('stage-rework');
    expect(rework.map((m) => m.to[0]).sort()).toEqual(['eng@msp.example', 'pm@msp.example']);
    expect(rework[0]?.html).toContain('&lt;script&gt;phones&lt;/script&gt;');
    expect(countEvents(await f.events(), 'stage_rework')).toBe(1);

    // The gate task opens again: the criteria hold, but nothing goes out before the PM resubmits.
    const sentBefore = f.mailer.sent.length;
    const reopened = await openGate(f.deps, {
      projectId: f.projectId,
      stage: 'initiation',
      taskToken: TOKEN2,
    });
    expect(reopened.action).toBe('none');
    expect(f.mailer.sent).toHaveLength(sentBefore);

    const submitted = await submitStage(f.deps, f.projectId, 'initiation', 'pm@msp.example');

    expect(submitted).toEqual({ submitted: true, unmet: [] });
    const gate = await f.gate('initiation');
    expect(gate).toMatchObject({ status: 'pending_approval', round: 2, taskToken: TOKEN2 });
    expect(gate.awaitingResubmission).toBeUndefined();
    expect(gate.approvers.every((a) => a.decision === undefined)).toBe(true);
    expect(await f.stage('initiation')).toMatchObject({
      status: 'awaiting_approval',
      submittedBy: 'pm@msp.example',
    });
    const round2 = linkIds(f.mailer.tagged('approval-request').slice(2));
    expect(round2).toHaveLength(2);
    for (const id of round1) expect((await loadApproval(f.deps, id)).kind).toBe('neutral');
    for (const id of round2) expect(await decideLink(f.deps, id, 'approve')).toBe('recorded');
    expect(f.workflow.successes).toEqual([
      { taskToken: TOKEN2, output: { stage: 'initiation', round: 2, decision: 'approved' } },
    ]);
  });

  it('leaves a resubmitted round alone when the rework step is retried late', async () => {
    const f = await requested();
    const sponsorLink = linkIds(f.mailer.to(SPONSOR))[0] ?? '';
    expect(await decideLink(f.deps, sponsorLink, 'reject', 'Missing the phones')).toBe('recorded');
    const rework = {
      projectId: f.projectId,
      stage: 'initiation',
      error: { Error: 'GateRejected', Cause: 'Missing the phones' },
    };
    await reworkStage(f.deps, rework);
    await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN2 });
    expect(await submitStage(f.deps, f.projectId, 'initiation', 'pm@msp.example')).toEqual({
      submitted: true,
      unmet: [],
    });
    const round2 = linkIds(f.mailer.tagged('approval-request').slice(2));
    const sent = f.mailer.sent.length;

    // The rework step's answer was lost; Step Functions retries it after the resubmit.
    await reworkStage(f.deps, rework);

    expect(f.mailer.sent).toHaveLength(sent);
    expect(await f.gate('initiation')).toMatchObject({ status: 'pending_approval', round: 2 });
    expect(await f.stage('initiation')).toMatchObject({ status: 'awaiting_approval', reworkCount: 1 });
    expect(countEvents(await f.events(), 'stage_rework')).toBe(1);
    for (const id of round2) expect((await loadApproval(f.deps, id)).kind).toBe('open');
  });

  it('holds the execution gate for the PM submit, then requests approval once', async () => {
    const f = await lifecycleFixture();
    await enterStage(f.deps, { projectId: f.projectId, stage: 'execution', executionStartedAt: START });
    await openGate(f.deps, { projectId: f.projectId, stage: 'execution', taskToken: TOKEN });
    const task = await f.deps.store.get(f.projectId, 'task', 'tenant');
    await f.deps.store.commit([{ ...task!, status: 'done', actualHours: 6 }]);
    f.mailer.sent = [];

    // Criteria hold, but "PM submits, sponsor approves": no request goes out on its own.
    const progressed = await progressGate(f.deps, f.projectId, 'execution', 'scheduler');
    expect(progressed).toMatchObject({ action: 'none', criteria: { met: true } });
    expect(f.mailer.tagged('approval-request')).toEqual([]);

    const submitted = await submitStage(f.deps, f.projectId, 'execution', 'pm@msp.example');
    expect(submitted).toEqual({ submitted: true, unmet: [] });
    expect(f.mailer.tagged('approval-request').map((m) => m.to[0])).toEqual([SPONSOR]);
    expect(await f.gate('execution')).toMatchObject({ round: 1, status: 'pending_approval' });
  });

  it('sends approval requests once when criteria come to hold under concurrent progress calls', async () => {
    const f = await lifecycleFixture({
      stages: [{ key: 'initiation' }, { key: 'execution', gate: { submit: false } }, { key: 'deployment' }],
    });
    await enterStage(f.deps, { projectId: f.projectId, stage: 'execution', executionStartedAt: START });
    const opened = await openGate(f.deps, { projectId: f.projectId, stage: 'execution', taskToken: TOKEN });
    expect(opened.action).toBe('none');
    expect(opened.criteria?.unmet).toEqual(['Deliverable "Configured tenant" is not done (to do).']);
    const task = await f.deps.store.get(f.projectId, 'task', 'tenant');
    await f.deps.store.commit([{ ...task!, status: 'done', actualHours: 6 }]);
    f.mailer.sent = [];

    const results = await Promise.all(
      [1, 2, 3].map(() => progressGate(f.deps, f.projectId, 'execution', 'pm@msp.example')),
    );

    expect(results.map((r) => r.action).sort()).toEqual(['none', 'none', 'requested']);
    expect(f.mailer.tagged('approval-request').map((m) => m.to[0])).toEqual([SPONSOR]);
    expect(await f.gate('execution')).toMatchObject({ round: 1, status: 'pending_approval' });
    expect(countEvents(await f.events(), 'approval_requested')).toBe(1);
  });

  it('records a failed send as email_failed and keeps the gate pending', async () => {
    const f = await lifecycleFixture({ stages: TWO_APPROVERS });
    await enterStage(f.deps, { projectId: f.projectId, stage: 'initiation', executionStartedAt: START });
    f.mailer.failWhen = (m) => m.to.includes(SPONSOR);

    const result = await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN });

    expect(result.action).toBe('requested');
    expect(await f.gate('initiation')).toMatchObject({ status: 'pending_approval', round: 1 });
    expect(f.mailer.tagged('approval-request').map((m) => m.to[0])).toEqual([APPROVER]);
    const failed = (await f.events()).filter((e) => e.type === 'email_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.data).toMatchObject({ to: [SPONSOR], tag: 'approval-request' });
    expect(String(failed[0]?.data?.['subject'])).toContain('Approval needed');
    // The failure record names recipient and subject only: no link in it.
    expect(JSON.stringify(failed)).not.toContain('/approve/');
    expect(f.log.lines.join('\n')).not.toContain('/approve/');
  });

  it('records the plan document version the risk gate approves', async () => {
    const f = await lifecycleFixture();
    await enterStage(f.deps, { projectId: f.projectId, stage: 'risk', executionStartedAt: START });
    const result = await openGate(f.deps, { projectId: f.projectId, stage: 'risk', taskToken: TOKEN });

    expect(result.action).toBe('requested');
    const project = await f.deps.store.getProject(f.projectId);
    expect(project?.planVersion).toBe(1);
    expect(await f.gate('risk')).toMatchObject({ documentVersion: 1, round: 1 });
    const [request] = f.mailer.tagged('approval-request');
    expect(request?.text).toContain('project plan document v1');
  });
});
