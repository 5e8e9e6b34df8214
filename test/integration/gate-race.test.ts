/**
 * A staff change that makes a stage's exit criterion false, racing an approver's decision that
 * passes the stage's gate, on DynamoDB Local. The race is staged, not timed: a store wrapper runs
 * the staff change inside the decision, after the decision read the criteria and before it
 * commits, and holds the staff change after its own commit (before its gate re-check), which is
 * the order in which the gate would pass although its criteria no longer hold.
 */
import { describe, expect, it } from 'vitest';
import { DynamoProjectStore } from '../../functions/adapters/dynamo-store.js';
import type { Entity, Gate } from '../../functions/core/model.js';
import type { Deps, NewEvent, ProjectStore } from '../../functions/core/ports.js';
import { type ProjectSpecInput, resolveStages } from '../../functions/core/spec/schema.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { recordExpense } from '../../functions/core/use-cases/record-expense.js';
import { recordTimeEntry } from '../../functions/core/use-cases/record-time-entry.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import { upsertTask } from '../../functions/core/use-cases/staff-upsert-task.js';
import { makeTestStore } from '../support/dynamo.js';
import { makeTestDeps } from '../support/fakes.js';
import { seedApprovalGate } from './approval-support.js';
import {
  countEvents,
  decideLink,
  type LifecycleFixture,
  lifecycleFixture,
  linkIds,
  qaPendingApproval,
  START,
} from './lifecycle-support.js';

const TOKEN = 'token-race-AAAAAAAAAAAAAAAAAAAAAAAAAA';
const PM = 'pm@msp.example';
const ENGINEER = 'eng@msp.example';

/** Budget 10,000 GBP; one resource of 1,000; engineers cost 100 an hour. */
const MONEY: Partial<ProjectSpecInput> = {
  budget: { currency: 'GBP', amount: 10000, hours: 200 },
  resources: [{ kind: 'software', name: 'M365 Business Premium', quantity: 12, cost: 1000 }],
  rateCard: [
    { role: 'engineer', costRate: 100, billingRate: 150 },
    { role: 'project manager', costRate: 80, billingRate: 120 },
  ],
};

/** A project at initiation, on a budget, whose gate's approval request went out to the sponsor. */
async function initiationPending(): Promise<{ f: LifecycleFixture; link: string }> {
  const f = await lifecycleFixture(MONEY);
  f.clock.set('2026-12-10T09:00:00.000Z');
  await enterStage(f.deps, { projectId: f.projectId, stage: 'initiation', executionStartedAt: START });
  await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN });
  expect((await f.gate('initiation')).status).toBe('pending_approval');
  return { f, link: linkIds(f.mailer.tagged('approval-request'))[0] ?? '' };
}

/** `store` with its commits replaced (reads go to `store` as they are). */
function withCommit(
  store: ProjectStore,
  commit: (changes: Entity[], events: NewEvent[] | undefined) => Promise<Entity[]>,
): ProjectStore {
  const wrapped = Object.create(store) as ProjectStore;
  wrapped.commit = commit;
  return wrapped;
}

/**
 * Runs `staff` (a staff change, given its deps) inside the approver's POST of `link`: after the
 * decision's reads, before its commit that passes the gate. The staff change's first commit goes
 * through; then it waits until the decision's commit is done (stored or refused) before its
 * follow-up (the gate re-check). Returns what the decision shows and what the staff change returned.
 */
async function raceDecision<T>(
  f: LifecycleFixture,
  link: string,
  staff: (deps: Deps) => Promise<T>,
): Promise<{ decision: string; staff: T }> {
  const real = f.deps.store;
  let staffCommitted!: () => void;
  const committed = new Promise<void>((resolve) => {
    staffCommitted = resolve;
  });
  let releaseStaff!: () => void;
  const released = new Promise<void>((resolve) => {
    releaseStaff = resolve;
  });
  let staffCommits = 0;
  const staffDeps: Deps = {
    ...f.deps,
    store: withCommit(real, async (changes, events) => {
      if (++staffCommits > 1) return real.commit(changes, events);
      try {
        return await real.commit(changes, events);
      } finally {
        staffCommitted();
        await released;
      }
    }),
  };
  let running: Promise<T> | undefined;
  const decisionDeps: Deps = {
    ...f.deps,
    store: withCommit(real, async (changes, events) => {
      const passes = changes.some((c) => c.entity === 'gate' && c.status === 'approved');
      if (running || !passes) return real.commit(changes, events);
      running = staff(staffDeps);
      // A staff change that fails before its commit must not leave the decision waiting.
      running.catch(() => staffCommitted());
      await committed;
      try {
        return await real.commit(changes, events);
      } finally {
        releaseStaff();
      }
    }),
  };
  const decision = await decideLink(decisionDeps, link, 'approve');
  releaseStaff();
  if (!running) throw new Error('the decision never tried to pass the gate: nothing raced');
  return { decision, staff: await running };
}

/** The changes of every commit made through the returned deps. */
function recordingCommits(f: LifecycleFixture): { deps: Deps; commits: Entity[][] } {
  const commits: Entity[][] = [];
  const real = f.deps.store;
  return {
    commits,
    deps: {
      ...f.deps,
      store: withCommit(real, (changes, events) => {
        commits.push(changes);
        return real.commit(changes, events);
      }),
    },
  };
}

describe('a staff change racing the approval that passes a gate', () => {
  it('a task set back to not done: the gate does not pass, the round is withdrawn', async () => {
    const { f, link } = await qaPendingApproval(TOKEN);
    const before = await f.gate('qa');

    const { decision, staff } = await raceDecision(f, link, async (deps) => {
      const task = await deps.store.get(f.projectId, 'task', 'login');
      return upsertTask(deps, f.projectId, 'login', { status: 'todo', version: task?.version ?? 0 }, PM);
    });

    expect(staff.record.status).toBe('todo');
    expect(decision).toBe('neutral');
    const gate = await f.gate('qa');
    expect(gate.status).toBe('waiting');
    expect(gate.round).toBe(before.round);
    expect(gate.approvers.every((a) => !a.decision)).toBe(true);
    expect(f.workflow.successes).toHaveLength(0);
    const events = await f.events();
    expect(countEvents(events, 'gate_approved')).toBe(0);
    expect(countEvents(events, 'approval_decided')).toBe(0);
    expect(countEvents(events, 'approvals_withdrawn')).toBe(1);
    expect((await f.deps.store.get(f.projectId, 'task', 'login'))?.status).toBe('todo');
  });

  it('an expense that breaks the budget: the gate does not pass', async () => {
    const { f, link } = await initiationPending();

    const { decision, staff } = await raceDecision(f, link, (deps) =>
      recordExpense(deps, f.projectId, { date: '2026-12-09', description: 'Licences', amount: 9500 }, PM),
    );

    expect(staff.burn.overBudget).toBe(true);
    expect(decision).toBe('neutral');
    const gate = await f.gate('initiation');
    expect(gate.status).toBe('waiting');
    expect(f.workflow.successes).toHaveLength(0);
    const events = await f.events();
    expect(countEvents(events, 'gate_approved')).toBe(0);
    expect(countEvents(events, 'expense_recorded')).toBe(1);
    expect(countEvents(events, 'approvals_withdrawn')).toBe(1);
  });

  it('a time entry that breaks the budget: the gate does not pass', async () => {
    const { f, link } = await initiationPending();
    // 1,000 of resources and 7,700 of expenses: 87 %, within the budget; the request stays out.
    await recordExpense(f.deps, f.projectId, { date: '2026-12-09', description: 'Travel', amount: 7700 }, PM);
    expect((await f.gate('initiation')).status).toBe('pending_approval');

    const { decision, staff } = await raceDecision(f, link, (deps) =>
      recordTimeEntry(deps, f.projectId, { person: ENGINEER, date: '2026-12-09', hours: 20 }, PM),
    );

    expect(staff.entry.cost).toBe(2000);
    expect(staff.burn.overBudget).toBe(true);
    expect(decision).toBe('neutral');
    expect((await f.gate('initiation')).status).toBe('waiting');
    expect(f.workflow.successes).toHaveLength(0);
    const events = await f.events();
    expect(countEvents(events, 'gate_approved')).toBe(0);
    expect(countEvents(events, 'time_recorded')).toBe(1);
  });

  it('a deployed spec that adds a deliverable to the stage: the gate does not pass', async () => {
    const { f, link } = await qaPendingApproval(TOKEN);
    const project = await f.deps.store.getProject(f.projectId);
    if (!project) throw new Error('no project');
    const spec = {
      ...project.spec,
      deliverables: [
        ...(project.spec.deliverables ?? []),
        { id: 'report', name: 'Test report', stage: 'qa', acceptance: 'Signed by the customer' },
      ],
    };

    const { decision, staff } = await raceDecision(f, link, (deps) =>
      registerProject(deps, { file: 'test.yaml', spec, stages: resolveStages(spec) }, { start: false }),
    );

    expect(staff.updated).toBe(true);
    expect(decision).toBe('neutral');
    expect((await f.gate('qa')).status).toBe('waiting');
    expect((await f.deps.store.get(f.projectId, 'task', 'report'))?.status).toBe('todo');
    expect(f.workflow.successes).toHaveLength(0);
    expect(countEvents(await f.events(), 'gate_approved')).toBe(0);
  });

  it('a deployed spec of more than 100 new records carries the gate in every transaction', async () => {
    const { f } = await qaPendingApproval(TOKEN);
    const project = await f.deps.store.getProject(f.projectId);
    if (!project) throw new Error('no project');
    const before = await f.gate('qa');
    const many = Array.from({ length: 150 }, (_, i) => ({
      id: `d-${String(i).padStart(3, '0')}`,
      name: `Deliverable ${i}`,
      stage: 'deployment',
      acceptance: 'Accepted',
    }));
    const spec = { ...project.spec, deliverables: [...(project.spec.deliverables ?? []), ...many] };
    const sizes: number[] = [];
    const real = f.deps.store;
    const gates: Entity[][] = [];
    const deps: Deps = {
      ...f.deps,
      store: withCommit(real, (changes, events) => {
        sizes.push(changes.length + (events?.length ?? 0));
        gates.push(changes.filter((c) => c.entity === 'gate'));
        return real.commit(changes, events);
      }),
    };

    const result = await registerProject(
      deps,
      { file: 'test.yaml', spec, stages: resolveStages(spec) },
      { start: false },
    );

    expect(result.updated).toBe(true);
    expect(sizes.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(gates.map((g) => g.length)).toEqual(sizes.map(() => 1));
    expect((await f.gate('qa')).version).toBe(before.version + sizes.length);
    expect((await f.gate('qa')).status).toBe('pending_approval');
    expect((await f.deps.store.list(f.projectId, 'task')).length).toBeGreaterThanOrEqual(150);
  });

  it('a decision committed first wins; the staff change then saves without the decided gate', async () => {
    const { f, link } = await qaPendingApproval(TOKEN);
    const real = f.deps.store;
    let decided: string | undefined;
    const commits: Entity[][] = [];
    // The staff change read the pending gate; the approval commits before the staff change does.
    const staffDeps: Deps = {
      ...f.deps,
      store: withCommit(real, async (changes, events) => {
        commits.push(changes);
        if (decided === undefined) decided = await decideLink(f.deps, link, 'approve');
        return real.commit(changes, events);
      }),
    };
    const task = await f.deps.store.get(f.projectId, 'task', 'login');
    const saved = await upsertTask(
      staffDeps,
      f.projectId,
      'login',
      { evidence: 'Run 42', version: task?.version ?? 0 },
      PM,
    );

    expect(decided).toBe('recorded');
    expect(saved.record).toMatchObject({ status: 'done', evidence: 'Run 42' });
    expect((await f.gate('qa')).status).toBe('approved');
    expect(f.workflow.successes).toHaveLength(1);
    // The first commit carried the then pending gate and lost; the second one no gate.
    expect(commits.map((c) => c.map((e) => e.entity))).toEqual([['task', 'gate'], ['task']]);
    expect(countEvents(await f.events(), 'task_updated')).toBe(1);
  });

  it('a stale version is still refused by name after a lost commit', async () => {
    const { f } = await qaPendingApproval(TOKEN);
    const task = await f.deps.store.get(f.projectId, 'task', 'login');
    const real = f.deps.store;
    let interfered = false;
    // Another writer updates the task between this update's read and its commit.
    const deps: Deps = {
      ...f.deps,
      store: withCommit(real, async (changes, events) => {
        if (!interfered) {
          interfered = true;
          const now = await real.get(f.projectId, 'task', 'login');
          if (now) await real.commit([{ ...now, evidence: 'other' }]);
        }
        return real.commit(changes, events);
      }),
    };
    const attempt = upsertTask(
      deps,
      f.projectId,
      'login',
      { status: 'todo', version: task?.version ?? 0 },
      PM,
    );
    await expect(attempt).rejects.toThrow(/task login changed since it was read/);
    expect((await f.deps.store.get(f.projectId, 'task', 'login'))?.status).toBe('done');
  });
});

describe('a staff change while the gate waits for its criteria or is decided', () => {
  it('commits the waiting gate with each write (task, expense, time entry), unchanged', async () => {
    // QA with no test case passed yet: the gate waits for its criteria, no request is out. An
    // auto pass or an approval request may still follow on what a check read (auto-gate-race.test.ts).
    const f = await lifecycleFixture({
      ...MONEY,
      stages: [{ key: 'qa', gate: { approvers: ['approver'], rule: 'all' } }, { key: 'deployment' }],
    });
    f.clock.set('2026-12-10T09:00:00.000Z');
    await enterStage(f.deps, { projectId: f.projectId, stage: 'qa', executionStartedAt: START });
    await openGate(f.deps, { projectId: f.projectId, stage: 'qa', taskToken: TOKEN });
    const before = await f.gate('qa');
    expect(before.status).toBe('waiting');

    const { deps, commits } = recordingCommits(f);
    await upsertTask(deps, f.projectId, 'login', { name: 'Login works', stage: 'qa', status: 'todo' }, PM);
    await recordExpense(deps, f.projectId, { date: '2026-12-09', description: 'Travel', amount: 100 }, PM);
    await recordTimeEntry(deps, f.projectId, { person: ENGINEER, date: '2026-12-09', hours: 2 }, PM);

    expect(commits.length).toBeGreaterThanOrEqual(3);
    const gates = commits.flat().filter((e) => e.entity === 'gate');
    expect(gates).toHaveLength(3);
    expect(gates.map((g) => (g as Gate).status)).toEqual(['waiting', 'waiting', 'waiting']);
    const after = await f.gate('qa');
    expect(after.version).toBe(before.version + 3);
    expect({ ...after, version: before.version }).toEqual(before);
  });

  it('commits no gate once the gate is decided', async () => {
    const { f, link } = await qaPendingApproval(TOKEN);
    expect(await decideLink(f.deps, link, 'approve')).toBe('recorded');
    const before = await f.gate('qa');
    expect(before.status).toBe('approved');

    const { deps, commits } = recordingCommits(f);
    const task = await f.deps.store.get(f.projectId, 'task', 'login');
    await upsertTask(deps, f.projectId, 'login', { evidence: 'Run 43', version: task?.version ?? 0 }, PM);

    expect(commits.flat().map((e) => e.entity)).toEqual(['task']);
    expect((await f.gate('qa')).version).toBe(before.version);
  });
});

describe('DynamoDB requests of a staff write while approval requests are out', () => {
  it('reads the gate with the record or the ledger (no request more) and commits it in the same transaction', async () => {
    const ts = await makeTestStore();
    try {
      const sent: { command: string; keys: string[] }[] = [];
      const counting = {
        send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
          const input = command.input as {
            RequestItems?: Record<string, { Keys: { SK: string }[] }>;
            TransactItems?: { Put?: { Item: { SK: string } } }[];
          };
          const keys = [
            ...Object.values(input.RequestItems ?? {}).flatMap((t) => t.Keys.map((k) => k.SK)),
            ...(input.TransactItems ?? []).flatMap((t) => (t.Put ? [t.Put.Item.SK] : [])),
          ];
          sent.push({ command: command.constructor.name, keys });
          return ts.client.send(command as never);
        },
      } as unknown as typeof ts.client;
      const deps = makeTestDeps(new DynamoProjectStore(counting, ts.tableName));
      const { project } = await seedApprovalGate(deps, { taskToken: TOKEN });
      /** The requests up to and with the write's commit (its gate re-check follows). */
      const writeRequests = () =>
        sent.slice(0, sent.findIndex((s) => s.command === 'TransactWriteCommand') + 1);

      sent.length = 0;
      await upsertTask(deps, project.id, 'pack', { name: 'Pack', stage: 'initiation', status: 'todo' }, PM);
      const upsert = writeRequests();
      expect(upsert.map((s) => s.command)).toEqual(['GetCommand', 'BatchGetCommand', 'TransactWriteCommand']);
      expect(upsert[1]?.keys).toEqual(['TASK#pack', 'DELETED#TASK#pack', 'GATE#initiation']);
      expect(upsert[2]?.keys).toEqual(expect.arrayContaining(['TASK#pack', 'GATE#initiation']));

      sent.length = 0;
      await recordExpense(deps, project.id, { date: '2026-12-01', description: 'Travel', amount: 10 }, PM);
      const expense = writeRequests();
      expect(expense.map((s) => s.command).sort()).toEqual([
        'BatchGetCommand',
        'GetCommand',
        'QueryCommand',
        'QueryCommand',
        'TransactWriteCommand',
      ]);
      expect(expense.find((s) => s.command === 'BatchGetCommand')?.keys).toEqual([
        'LEDGER#budget',
        'GATE#initiation',
      ]);
      expect(expense.at(-1)?.keys).toEqual(expect.arrayContaining(['LEDGER#budget', 'GATE#initiation']));
    } finally {
      await ts.drop();
    }
  });
});
