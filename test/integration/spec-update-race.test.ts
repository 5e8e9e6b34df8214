/**
 * A deployed spec change whose commit loses a race with a concurrent write, on DynamoDB Local:
 * an approver's decision, a staff write, the monitoring check. The race is staged, not timed: a
 * store wrapper runs the concurrent write (with the unwrapped store) after the update's reads and
 * right before the update's commit, which then fails its version check. The update reads again
 * and commits on what the concurrent write stored; the deploy succeeds.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../functions/core/errors.js';
import type { Entity } from '../../functions/core/model.js';
import type { Deps, ProjectStore } from '../../functions/core/ports.js';
import { type ProjectSpec, resolveStages } from '../../functions/core/spec/schema.js';
import { completeStage } from '../../functions/core/use-cases/complete-stage.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { raiseChangeRequest } from '../../functions/core/use-cases/raise-change-request.js';
import {
  registerProject,
  SPEC_UPDATE_ATTEMPTS,
  SpecChangeError,
} from '../../functions/core/use-cases/register-project.js';
import { runMonitoringCheck } from '../../functions/core/use-cases/run-monitoring-check.js';
import { upsertTask } from '../../functions/core/use-cases/staff-upsert-task.js';
import {
  countEvents,
  decideLink,
  type LifecycleFixture,
  lifecycleFixture,
  linkIds,
  qaPendingApproval,
  START,
} from './lifecycle-support.js';

const TOKEN = 'token-specrace-AAAAAAAAAAAAAAAAAAAAAAA';
const PM = 'pm@msp.example';

/** `count` deliverables of `stage` (ids `<prefix>-000`...), enough to split an update into chunks. */
function deliverables(count: number, prefix: string, stage: string): ProjectSpec['deliverables'] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${String(i).padStart(3, '0')}`,
    name: `Deliverable ${i}`,
    stage,
    acceptance: 'Accepted',
  }));
}

async function storedSpec(f: LifecycleFixture): Promise<ProjectSpec> {
  const project = await f.deps.store.getProject(f.projectId);
  if (!project) throw new Error('no project');
  return project.spec;
}

/**
 * The fixture's deps with a store whose commit number `n` (1-based) is preceded by `concurrent`
 * when `when(changes, n)` holds. `concurrent` writes through the fixture's own (unwrapped) deps,
 * so it commits between the update's reads and its commit. `runs` counts how often it ran.
 */
function interfering(
  f: LifecycleFixture,
  when: (changes: Entity[], n: number) => boolean,
  concurrent: () => Promise<unknown>,
): { deps: Deps; commits: Entity[][]; runs: () => number } {
  const real = f.deps.store;
  const commits: Entity[][] = [];
  let runs = 0;
  const store = Object.create(real) as ProjectStore;
  store.commit = async (changes, events, removals, options) => {
    commits.push(changes);
    if (when(changes, commits.length)) {
      runs++;
      await concurrent();
    }
    return real.commit(changes, events, removals, options);
  };
  return { deps: { ...f.deps, store }, commits, runs: () => runs };
}

const deploy = (deps: Deps, spec: ProjectSpec) =>
  registerProject(deps, { file: 'test.yaml', spec, stages: resolveStages(spec) }, { start: false });

const commitsProject = (changes: Entity[]) => changes.some((c) => c.entity === 'project');

describe('a deployed spec change racing a concurrent write', () => {
  it('an approval decided first is kept; the decided gate is not written, no new round', async () => {
    const { f, link } = await qaPendingApproval(TOKEN);
    const spec = await storedSpec(f);
    // New approvers for the open gate (a new round if it were still open) and a new deliverable.
    const changed: ProjectSpec = {
      ...spec,
      stages: spec.stages?.map((s) =>
        s.key === 'qa' ? { ...s, gate: { approvers: ['sponsor'], rule: 'all' } } : s,
      ),
      deliverables: [
        ...spec.deliverables,
        { id: 'runbook', name: 'Runbook', stage: 'deployment', acceptance: 'Reviewed' },
      ],
    };
    let decision: string | undefined;
    const race = interfering(
      f,
      (changes) => decision === undefined && commitsProject(changes),
      async () => {
        decision = await decideLink(f.deps, link, 'approve');
      },
    );
    f.mailer.sent = [];

    const result = await deploy(race.deps, changed);

    expect(decision).toBe('recorded');
    expect(result.updated).toBe(true);
    // The first commit carried the pending gate and lost; the second carries no gate.
    expect(race.commits.map((c) => c.map((e) => e.entity).sort())).toEqual([
      ['gate', 'project', 'task'],
      ['project', 'task'],
    ]);
    const gate = await f.gate('qa');
    expect(gate.status).toBe('approved');
    expect(gate.approvers).toEqual([expect.objectContaining({ decision: 'approve' })]);
    expect(f.workflow.successes).toHaveLength(1);
    expect(f.mailer.tagged('approval-request')).toEqual([]);
    const project = await f.deps.store.getProject(f.projectId);
    expect(project?.spec.stages?.find((s) => s.key === 'qa')?.gate?.approvers).toEqual(['sponsor']);
    expect((await f.deps.store.get(f.projectId, 'task', 'runbook'))?.status).toBe('todo');
    const events = await f.events();
    expect(countEvents(events, 'spec_updated')).toBe(1);
    expect(countEvents(events, 'gate_approved')).toBe(1);
    expect(countEvents(events, 'approval_requested')).toBe(1);
    expect(countEvents(events, 'approvals_withdrawn')).toBe(0);
    expect(events.find((e) => e.type === 'spec_updated')?.data?.added).toEqual({ task: 1 });
    expect(f.log.lines.filter((l) => l.includes('spec update conflicted'))).toHaveLength(1);
  });

  it('a staff task written first is kept as written; the update adds only the rest', async () => {
    const { f } = await qaPendingApproval(TOKEN);
    const spec = await storedSpec(f);
    const changed: ProjectSpec = {
      ...spec,
      name: `${spec.name} (phase 2)`,
      deliverables: [
        ...spec.deliverables,
        { id: 'report', name: 'Test report', stage: 'qa', acceptance: 'Signed by the customer' },
        { id: 'runbook', name: 'Runbook', stage: 'deployment', acceptance: 'Reviewed' },
      ],
    };
    const race = interfering(
      f,
      (changes, n) => n === 1 && commitsProject(changes),
      // The PM records the report (done, with evidence) while the deploy runs.
      () =>
        upsertTask(
          f.deps,
          f.projectId,
          'report',
          { name: 'Test report (PM)', stage: 'qa', status: 'done', evidence: 'Signed 2 Dec' },
          PM,
        ),
    );

    const result = await deploy(race.deps, changed);

    expect(race.runs()).toBe(1);
    expect(result.updated).toBe(true);
    expect(await f.deps.store.get(f.projectId, 'task', 'report')).toMatchObject({
      name: 'Test report (PM)',
      status: 'done',
      evidence: 'Signed 2 Dec',
      version: 1,
    });
    expect(await f.deps.store.get(f.projectId, 'task', 'runbook')).toMatchObject({
      type: 'deliverable',
      status: 'todo',
      version: 1,
    });
    const project = await f.deps.store.getProject(f.projectId);
    expect(project?.name).toBe(`${spec.name} (phase 2)`);
    expect(project?.spec.deliverables.map((d) => d.id)).toEqual(
      expect.arrayContaining(['report', 'runbook']),
    );
    // Both writes serialised with the open gate, which is still waiting on its approver.
    expect((await f.gate('qa')).status).toBe('pending_approval');
    const events = await f.events();
    expect(countEvents(events, 'task_created')).toBe(2);
    expect(countEvents(events, 'spec_updated')).toBe(1);
    const updated = events.find((e) => e.type === 'spec_updated');
    expect(updated?.data?.added).toEqual({ task: 1 });
    expect(updated?.summary).toMatch(/; 1 new record\(s\)$/);
  });

  it('a monitoring check that updated the project first: its health stays with the new spec', async () => {
    const f = await lifecycleFixture();
    const spec = await storedSpec(f);
    const changed: ProjectSpec = { ...spec, name: `${spec.name} (renamed)` };
    const race = interfering(
      f,
      (_changes, n) => n === 1,
      () => runMonitoringCheck(f.deps, f.projectId),
    );

    await deploy(race.deps, changed);

    expect(race.runs()).toBe(1);
    const project = await f.deps.store.getProject(f.projectId);
    expect(project?.name).toBe(`${spec.name} (renamed)`);
    expect(project?.monitoring?.checkedAt).toBeDefined();
    expect(project?.monitoring?.rag).toBeDefined();
    expect(countEvents(await f.events(), 'spec_updated')).toBe(1);
  });

  it('a conflict on a later chunk of a large update: the stored chunk is not written again, nothing is lost', async () => {
    const { f } = await qaPendingApproval(TOKEN);
    const spec = await storedSpec(f);
    const many = deliverables(150, 'd', 'deployment');
    const changed: ProjectSpec = { ...spec, deliverables: [...spec.deliverables, ...many] };
    const gateBefore = await f.gate('qa');
    // Between the first chunk and the second, the PM creates one of the second chunk's tasks.
    const race = interfering(
      f,
      (_changes, n) => n === 2,
      () =>
        upsertTask(
          f.deps,
          f.projectId,
          'd-060',
          { name: 'Made by the PM', stage: 'deployment', status: 'in_progress' },
          PM,
        ),
    );

    const result = await deploy(race.deps, changed);

    expect(race.runs()).toBe(1);
    expect(result.updated).toBe(true);
    const sizes = race.commits.map((c) => c.filter((e) => e.entity === 'task').length);
    // Chunk 1 (stored), chunk 2 (lost), then the rest without chunk 1 and without the PM's task
    // (49 new tasks a transaction: each brings the check of its id's removal marker).
    expect(sizes).toEqual([49, 49, 49, 49, 2, 0]);
    expect(race.commits.slice(2).some((c) => c.some((e) => e.entity === 'task' && e.id === 'd-060'))).toBe(
      false,
    );
    const tasks = await f.deps.store.list(f.projectId, 'task');
    const added = tasks.filter((t) => t.id.startsWith('d-'));
    expect(added).toHaveLength(150);
    expect(added.find((t) => t.id === 'd-060')).toMatchObject({
      name: 'Made by the PM',
      status: 'in_progress',
      version: 1,
    });
    expect(added.filter((t) => t.id !== 'd-060').every((t) => t.status === 'todo' && t.version === 1)).toBe(
      true,
    );
    const project = await f.deps.store.getProject(f.projectId);
    expect(project?.spec.deliverables).toHaveLength(spec.deliverables.length + 150);
    const gate = await f.gate('qa');
    expect(gate.status).toBe('pending_approval');
    // Chunk 1, the PM's write, the three chunks of the retry and the final commit each carried the gate.
    expect(gate.version).toBe(gateBefore.version + 6);
    const events = await f.events();
    expect(countEvents(events, 'spec_updated')).toBe(1);
    expect(countEvents(events, 'task_created')).toBe(2);
    const updated = events.find((e) => e.type === 'spec_updated');
    // Every task this update created, chunk 1 included; not the PM's.
    expect(updated?.data?.added).toEqual({ task: 149 });
  });

  it('a decision between the chunks: the rest is written without the decided gate', async () => {
    const { f, link } = await qaPendingApproval(TOKEN);
    const spec = await storedSpec(f);
    const many = deliverables(120, 'e', 'deployment');
    const changed: ProjectSpec = { ...spec, deliverables: [...spec.deliverables, ...many] };
    let decision: string | undefined;
    const race = interfering(
      f,
      (_changes, n) => n === 2,
      async () => {
        decision = await decideLink(f.deps, link, 'approve');
      },
    );

    await deploy(race.deps, changed);

    expect(decision).toBe('recorded');
    expect(race.commits.map((c) => c.filter((e) => e.entity === 'gate').length)).toEqual([1, 1, 0, 0, 0]);
    expect((await f.gate('qa')).status).toBe('approved');
    expect(f.workflow.successes).toHaveLength(1);
    expect((await f.deps.store.list(f.projectId, 'task')).filter((t) => t.id.startsWith('e-'))).toHaveLength(
      120,
    );
    const events = await f.events();
    expect(countEvents(events, 'spec_updated')).toBe(1);
    expect(countEvents(events, 'gate_approved')).toBe(1);
    expect(events.find((e) => e.type === 'spec_updated')?.data?.added).toEqual({ task: 120 });
  });
});

describe('a deployed spec change that lacks an approved change request, racing', () => {
  /** Raises a budget change request; its sponsor's link. */
  async function raiseBudget(f: LifecycleFixture, amount: number): Promise<string> {
    await raiseChangeRequest(
      f.deps,
      f.projectId,
      { changes: { budget: { amount } }, reason: 'Two more sites', impact: 'More effort' },
      PM,
    );
    return linkIds(f.mailer.tagged('change-request'))[0] ?? '';
  }

  it('the approval of a change request: the approved value is kept with the new spec', async () => {
    const f = await lifecycleFixture();
    const spec = await storedSpec(f);
    const link = await raiseBudget(f, spec.budget.amount + 1850);
    let decision: string | undefined;
    const race = interfering(
      f,
      (_changes, n) => n === 1,
      async () => {
        decision = await decideLink(f.deps, link, 'approve');
      },
    );

    const result = await deploy(race.deps, { ...spec, name: `${spec.name} (phase 2)` });

    expect(decision).toBe('recorded');
    expect(result.updated).toBe(true);
    const project = await f.deps.store.getProject(f.projectId);
    expect(project?.name).toBe(`${spec.name} (phase 2)`);
    expect(project?.spec.budget.amount).toBe(spec.budget.amount + 1850);
    expect(project?.baseline).toBe(2);
    const events = await f.events();
    expect(countEvents(events, 'change_approved')).toBe(1);
    expect(countEvents(events, 'baseline_kept')).toBe(1);
    expect(countEvents(events, 'spec_updated')).toBe(1);
    // The kept change is no new baseline of the deploy's own.
    expect(events.find((e) => e.type === 'spec_updated')?.data?.baseline).toBeUndefined();
  });

  it('a change request approved before: its baseline_kept event is stored once over the attempts', async () => {
    const f = await lifecycleFixture();
    const spec = await storedSpec(f);
    expect(await decideLink(f.deps, await raiseBudget(f, spec.budget.amount + 500), 'approve')).toBe(
      'recorded',
    );
    const race = interfering(
      f,
      (_changes, n) => n === 1,
      () => runMonitoringCheck(f.deps, f.projectId),
    );

    await deploy(race.deps, { ...spec, name: `${spec.name} (phase 2)` });

    expect(race.commits).toHaveLength(2);
    const project = await f.deps.store.getProject(f.projectId);
    expect(project?.name).toBe(`${spec.name} (phase 2)`);
    expect(project?.spec.budget.amount).toBe(spec.budget.amount + 500);
    expect(project?.monitoring).toBeDefined();
    const events = await f.events();
    expect(countEvents(events, 'baseline_kept')).toBe(1);
    expect(countEvents(events, 'spec_updated')).toBe(1);
    // Stored in the spec's transaction, just before its event.
    const types = events.map((e) => e.type);
    expect(types.indexOf('spec_updated') - types.indexOf('baseline_kept')).toBe(1);
  });
});

describe('a deployed spec change that keeps conflicting', () => {
  it('gives up after its attempts with an error that names what conflicted, and writes no spec', async () => {
    const { f, link } = await qaPendingApproval(TOKEN);
    const spec = await storedSpec(f);
    const before = await f.deps.store.getProject(f.projectId);
    const changed: ProjectSpec = { ...spec, name: `${spec.name} (never)` };
    // Another writer changes the project before every commit of the update.
    const race = interfering(f, commitsProject, async () => {
      const now = await f.deps.store.getProject(f.projectId);
      if (now) await f.deps.store.commit([{ ...now, updatedAt: new Date().toISOString() }]);
    });

    const attempt = deploy(race.deps, changed);

    await expect(attempt).rejects.toBeInstanceOf(ConflictError);
    const message = await attempt.catch((e: Error) => e.message);
    expect(message).toMatch(
      new RegExp(
        `^spec ${f.projectId}: not applied, ${SPEC_UPDATE_ATTEMPTS} attempts in a row conflicted with concurrent changes \\(last: project ${f.projectId} changed since it was read\\); deploy again$`,
      ),
    );
    expect(message).not.toContain(TOKEN);
    expect(message).not.toContain(link);
    expect(race.runs()).toBe(SPEC_UPDATE_ATTEMPTS);
    const after = await f.deps.store.getProject(f.projectId);
    expect(after?.name).toBe(before?.name);
    expect(after?.spec).toEqual(before?.spec);
    expect(countEvents(await f.events(), 'spec_updated')).toBe(0);
    expect(f.log.lines.filter((l) => l.includes('spec update conflicted'))).toHaveLength(
      SPEC_UPDATE_ATTEMPTS - 1,
    );
  });

  it('a large update that gives up says what it already wrote; the next deploy finishes it', async () => {
    const { f } = await qaPendingApproval(TOKEN);
    const spec = await storedSpec(f);
    const many = deliverables(150, 'd', 'deployment');
    const changed: ProjectSpec = { ...spec, deliverables: [...spec.deliverables, ...many] };
    // The project changes before every transaction that carries it: the chunks go through.
    const race = interfering(f, commitsProject, async () => {
      const now = await f.deps.store.getProject(f.projectId);
      if (now) await f.deps.store.commit([{ ...now, updatedAt: new Date().toISOString() }]);
    });

    await expect(deploy(race.deps, changed)).rejects.toThrow(
      /the 150 new record\(s\) already written stay and the next deploy skips them; deploy again$/,
    );
    expect(countEvents(await f.events(), 'spec_updated')).toBe(0);

    const result = await deploy(f.deps, changed);

    expect(result.updated).toBe(true);
    const tasks = await f.deps.store.list(f.projectId, 'task');
    expect(tasks.filter((t) => t.id.startsWith('d-') && t.version === 1)).toHaveLength(150);
    expect(countEvents(await f.events(), 'spec_updated')).toBe(1);
    expect((await f.deps.store.getProject(f.projectId))?.spec.deliverables).toHaveLength(
      spec.deliverables.length + 150,
    );
  });

  it('a large update refused on a later attempt (the project moved on) says what it already wrote', async () => {
    const f = await lifecycleFixture({
      stages: [{ key: 'initiation' }, { key: 'resourcing' }, { key: 'execution' }],
    });
    await enterStage(f.deps, { projectId: f.projectId, stage: 'initiation', executionStartedAt: START });
    const spec = await storedSpec(f);
    const many = deliverables(150, 'd', 'execution');
    // A stage after the current one: fine while the project is at initiation.
    const changed: ProjectSpec = {
      ...spec,
      stages: [
        { key: 'initiation' },
        { key: 'review', name: 'Review' },
        { key: 'resourcing' },
        { key: 'execution' },
      ],
      deliverables: [...spec.deliverables, ...many],
    };
    // After the first chunk the project moves on to resourcing: "review" would come before it.
    const race = interfering(
      f,
      (_changes, n) => n === 2,
      async () => {
        await completeStage(f.deps, { projectId: f.projectId, stage: 'initiation' });
        await enterStage(f.deps, { projectId: f.projectId, stage: 'resourcing', executionStartedAt: START });
      },
    );

    const attempt = deploy(race.deps, changed);

    await expect(attempt).rejects.toBeInstanceOf(SpecChangeError);
    await expect(attempt).rejects.toThrow(
      /"review".*never be reached.*; the 151 new record\(s\) an earlier attempt of this update wrote stay$/,
    );
    const project = await f.deps.store.getProject(f.projectId);
    expect(project?.currentStage).toBe('resourcing');
    expect(project?.spec).toEqual(spec);
    expect(countEvents(await f.events(), 'spec_updated')).toBe(0);
  });
});
