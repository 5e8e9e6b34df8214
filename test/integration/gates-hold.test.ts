import { describe, expect, it } from 'vitest';
import { StateError } from '../../functions/core/errors.js';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { archiveProject } from '../../functions/core/use-cases/archive-project.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { progressGate } from '../../functions/core/use-cases/progress-gate.js';
import { upsertTask } from '../../functions/core/use-cases/staff-upsert-task.js';
import { submitStage } from '../../functions/core/use-cases/submit-stage.js';
import { loadApproval } from '../../functions/core/use-cases/view-approval.js';
import { handleRegister } from '../../functions/handlers/register.js';
import {
  countEvents,
  decideLink,
  type LifecycleFixture,
  lifecycleFixture,
  linkIds,
  START,
} from './lifecycle-support.js';

const TOKEN = 'token-first-AAAAAAAAAAAAAAAAAAAAAAAA';
const APPROVER = 'approver@acme.example';
const PM = 'pm@msp.example';

const QA_FIRST: ProjectSpecInput['stages'] = [
  { key: 'qa', gate: { approvers: ['approver'], rule: 'all' } },
  { key: 'deployment' },
];

/** A project whose first stage is QA, entered, with its gate task open. */
async function atQa(stages: ProjectSpecInput['stages'] = QA_FIRST): Promise<LifecycleFixture> {
  const f = await lifecycleFixture({ stages });
  await enterStage(f.deps, { projectId: f.projectId, stage: 'qa', executionStartedAt: START });
  await openGate(f.deps, { projectId: f.projectId, stage: 'qa', taskToken: TOKEN });
  return f;
}

async function testCase(f: LifecycleFixture, id: string, status: 'todo' | 'done') {
  const existing = await f.deps.store.get(f.projectId, 'task', id);
  return upsertTask(
    f.deps,
    f.projectId,
    id,
    { name: `Test case ${id}`, stage: 'qa', status, version: existing?.version ?? 0 },
    PM,
  );
}

describe('criteria hold at the moment a gate passes', () => {
  it('does not request approval of a QA stage with no test cases', async () => {
    const f = await atQa();
    const result = await progressGate(f.deps, f.projectId, 'qa', 'system');

    expect(result.action).toBe('none');
    expect(result.criteria.unmet).toEqual([expect.stringMatching(/No test cases are recorded/)]);
    expect((await f.gate('qa')).status).toBe('waiting');
    expect(f.mailer.tagged('approval-request')).toHaveLength(0);
  });

  it('requests approval once a test case passed', async () => {
    const f = await atQa();
    await testCase(f, 'login', 'done');
    expect((await f.gate('qa')).status).toBe('pending_approval');
    expect(f.mailer.tagged('approval-request').map((m) => m.to[0])).toEqual([APPROVER]);
  });

  it('withdraws pending requests when a new test case is still to do, and the old link no longer decides', async () => {
    const f = await atQa();
    await testCase(f, 'login', 'done');
    const [oldLink] = linkIds(f.mailer.tagged('approval-request'));
    f.clock.advanceDays(1 / 12);

    await testCase(f, 'restore', 'todo');

    const gate = await f.gate('qa');
    expect(gate).toMatchObject({ status: 'waiting', awaitingResubmission: true, round: 1 });
    expect(gate.customerWaitMs).toBe(2 * 3600_000);
    expect((await f.stage('qa')).status).toBe('active');
    const events = await f.events();
    expect(countEvents(events, 'approvals_withdrawn')).toBe(1);
    const withdrawn = f.mailer.tagged('approval-withdrawn');
    expect(withdrawn.map((m) => m.to[0])).toEqual([APPROVER]);
    expect(withdrawn[0]?.text).toMatch(/withdrawn.*new request will follow/s);
    expect((await loadApproval(f.deps, oldLink ?? '')).kind).toBe('neutral');
    expect(await decideLink(f.deps, oldLink ?? '', 'approve')).toBe('neutral');
    expect((await f.gate('qa')).status).toBe('waiting');
    expect(f.workflow.successes).toHaveLength(0);

    // Done again: the requests wait for the PM's submit, which starts round 2.
    await testCase(f, 'restore', 'done');
    expect((await f.gate('qa')).status).toBe('waiting');
    expect(await submitStage(f.deps, f.projectId, 'qa', PM)).toEqual({ submitted: true, unmet: [] });
    const round2 = (await f.gate('qa')).round;
    expect(round2).toBe(2);
    const newest = linkIds(f.mailer.tagged('approval-request')).at(-1) ?? '';
    expect(await decideLink(f.deps, newest, 'approve')).toBe('recorded');
    expect((await f.gate('qa')).status).toBe('approved');
    expect(f.workflow.successes).toHaveLength(1);
  });

  it('refuses a decision that would pass the gate when the criteria stopped holding unnoticed', async () => {
    const f = await atQa();
    await testCase(f, 'login', 'done');
    const [link] = linkIds(f.mailer.tagged('approval-request'));
    // What a staff write commits (the record and the open gate, gate-guard.ts), as if its process
    // then crashed before its follow-up (progressGate) could withdraw the round.
    const [task, open] = await Promise.all([f.deps.store.get(f.projectId, 'task', 'login'), f.gate('qa')]);
    await f.deps.store.commit([{ ...task!, status: 'todo' }, open]);

    expect(await decideLink(f.deps, link ?? '', 'approve')).toBe('neutral');
    const gate = await f.gate('qa');
    expect(gate.status).toBe('waiting');
    expect(gate.approvers.every((a) => !a.decision)).toBe(true);
    expect(f.workflow.successes).toHaveLength(0);
    expect(countEvents(await f.events(), 'approvals_withdrawn')).toBe(1);
    expect(countEvents(await f.events(), 'gate_approved')).toBe(0);
  });
});

describe('submitting a stage whose only approver is the submitter', () => {
  it('is refused with a sentence naming who else can approve', async () => {
    const f = await lifecycleFixture({
      stages: [
        { key: 'execution', gate: { approvers: ['sponsor'], rule: 'all', submit: true } },
        { key: 'support' },
      ],
    });
    await enterStage(f.deps, { projectId: f.projectId, stage: 'execution', executionStartedAt: START });
    await openGate(f.deps, { projectId: f.projectId, stage: 'execution', taskToken: TOKEN });
    const sponsor = (await f.deps.store.list(f.projectId, 'stakeholder')).find((s) => s.role === 'sponsor');
    await upsertTask(f.deps, f.projectId, 'build', { name: 'Build', stage: 'execution', status: 'done' }, PM);
    const tenant = await f.deps.store.get(f.projectId, 'task', 'tenant');
    await upsertTask(f.deps, f.projectId, 'tenant', { status: 'done', version: tenant?.version ?? 0 }, PM);

    const attempt = submitStage(f.deps, f.projectId, 'execution', sponsor?.email ?? '');
    await expect(attempt).rejects.toBeInstanceOf(StateError);
    await expect(attempt).rejects.toThrow(/only approver.*approver@acme\.example/s);
    expect((await f.gate('execution')).status).toBe('waiting');
    expect(f.mailer.tagged('approval-request')).toHaveLength(0);

    // Anyone else may submit it.
    expect((await submitStage(f.deps, f.projectId, 'execution', PM)).submitted).toBe(true);
  });
});

describe('archiving a project whose spec was removed', () => {
  it('archives through the stack deletion: status, execution stopped, links neutral, records kept', async () => {
    const f = await atQa();
    await testCase(f, 'login', 'done');
    const [link] = linkIds(f.mailer.tagged('approval-request'));
    const eventsBefore = (await f.events()).length;

    const response = await handleRegister(f.deps, {
      RequestType: 'Delete',
      PhysicalResourceId: f.projectId,
    });

    expect(response.PhysicalResourceId).toBe(f.projectId);
    const project = await f.deps.store.getProject(f.projectId);
    expect(project).toMatchObject({ status: 'archived', archivedAt: expect.any(String) });
    expect(f.workflow.stops).toEqual([{ projectId: f.projectId, cause: expect.stringMatching(/archived/) }]);
    expect(await decideLink(f.deps, link ?? '', 'approve')).toBe('neutral');
    expect(await f.deps.store.get(f.projectId, 'task', 'login')).toBeDefined();
    const events = await f.events();
    expect(events.length).toBe(eventsBefore + 1);
    expect(events.at(-1)?.type).toBe('project_archived');
    const listed = await f.deps.store.listProjects();
    expect(listed.items.find((p) => p.id === f.projectId)?.status).toBe('archived');
    await expect(testCase(f, 'other', 'done')).rejects.toThrow(/archived/);
    // A second delete changes nothing.
    expect(await archiveProject(f.deps, f.projectId, 'again')).toEqual({ archived: false });
  });
});
