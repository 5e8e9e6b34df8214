/**
 * A decision that passes a gate relies on the check of the exit criteria made when its round was
 * requested (Gate.criteriaHeldAt) while nothing wrote the gate since, and reads no records; any
 * write that could change the criteria commits the open gate (gate-guard.ts), and then the
 * decision evaluates them again (gates-hold.test.ts: a write whose follow-up never ran). A stage type whose criteria read other projects (resourcing)
 * always evaluates them again.
 */
import { describe, expect, it } from 'vitest';
import type { ProjectStore } from '../../functions/core/ports.js';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { stageType } from '../../functions/core/stages/index.js';
import { decideApproval } from '../../functions/core/use-cases/decide-approval.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { remindGate } from '../../functions/core/use-cases/remind-gate.js';
import { upsertTask } from '../../functions/core/use-cases/staff-upsert-task.js';
import { viewApproval } from '../../functions/core/use-cases/view-approval.js';
import { makeMember, makeProject, makeProjectSpec } from '../support/dynamo.js';
import { countEvents, type LifecycleFixture, lifecycleFixture, linkIds, START } from './lifecycle-support.js';

const TOKEN = 'token-criteria-held';
const PM = 'pm@msp.example';

/** The store of `f`, counting the reads of a project's records (all of them, a kind, or some by key). */
function countingReads(inner: ProjectStore): ProjectStore & { reads: string[] } {
  const store = Object.create(inner) as ProjectStore & { reads: string[] };
  store.reads = [];
  store.getProjectSnapshot = (projectId) => {
    store.reads.push('snapshot');
    return inner.getProjectSnapshot(projectId);
  };
  store.list = ((projectId: string, entity: Parameters<ProjectStore['list']>[1]) => {
    store.reads.push(`list ${entity}`);
    return inner.list(projectId, entity);
  }) as ProjectStore['list'];
  return store;
}

/** A project at `stage` (first), its gate open with the approver's request out: the fixture and the link. */
async function requested(
  stage: string,
  setUp: (f: LifecycleFixture) => Promise<void> = async () => {},
): Promise<{ f: LifecycleFixture; link: string }> {
  const stages: ProjectSpecInput['stages'] = [
    { key: stage, gate: { approvers: ['approver'], rule: 'all' } },
    { key: 'deployment' },
  ];
  const f = await lifecycleFixture({ stages });
  await enterStage(f.deps, { projectId: f.projectId, stage, executionStartedAt: START });
  await setUp(f);
  await openGate(f.deps, { projectId: f.projectId, stage, taskToken: TOKEN });
  const [link] = linkIds(f.mailer.tagged('approval-request'));
  if (!link) throw new Error(`no approval request went out for ${stage}`);
  return { f, link };
}

/** Opens the page, then approves through `store`: the result's kind. */
async function approveWith(f: LifecycleFixture, link: string, store: ProjectStore): Promise<string> {
  const page = await viewApproval(f.deps, link);
  if (page.kind !== 'confirm') return page.kind;
  const result = await decideApproval(
    { ...f.deps, store },
    { linkId: link, form: { decision: 'approve', comment: '', csrf: page.nonce } },
  );
  return result.kind;
}

describe('a decision that passes the gate on the check made when its round was requested', () => {
  it('records the round asked at the version it wrote, and reads no records to pass the gate', async () => {
    const { f, link } = await requested('initiation');
    const gate = await f.gate('initiation');
    expect(gate.status).toBe('pending_approval');
    expect(gate.criteriaHeldAt).toBe(gate.version);

    const store = countingReads(f.deps.store);
    expect(await approveWith(f, link, store)).toBe('recorded');
    expect(store.reads).toEqual([]);
    expect((await f.gate('initiation')).status).toBe('approved');
    expect(f.workflow.successes).toHaveLength(1);
  });

  it('evaluates the criteria again after a staff write committed the gate, and passes when they hold', async () => {
    const { f, link } = await requested('initiation');
    await upsertTask(
      f.deps,
      f.projectId,
      'kickoff',
      { name: 'Kick-off', stage: 'initiation', status: 'done' },
      PM,
    );
    const gate = await f.gate('initiation');
    expect(gate.status).toBe('pending_approval');
    expect(gate.criteriaHeldAt).toBe(gate.version - 1);

    const store = countingReads(f.deps.store);
    expect(await approveWith(f, link, store)).toBe('recorded');
    expect(store.reads.length).toBeGreaterThan(0);
    expect((await f.gate('initiation')).status).toBe('approved');
  });

  it('keeps the mark through a decision that leaves the round open (rule all, two approvers)', async () => {
    const f = await lifecycleFixture({
      stages: [
        { key: 'initiation', gate: { approvers: ['approver', 'sponsor'], rule: 'all' } },
        { key: 'deployment' },
      ],
    });
    await enterStage(f.deps, { projectId: f.projectId, stage: 'initiation', executionStartedAt: START });
    await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN });
    const links = linkIds(f.mailer.tagged('approval-request'));
    expect(links).toHaveLength(2);

    expect(await approveWith(f, links[0] ?? '', f.deps.store)).toBe('recorded');
    const open = await f.gate('initiation');
    expect(open.status).toBe('pending_approval');
    expect(open.criteriaHeldAt).toBe(open.version);

    const store = countingReads(f.deps.store);
    expect(await approveWith(f, links[1] ?? '', store)).toBe('recorded');
    expect(store.reads).toEqual([]);
    expect((await f.gate('initiation')).status).toBe('approved');
  });
  it('keeps the mark through a reminder: the decision after it reads no records either', async () => {
    const { f, link } = await requested('initiation');
    f.clock.advanceDays(3);
    await remindGate(f.deps, { projectId: f.projectId, stage: 'initiation', executionStartedAt: START });
    const reminded = await f.gate('initiation');
    expect(reminded.reminders).toBe(1);
    expect(reminded.criteriaHeldAt).toBe(reminded.version);

    const store = countingReads(f.deps.store);
    expect(await approveWith(f, link, store)).toBe('recorded');
    expect(store.reads).toEqual([]);
    expect((await f.gate('initiation')).status).toBe('approved');
  });
});

describe('a stage whose criteria read other projects', () => {
  it('declares it, so that each passing decision evaluates them again', () => {
    expect(stageType('resourcing').criteriaDependOnlyOnProject).toBe(false);
  });

  it('withdraws the round when another project over-allocated a member after the requests went out', async () => {
    const engineer = 'alex@msp.example';
    const { f, link } = await requested('resourcing', async (f) => {
      await f.deps.store.commit([
        makeMember({ projectId: f.projectId, email: engineer, name: 'Alex', allocation: 60 }),
      ]);
    });
    expect((await f.gate('resourcing')).status).toBe('pending_approval');
    // Another active project over the same weeks takes 60 % of the same engineer: nothing of
    // this project (or its gate) was written.
    const other = makeProject(
      { currentStage: 'execution' },
      makeProjectSpec({ id: `${f.projectId}-other`, name: 'Other project' }),
    );
    await f.deps.store.commit([
      other,
      makeMember({ projectId: other.id, email: engineer, name: 'Alex', allocation: 60 }),
    ]);

    expect(await approveWith(f, link, f.deps.store)).toBe('neutral');
    expect((await f.gate('resourcing')).status).toBe('waiting');
    expect(countEvents(await f.events(), 'approvals_withdrawn')).toBe(1);
    expect(f.workflow.successes).toHaveLength(0);
  });
});
