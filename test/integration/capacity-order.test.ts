/**
 * A resourcing gate's pass ordered against allocation writes in other projects, on DynamoDB Local
 * (allocation-order.ts): project B's gate reads the portfolio's allocations counter before the
 * other projects' members and passes only while it is unchanged; project A's allocation write
 * bumps it in its own transaction.
 *
 * The races are made deterministic with store wrappers: A's write is let commit between B's
 * capacity read and B's passing commit, and A's follow-up (its recheck of B) is held back until
 * B's attempt is over, so only the counter can stop B's stale pass (A's write never touches B's gate).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALLOCATIONS } from '../../functions/core/allocation-order.js';
import { evaluateCriteria } from '../../functions/core/criteria.js';
import type { Entity } from '../../functions/core/model.js';
import type { ProjectStore } from '../../functions/core/ports.js';
import { type ProjectSpecInput, resolveStages } from '../../functions/core/spec/schema.js';
import { archiveProject } from '../../functions/core/use-cases/archive-project.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { progressGate } from '../../functions/core/use-cases/progress-gate.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import { removeProjectRecord } from '../../functions/core/use-cases/staff-remove-record.js';
import { upsertMember } from '../../functions/core/use-cases/staff-upsert-member.js';
import { makeProjectSpec, makeTestStore, type TestStore } from '../support/dynamo.js';
import { makeTestDeps, START, type TestDeps } from '../support/fakes.js';
import { countEvents, decideLink, linkIds } from './lifecycle-support.js';

const ALEX = 'alex@msp.example';
const PM = 'pm@msp.example';
const A = 'harbor-firewall';
const B = 'acme-m365';

let ts: TestStore;
let deps: TestDeps;

beforeEach(async () => {
  ts = await makeTestStore();
  deps = makeTestDeps(ts.store);
  deps.clock.set(START);
});
afterEach(async () => {
  await ts.drop();
});

/** A team of one engineer with the skill the default spec requires. */
function team(allocation: number): ProjectSpecInput['team'] {
  return [{ name: 'alex', email: ALEX, role: 'engineer', skills: ['exchange'], allocation }];
}

async function register(id: string, overrides: Partial<ProjectSpecInput>): Promise<void> {
  const spec = makeProjectSpec({ id, name: `Project ${id}`, ...overrides });
  await registerProject(deps, { file: `${id}.yaml`, spec, stages: resolveStages(spec) }, { start: false });
}

/** A project entered at resourcing (auto, or asking the approver), its gate opened. */
async function atResourcing(id: string, percent: number, approver = false): Promise<void> {
  await register(id, {
    team: team(percent),
    stages: [
      approver
        ? { key: 'resourcing', gate: { approvers: ['approver'], rule: 'all' } }
        : { key: 'resourcing' },
      { key: 'deployment' },
    ],
  });
  await enterStage(deps, { projectId: id, stage: 'resourcing', executionStartedAt: START });
  await openGate(deps, { projectId: id, stage: 'resourcing', taskToken: `token-${id}` });
}

async function gateOf(projectId: string) {
  const gate = await ts.store.get(projectId, 'gate', 'resourcing');
  if (!gate) throw new Error(`no resourcing gate in ${projectId}`);
  return gate;
}

async function allocations(): Promise<number> {
  const [counter] = await ts.store.getRecords([{ entity: 'counter', ...ALLOCATIONS }] as const);
  return counter?.value ?? -1;
}

/** Sets ALEX's allocation in `projectId` straight in the store (setup: no use case, no bump). */
async function allocateInStore(projectId: string, percent: number): Promise<void> {
  const member = await ts.store.get(projectId, 'member', ALEX);
  if (!member) throw new Error(`no member ${ALEX} in ${projectId}`);
  await ts.store.commit([{ ...member, allocation: percent }]);
}

/**
 * A's allocation write through the staff use case, held after its transaction commits (before its
 * recheck of the other projects) until `release`: `committed` resolves once it is stored.
 */
function heldAllocationWrite(projectId: string, percent: number) {
  let committed!: () => void;
  let release!: () => void;
  const stored = new Promise<void>((r) => {
    committed = r;
  });
  const held = new Promise<void>((r) => {
    release = r;
  });
  const store = Object.create(ts.store) as ProjectStore;
  store.commit = async (changes, events, removals, options) => {
    const result = await ts.store.commit(changes, events, removals, options);
    if (changes.some((c) => c.entity === 'member')) {
      committed();
      await held;
    }
    return result;
  };
  let writing: Promise<unknown> | undefined;
  return {
    start: async () => {
      const member = await ts.store.get(projectId, 'member', ALEX);
      writing = upsertMember(
        { ...deps, store },
        projectId,
        ALEX,
        { version: member?.version ?? 0, allocation: percent },
        PM,
      );
      await stored;
    },
    finish: async () => {
      release();
      await writing;
    },
  };
}

/** `store` running `between` once, before the first commit that `when` picks (then committing it). */
function commitsBetween(when: (changes: Entity[]) => boolean, between: () => Promise<unknown>) {
  const state = { ran: false, commits: 0 };
  const store = Object.create(ts.store) as ProjectStore;
  store.commit = async (changes, events, removals, options) => {
    if (when(changes)) {
      state.commits++;
      if (!state.ran) {
        state.ran = true;
        await between();
      }
    }
    return ts.store.commit(changes, events, removals, options);
  };
  return { store, state };
}

const passesB = (changes: Entity[]) =>
  changes.some((c) => c.entity === 'gate' && c.projectId === B && c.status === 'approved');

describe("an allocation written in another project between B's capacity read and B's pass", () => {
  it('an auto gate: the pass conflicts, re-evaluates and stays blocked naming the person over 100 %', async () => {
    // B held at first (60 + 80 in A), then A lowered to 30 in the store: B's criteria hold now.
    await register(A, { team: team(80) });
    await atResourcing(B, 60);
    expect((await gateOf(B)).status).toBe('waiting');
    await allocateInStore(A, 30);
    const write = heldAllocationWrite(A, 80);
    const counter = await allocations();
    const { store, state } = commitsBetween(passesB, write.start);

    const result = await progressGate({ ...deps, store }, B, 'resourcing', PM);
    await write.finish();

    // The first attempt read 90 % and tried to pass; A's 80 % landed first: no stale pass.
    expect(state.ran).toBe(true);
    expect(state.commits).toBe(1);
    expect(result.action).toBe('none');
    expect(result.criteria.unmet).toEqual([
      expect.stringMatching(/^alex@msp\.example: 140 % in week \S+ \(this 60 %, harbor-firewall 80 %\)/),
    ]);
    expect((await gateOf(B)).status).toBe('waiting');
    expect(deps.workflow.successes).toEqual([]);
    expect(countEvents((await ts.store.listEvents(B, { limit: 200 })).items, 'gate_approved')).toBe(0);
    expect(await allocations()).toBe(counter + 1);
  });

  it('the last approval: the decision conflicts, re-evaluates and withdraws the round instead of passing', async () => {
    await register(A, { team: team(30) });
    await atResourcing(B, 60, true);
    expect((await gateOf(B)).status).toBe('pending_approval');
    const [link] = linkIds(deps.mailer.tagged('approval-request'));
    const write = heldAllocationWrite(A, 80);
    const { store, state } = commitsBetween(passesB, write.start);

    const page = await decideLink({ ...deps, store }, link ?? '', 'approve');
    await write.finish();

    expect(state.ran).toBe(true);
    expect(page).toBe('neutral');
    const gate = await gateOf(B);
    expect(gate.status).not.toBe('approved');
    expect(deps.workflow.successes).toEqual([]);
    const withdrawn = (await ts.store.listEvents(B, { limit: 200 })).items.filter(
      (e) => e.type === 'approvals_withdrawn',
    );
    expect(JSON.stringify(withdrawn)).toMatch(/alex@msp\.example: 140 % in week/);
  });
});

describe("B's pass committed before the allocation write", () => {
  it("the write lands after the pass, and the writing project's own open resourcing round sees it", async () => {
    // A at resourcing too, its round out to the approver (30 %: it holds).
    await atResourcing(A, 30, true);
    expect((await gateOf(A)).status).toBe('pending_approval');
    // B's gate opened while A held the person at 80 % (held), then A back at 30 % in the store.
    await allocateInStore(A, 80);
    await atResourcing(B, 60);
    expect((await gateOf(B)).status).toBe('waiting');
    await allocateInStore(A, 30);
    let passed: Awaited<ReturnType<typeof progressGate>> | undefined;
    const { store, state } = commitsBetween(
      (changes) => changes.some((c) => c.entity === 'member' && c.projectId === A),
      async () => {
        passed = await progressGate(deps, B, 'resourcing', PM);
      },
    );
    const member = await ts.store.get(A, 'member', ALEX);

    await upsertMember({ ...deps, store }, A, ALEX, { version: member?.version ?? 0, allocation: 80 }, PM);

    expect(state.ran).toBe(true);
    expect(passed?.action).toBe('advanced');
    expect((await gateOf(B)).status).toBe('approved');
    expect(await ts.store.get(A, 'member', ALEX)).toMatchObject({ allocation: 80 });
    // A's own round no longer holds (140 %): withdrawn, naming the person.
    const gateA = await gateOf(A);
    expect(gateA.status).not.toBe('pending_approval');
    const withdrawn = (await ts.store.listEvents(A, { limit: 200 })).items.filter(
      (e) => e.type === 'approvals_withdrawn',
    );
    expect(JSON.stringify(withdrawn)).toMatch(/alex@msp\.example: 140 % in week/);
  });
});

describe('the writes that change what the capacity criterion reads bump the counter', () => {
  it('registration, a stage entered, an allocation changed, a member removed, an archive', async () => {
    const start = await allocations();
    await register(A, { team: team(30), stages: [{ key: 'resourcing' }, { key: 'deployment' }] });
    const registered = await allocations();
    expect(registered).toBeGreaterThan(start);

    // Entering the stage it is at already moves no window; the next stage does.
    await enterStage(deps, { projectId: A, stage: 'resourcing', executionStartedAt: START });
    expect(await allocations()).toBe(registered);
    await enterStage(deps, { projectId: A, stage: 'deployment', executionStartedAt: START });
    const entered = await allocations();
    expect(entered).toBe(registered + 1);

    // A skills-only change does not move it; an allocation change does.
    let member = await ts.store.get(A, 'member', ALEX);
    await upsertMember(deps, A, ALEX, { version: member?.version ?? 0, skills: ['exchange', 'dns'] }, PM);
    expect(await allocations()).toBe(entered);
    member = await ts.store.get(A, 'member', ALEX);
    await upsertMember(deps, A, ALEX, { version: member?.version ?? 0, allocation: 50 }, PM);
    expect(await allocations()).toBe(entered + 1);

    member = await ts.store.get(A, 'member', ALEX);
    await removeProjectRecord(deps, {
      projectId: A,
      entity: 'member',
      id: ALEX,
      version: member?.version,
      actor: PM,
    });
    expect(await allocations()).toBe(entered + 2);

    await archiveProject(deps, A, 'spec removed');
    expect(await allocations()).toBe(entered + 3);
  });
});

describe('the projects the index lists are read again by key', () => {
  it('a project the index still lists as active but closed meanwhile no longer counts', async () => {
    await register(A, { team: team(80) });
    await atResourcing(B, 60);
    const stale = await ts.store.getProject(A);
    if (!stale) throw new Error('no project A');
    // The index follows the table eventually: it still answers A as it was (active, 140 %).
    const store = Object.create(ts.store) as ProjectStore;
    store.listProjects = async (options) => {
      const page = await ts.store.listProjects(options);
      return { ...page, items: page.items.some((p) => p.id === A) ? page.items : [...page.items, stale] };
    };
    const project = await ts.store.getProject(B);
    if (!project) throw new Error('no project B');
    const held = await evaluateCriteria(store, project, 'resourcing', deps.clock.now());
    expect(held.unmet).toEqual([expect.stringMatching(/^alex@msp\.example: 140 %/)]);

    await ts.store.commit([{ ...stale, status: 'closed', closedAt: START }]);
    const freed = await evaluateCriteria(store, project, 'resourcing', deps.clock.now());
    expect(freed.unmet).toEqual([]);
  });
});

describe('a deploy too large for one transaction', () => {
  it('registers 230 team members, then adds 230 more, in chunks each with its allocations bump, within 100 items', async () => {
    const members = (allocation: number, from = 0): ProjectSpecInput['team'] =>
      Array.from({ length: 230 }, (_, i) => ({
        name: `Engineer ${from + i}`,
        email: `eng-${from + i}@msp.example`,
        role: 'engineer',
        skills: ['exchange'],
        allocation,
      }));
    const sizes: number[] = [];
    const store = Object.create(ts.store) as ProjectStore;
    store.commit = (changes, events, removals, options) => {
      sizes.push(
        changes.length +
          (events?.length ?? 0) +
          (options?.creations?.length ?? 0) +
          (options?.bumps?.length ?? 0) +
          (options?.checks?.length ?? 0),
      );
      return ts.store.commit(changes, events, removals, options);
    };
    const counted = { ...deps, store };
    const start = await allocations();
    const spec = makeProjectSpec({ id: A, name: 'Large', team: members(10) });
    await registerProject(
      counted,
      { file: `${A}.yaml`, spec, stages: resolveStages(spec) },
      { start: false },
    );
    expect((await ts.store.list(A, 'member')).length).toBe(230);
    const registered = await allocations();
    expect(registered - start).toBeGreaterThanOrEqual(3);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);

    sizes.length = 0;
    const grown = makeProjectSpec({ id: A, name: 'Large', team: [...members(10), ...members(20, 230)] });
    await registerProject(
      counted,
      { file: `${A}.yaml`, spec: grown, stages: resolveStages(grown) },
      { start: false },
    );
    const stored = await ts.store.list(A, 'member');
    expect(stored.filter((m) => m.allocation === 20)).toHaveLength(230);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect((await allocations()) - registered).toBeGreaterThanOrEqual(3);
  });
});
