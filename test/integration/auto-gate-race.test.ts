/**
 * A staff change that makes a stage's exit criterion false, racing progressGate passing an `auto`
 * gate (or sending an approval gate's requests) on its own, on DynamoDB Local. The race is staged,
 * not timed: a store wrapper runs the staff change inside progressGate, after it read the criteria
 * (all met) and before its commit, which is the order in which the gate would pass although its
 * criteria no longer hold. Also: two staff changes at once on an open gate both land, and a
 * staff change after the gate passed commits no gate.
 */
import { describe, expect, it } from 'vitest';
import type { Entity, Gate } from '../../functions/core/model.js';
import type { Deps, NewEvent, ProjectStore } from '../../functions/core/ports.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { progressGate } from '../../functions/core/use-cases/progress-gate.js';
import { recordExpense } from '../../functions/core/use-cases/record-expense.js';
import { upsertTask } from '../../functions/core/use-cases/staff-upsert-task.js';
import { countEvents, type LifecycleFixture, lifecycleFixture, START } from './lifecycle-support.js';

const TOKEN = 'token-auto-race-AAAAAAAAAAAAAAAAAAAAAA';
const PM = 'pm@msp.example';

/**
 * A project at QA whose gate is open and waiting for its criteria, with the QA task "login" done
 * in the store but no gate check run since (so progressGate finds the criteria met).
 */
async function qaWithDoneTask(rule: 'auto' | 'all'): Promise<LifecycleFixture> {
  const f = await lifecycleFixture({
    budget: { currency: 'GBP', amount: 10000, hours: 200 },
    stages: [
      { key: 'qa', gate: rule === 'auto' ? { rule: 'auto' } : { approvers: ['approver'], rule: 'all' } },
      { key: 'deployment' },
    ],
  });
  f.clock.set('2026-12-10T09:00:00.000Z');
  await enterStage(f.deps, { projectId: f.projectId, stage: 'qa', executionStartedAt: START });
  await openGate(f.deps, { projectId: f.projectId, stage: 'qa', taskToken: TOKEN });
  await upsertTask(f.deps, f.projectId, 'login', { name: 'Login works', stage: 'qa', status: 'todo' }, PM);
  const task = await f.deps.store.get(f.projectId, 'task', 'login');
  if (!task) throw new Error('no task');
  // Straight to the store: the staff API would run the gate check (and pass the gate) itself.
  await f.deps.store.commit([{ ...task, status: 'done' }]);
  expect((await f.gate('qa')).status).toBe('waiting');
  return f;
}

/** `store` with some of its methods replaced (the others go to `store` as they are). */
function wrapStore(store: ProjectStore, methods: Partial<ProjectStore>): ProjectStore {
  return Object.assign(Object.create(store) as ProjectStore, methods);
}

/** The staff change of these tests: the task "login" set back to todo, with the version it reads. */
async function setBackToTodo(f: LifecycleFixture): Promise<void> {
  const task = await f.deps.store.get(f.projectId, 'task', 'login');
  await upsertTask(f.deps, f.projectId, 'login', { status: 'todo', version: task?.version ?? 0 }, PM);
}

/**
 * Runs progressGate with `staff` run once inside it, just before its first commit that writes the
 * gate with status `moves` (after its criteria reads). Returns progressGate's result.
 */
async function raceCommit(f: LifecycleFixture, moves: Gate['status'], staff: () => Promise<void>) {
  const real = f.deps.store;
  let raced = false;
  const deps: Deps = {
    ...f.deps,
    store: wrapStore(real, {
      commit: async (changes: Entity[], events?: NewEvent[]) => {
        const moving = changes.some((c) => c.entity === 'gate' && c.status === moves);
        if (moving && !raced) {
          raced = true;
          await staff();
        }
        return real.commit(changes, events);
      },
    }),
  };
  const result = await progressGate(deps, f.projectId, 'qa', 'system');
  if (!raced) throw new Error('progressGate never tried to move the gate: nothing raced');
  return result;
}

describe('a staff change racing progressGate', () => {
  it('an auto gate does not pass when a task is set back to todo before its commit', async () => {
    const f = await qaWithDoneTask('auto');

    const result = await raceCommit(f, 'approved', () => setBackToTodo(f));

    expect(result.action).toBe('none');
    expect(result.criteria.met).toBe(false);
    const gate = await f.gate('qa');
    expect(gate.status).toBe('waiting');
    expect(f.workflow.successes).toHaveLength(0);
    const events = await f.events();
    expect(countEvents(events, 'gate_approved')).toBe(0);
    expect(countEvents(events, 'task_updated')).toBe(1);
    expect((await f.deps.store.get(f.projectId, 'task', 'login'))?.status).toBe('todo');
  });

  it('an auto gate does not pass when a task is set back to todo after its criteria reads, before its gate read', async () => {
    const f = await qaWithDoneTask('auto');
    const real = f.deps.store;
    let gateReads = 0;
    // The staff change lands when progressGate's check step reads the gate (its second read of
    // the gate: the first one is before the check loop). Reading the gate after the criteria
    // would pick up the version the staff change committed, and the gate would pass on stale criteria.
    const deps: Deps = {
      ...f.deps,
      store: wrapStore(real, {
        get: (async (projectId: string, entity: string, id: string) => {
          if (entity === 'gate' && ++gateReads === 2) await setBackToTodo(f);
          return real.get(projectId, entity as 'gate', id);
        }) as ProjectStore['get'],
      }),
    };

    const result = await progressGate(deps, f.projectId, 'qa', 'system');

    expect(gateReads).toBeGreaterThanOrEqual(2);
    expect(result.action).toBe('none');
    expect((await f.gate('qa')).status).toBe('waiting');
    expect(f.workflow.successes).toHaveLength(0);
    expect(countEvents(await f.events(), 'gate_approved')).toBe(0);
  });

  it('an approval gate sends no requests when a task is set back to todo before its commit', async () => {
    const f = await qaWithDoneTask('all');

    const result = await raceCommit(f, 'pending_approval', () => setBackToTodo(f));

    expect(result.action).toBe('none');
    const gate = await f.gate('qa');
    expect(gate.status).toBe('waiting');
    expect(f.mailer.tagged('approval-request')).toHaveLength(0);
    const events = await f.events();
    expect(countEvents(events, 'approval_requested')).toBe(0);
    expect(countEvents(events, 'approvals_withdrawn')).toBe(0);
  });

  it('with no staff change in the window the auto gate passes (the staging itself lets it)', async () => {
    const f = await qaWithDoneTask('auto');

    const result = await raceCommit(f, 'approved', async () => {});

    expect(result.action).toBe('advanced');
    expect((await f.gate('qa')).status).toBe('approved');
    expect(f.workflow.successes).toHaveLength(1);
  });
});

describe('staff changes on an open gate', () => {
  /**
   * Runs `writes` at once, each holding its first commit until every one of them reached its
   * commit, so all of them read the same gate version and all commit it. Returns the gate
   * versions each commit carried, in order.
   */
  async function together(f: LifecycleFixture, writes: ((deps: Deps) => Promise<unknown>)[]) {
    const real = f.deps.store;
    const carried: number[] = [];
    let arrived = 0;
    let allArrived!: () => void;
    const barrier = new Promise<void>((resolve) => {
      allArrived = resolve;
    });
    const runs = writes.map((write) => {
      let first = true;
      const deps: Deps = {
        ...f.deps,
        store: wrapStore(real, {
          commit: async (changes: Entity[], events?: NewEvent[]) => {
            const gate = changes.find((c) => c.entity === 'gate');
            if (gate) carried.push(gate.version);
            if (first) {
              first = false;
              if (++arrived === writes.length) allArrived();
              await barrier;
            }
            return real.commit(changes, events);
          },
        }),
      };
      return write(deps);
    });
    await Promise.all(runs);
    return carried;
  }

  it('two task writes at once both land (one retries after the gate conflict)', async () => {
    const f = await qaWithDoneTask('all');
    await setBackToTodo(f);
    const before = await f.gate('qa');
    expect(before.status).toBe('waiting');

    const carried = await together(f, [
      (deps) => upsertTask(deps, f.projectId, 'docs', { name: 'Docs', stage: 'qa', status: 'todo' }, PM),
      (deps) => upsertTask(deps, f.projectId, 'perf', { name: 'Perf', stage: 'qa', status: 'todo' }, PM),
    ]);

    // Both first commits carried the version both read; one lost and committed again.
    expect(carried.slice(0, 2)).toEqual([before.version, before.version]);
    expect(carried.length).toBeGreaterThanOrEqual(3);
    expect((await f.deps.store.get(f.projectId, 'task', 'docs'))?.name).toBe('Docs');
    expect((await f.deps.store.get(f.projectId, 'task', 'perf'))?.name).toBe('Perf');
    const gate = await f.gate('qa');
    expect(gate.status).toBe('waiting');
    expect(gate.version).toBe(before.version + 2);
    expect(countEvents(await f.events(), 'task_created')).toBe(3);
  });

  it('a task write and an expense at once both land', async () => {
    const f = await qaWithDoneTask('auto');
    await setBackToTodo(f);
    const before = await f.gate('qa');

    const carried = await together(f, [
      (deps) => upsertTask(deps, f.projectId, 'docs', { name: 'Docs', stage: 'qa', status: 'todo' }, PM),
      (deps) =>
        recordExpense(deps, f.projectId, { date: '2026-12-09', description: 'Travel', amount: 120 }, PM),
    ]);

    expect(carried.slice(0, 2)).toEqual([before.version, before.version]);
    expect(carried.length).toBeGreaterThanOrEqual(3);
    expect((await f.deps.store.get(f.projectId, 'task', 'docs'))?.status).toBe('todo');
    expect((await f.deps.store.get(f.projectId, 'ledger', 'budget'))?.expenses).toBe(120);
    const gate = await f.gate('qa');
    expect(gate.status).toBe('waiting');
    expect(gate.version).toBe(before.version + 2);
    const events = await f.events();
    expect(countEvents(events, 'expense_recorded')).toBe(1);
    expect(countEvents(events, 'task_created')).toBe(2);
  });

  it('a staff write after the auto gate passed commits no gate', async () => {
    const f = await qaWithDoneTask('auto');
    expect((await progressGate(f.deps, f.projectId, 'qa', 'system')).action).toBe('advanced');
    const before = await f.gate('qa');
    expect(before.status).toBe('approved');

    const commits: Entity[][] = [];
    const real = f.deps.store;
    const deps: Deps = {
      ...f.deps,
      store: wrapStore(real, {
        commit: (changes: Entity[], events?: NewEvent[]) => {
          commits.push(changes);
          return real.commit(changes, events);
        },
      }),
    };
    const task = await f.deps.store.get(f.projectId, 'task', 'login');
    await upsertTask(deps, f.projectId, 'login', { evidence: 'Run 7', version: task?.version ?? 0 }, PM);
    await recordExpense(deps, f.projectId, { date: '2026-12-09', description: 'Travel', amount: 50 }, PM);

    expect(commits.length).toBeGreaterThanOrEqual(2);
    expect(commits.flat().filter((e) => e.entity === 'gate')).toEqual([]);
    expect((await f.gate('qa')).version).toBe(before.version);
    expect((await f.deps.store.get(f.projectId, 'task', 'login'))?.evidence).toBe('Run 7');
  });
});
