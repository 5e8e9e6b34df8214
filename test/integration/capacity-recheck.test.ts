/**
 * Project B's resourcing gate counts each member's allocation across the active projects
 * (capacity.ts). A change in project A that frees or takes a shared person lets B's gate check
 * again at once (recheck-capacity-gates.ts), through the real use cases that change A: a team
 * member's write, closing, archiving, a deploy of its spec.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Gate, Project } from '../../functions/core/model.js';
import type { ProjectStore } from '../../functions/core/ports.js';
import { type ProjectSpecInput, resolveStages } from '../../functions/core/spec/schema.js';
import { archiveProject } from '../../functions/core/use-cases/archive-project.js';
import { closeProject } from '../../functions/core/use-cases/close-project.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import {
  MAX_CAPACITY_RECHECKS,
  recheckCapacityGates,
} from '../../functions/core/use-cases/recheck-capacity-gates.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import { upsertMember } from '../../functions/core/use-cases/staff-upsert-member.js';
import { handleHttp } from '../../functions/http/app.js';
import {
  makeGate,
  makeMember,
  makeProject,
  makeProjectSpec,
  makeResource,
  makeTestStore,
  type TestStore,
} from '../support/dynamo.js';
import { type CapturingLogger, makeTestDeps, START, type TestDeps } from '../support/fakes.js';
import { countEvents, decideLink, linkIds } from './lifecycle-support.js';

const ALEX = 'alex@msp.example';
const PM = 'pm@msp.example';
const A = 'harbor-firewall';
const B = 'acme-m365';
const TOKEN_B = 'token-b-resourcing';

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
function team(allocation: number, email = ALEX): ProjectSpecInput['team'] {
  return [{ name: email.split('@')[0] ?? email, email, role: 'engineer', skills: ['exchange'], allocation }];
}

/** Registers a project from the default spec with `overrides` (not started). */
async function register(id: string, overrides: Partial<ProjectSpecInput>): Promise<void> {
  const spec = makeProjectSpec({ id, name: `Project ${id}`, ...overrides });
  await registerProject(deps, { file: `${id}.yaml`, spec, stages: resolveStages(spec) }, { start: false });
}

/** Project A (at initiation: its criteria are its own) holding the engineer at `percent`. */
async function projectA(percent: number): Promise<void> {
  await register(A, { team: team(percent) });
}

/**
 * Project B entered at resourcing, the engineer at 60 %, its gate opened: `auto`, or asking the
 * approver when `approver`. Returns the gate as it stands.
 */
async function projectB(options: { approver?: boolean } = {}) {
  await register(B, {
    team: team(60),
    stages: [
      options.approver
        ? { key: 'resourcing', gate: { approvers: ['approver'], rule: 'all' } }
        : { key: 'resourcing' },
      { key: 'deployment' },
    ],
  });
  await enterStage(deps, { projectId: B, stage: 'resourcing', executionStartedAt: START });
  await openGate(deps, { projectId: B, stage: 'resourcing', taskToken: TOKEN_B });
  return gateOf(B);
}

async function gateOf(projectId: string, stage = 'resourcing') {
  const gate = await ts.store.get(projectId, 'gate', stage);
  if (!gate) throw new Error(`no gate ${stage} in ${projectId}`);
  return gate;
}

/** Sets the engineer's allocation in A through the staff use case (the version read first). */
async function allocateInA(percent: number): Promise<void> {
  const member = await ts.store.get(A, 'member', ALEX);
  await upsertMember(deps, A, ALEX, { version: member?.version ?? 0, allocation: percent }, PM);
}

/** Sets the engineer's allocation in `projectId` straight in the store: no use case, no follow-up. */
async function allocateInStore(projectId: string, percent: number): Promise<void> {
  const member = await ts.store.get(projectId, 'member', ALEX);
  if (!member) throw new Error(`no member ${ALEX} in ${projectId}`);
  await ts.store.commit([{ ...member, allocation: percent }]);
}

function logLines(): string[] {
  return (deps.log as CapturingLogger).lines;
}

async function eventsOf(projectId: string) {
  return (await ts.store.listEvents(projectId, { limit: 200 })).items;
}

describe('a change in another project lets a resourcing gate check again', () => {
  it('passes an auto gate held by the other project once its allocation is lowered', async () => {
    await projectA(60);
    const held = await projectB();
    expect(held.status).toBe('waiting');
    expect(deps.workflow.successes).toEqual([]);

    await allocateInA(40);

    expect((await gateOf(B)).status).toBe('approved');
    expect(deps.workflow.successes).toEqual([
      { taskToken: TOKEN_B, output: { stage: 'resourcing', round: 0, decision: 'auto' } },
    ]);
    const passed = (await eventsOf(B)).filter((e) => e.type === 'gate_approved');
    expect(passed).toHaveLength(1);
    expect(passed[0]?.actor).toBe('system');
  });

  it('passes it through the staff API too (PUT /api/projects/{id}/team/{email})', async () => {
    await projectA(60);
    expect((await projectB()).status).toBe('waiting');
    const member = await ts.store.get(A, 'member', ALEX);

    const res = await handleHttp(deps, {
      method: 'PUT',
      path: `/api/projects/${A}/team/${ALEX}`,
      query: {},
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: member?.version, allocation: 40 }),
      caller: 'local',
    });

    expect(res.status).toBe(200);
    expect((await gateOf(B)).status).toBe('approved');
  });

  it('sends the approval requests of a gate held by the other project once its allocation is lowered', async () => {
    await projectA(60);
    expect((await projectB({ approver: true })).status).toBe('waiting');
    expect(deps.mailer.tagged('approval-request')).toHaveLength(0);

    await allocateInA(40);

    expect((await gateOf(B)).status).toBe('pending_approval');
    const requests = deps.mailer.tagged('approval-request');
    expect(requests.map((m) => m.to)).toEqual([['approver@acme.example']]);
    expect(requests[0]?.subject).toContain(`Project ${B}`);
  });

  it('withdraws the round whose requests are out when the other project raises the allocation', async () => {
    await projectA(40);
    const requested = await projectB({ approver: true });
    expect(requested.status).toBe('pending_approval');
    const [link] = linkIds(deps.mailer.tagged('approval-request'));

    await allocateInA(60);

    const gate = await gateOf(B);
    expect(gate.status).toBe('waiting');
    const events = await eventsOf(B);
    expect(countEvents(events, 'approvals_withdrawn')).toBe(1);
    expect(JSON.stringify(events.find((e) => e.type === 'approvals_withdrawn'))).toContain(
      `${ALEX}: 120 % in week`,
    );
    // The approver's link no longer decides anything.
    expect(await decideLink(deps, link ?? '', 'approve')).toBe('neutral');
    expect((await gateOf(B)).status).toBe('waiting');
    expect(deps.workflow.successes).toEqual([]);
  });

  it('leaves B alone when A changes only what B does not count (a name) or a person B does not share', async () => {
    await projectA(60);
    await projectB();
    // Lowered behind the use cases' back: a check of B now would pass it.
    await allocateInStore(A, 40);
    const member = await ts.store.get(A, 'member', ALEX);
    await upsertMember(deps, A, ALEX, { version: member?.version ?? 0, name: 'Alex Kim' }, PM);
    await upsertMember(
      deps,
      A,
      'sam@msp.example',
      { name: 'Sam', role: 'engineer', allocation: 10, skills: [] },
      PM,
    );
    expect((await gateOf(B)).status).toBe('waiting');
    expect(deps.workflow.successes).toEqual([]);

    // A write of the shared person's allocation checks B.
    await allocateInA(40);
    expect((await gateOf(B)).status).toBe('approved');
  });

  it('frees B when A is closed', async () => {
    await projectA(60);
    expect((await projectB()).status).toBe('waiting');

    expect((await closeProject(deps, { projectId: A })).closed).toBe(true);

    expect((await gateOf(B)).status).toBe('approved');
    expect(deps.workflow.successes.map((s) => s.taskToken)).toEqual([TOKEN_B]);
  });

  it('frees B when A is closed while the active-projects index still lists A (it follows the table eventually)', async () => {
    await projectA(60);
    expect((await projectB()).status).toBe('waiting');
    const before = await ts.store.getProject(A);
    if (!before) throw new Error('no project A');
    const stale = staleIndex(ts.store, before);

    expect((await closeProject({ ...deps, store: stale }, { projectId: A })).closed).toBe(true);

    expect((await gateOf(B)).status).toBe('approved');
  });

  it('frees B when A is archived', async () => {
    await projectA(60);
    expect((await projectB()).status).toBe('waiting');

    expect(await archiveProject(deps, A, 'its spec was removed')).toEqual({ archived: true });

    expect((await gateOf(B)).status).toBe('approved');
  });

  it('asks again when A is archived and withdraws the round when A is restored by a deploy', async () => {
    await projectA(60);
    expect((await projectB({ approver: true })).status).toBe('waiting');

    await archiveProject(deps, A, 'its spec was removed');
    expect((await gateOf(B)).status).toBe('pending_approval');

    await register(A, { team: team(60) });
    expect((await ts.store.getProject(A))?.status).toBe('active');
    expect((await gateOf(B)).status).toBe('waiting');
    expect(countEvents(await eventsOf(B), 'approvals_withdrawn')).toBe(1);
  });

  it('frees B when a deploy of A moves its timeline past B', async () => {
    await projectA(60);
    expect((await projectB()).status).toBe('waiting');

    await register(A, { team: team(60), timeline: { start: '2027-06-01', end: '2027-08-27' } });

    expect((await gateOf(B)).status).toBe('approved');
  });

  it('does not check B after a deploy of A that changes nothing B counts', async () => {
    await projectA(60);
    expect((await projectB()).status).toBe('waiting');
    // Lowered behind the use cases' back: a check of B now would pass it.
    await allocateInStore(A, 40);

    await register(A, { team: team(60), objectives: ['Same people, same dates, other words'] });

    expect((await ts.store.getProject(A))?.spec.objectives).toEqual(['Same people, same dates, other words']);
    expect((await gateOf(B)).status).toBe('waiting');
  });

  it('withdraws the round of B when a new project is registered with the same engineer over the same weeks', async () => {
    await projectA(30);
    expect((await projectB({ approver: true })).status).toBe('pending_approval');

    await register('new-project', { team: team(50) });

    expect((await gateOf(B)).status).toBe('waiting');
    expect(countEvents(await eventsOf(B), 'approvals_withdrawn')).toBe(1);
  });
});

describe('recheckCapacityGates', () => {
  it('progresses only the other projects at an open cross-project gate that share a person', async () => {
    await projectA(60);
    await projectB();
    // C at resourcing, its gate waiting and its criteria met, sharing nobody: progressGate would pass it.
    const c = await seedAtResourcing('c-unrelated', 'bob@msp.example');
    // D shares the engineer, but its current stage's criteria read only its own project.
    await seedAtStage('d-execution', 'execution', ALEX, 0);
    // E shares the engineer at resourcing, but its gate was decided: nothing can move it.
    await seedAtStage('e-decided', 'resourcing', ALEX, 0, { status: 'approved', decidedAt: START });
    const versionC = (await gateOf(c)).version;
    await allocateInStore(A, 40);

    const result = await recheckCapacityGates(deps, { projectId: A, emails: ['Alex@MSP.example'] });

    expect(result).toEqual({
      rechecked: [{ projectId: B, stage: 'resourcing', action: 'advanced' }],
      failed: [],
      deferred: [],
    });
    const gateC = await gateOf(c);
    expect([gateC.status, gateC.version]).toEqual(['waiting', versionC]);
    expect(countEvents(await eventsOf(c), 'gate_approved')).toBe(0);
  });

  it('checks every member of the project when no emails are given, never the project itself', async () => {
    await projectA(60);
    await projectB();
    await allocateInStore(A, 40);

    const result = await recheckCapacityGates(deps, { projectId: B });
    expect(result.rechecked).toEqual([]);
    expect((await recheckCapacityGates(deps, { projectId: A })).rechecked.map((r) => r.projectId)).toEqual([
      B,
    ]);
  });

  it('goes on with the other projects when one fails, and logs it', async () => {
    await projectA(60);
    // 60 % in A and 20 % in each: 100 %, not over.
    const first = await seedAtResourcing('b1-first', ALEX, 20);
    const second = await seedAtResourcing('b2-second', ALEX, 20);
    const failing = failingGateReads(ts.store, first);

    const result = await recheckCapacityGates({ ...deps, store: failing }, { projectId: A });

    expect(result.failed).toEqual([first]);
    expect(result.rechecked.map((r) => r.projectId)).toEqual([second]);
    expect(logLines().some((l) => l.includes('"level":"error"') && l.includes(first))).toBe(true);
    expect((await gateOf(second)).status).toBe('approved');
  });

  it('passes a gate once and asks its approvers once when two changes recheck it at the same moment', async () => {
    await projectA(60);
    await projectB();
    await register('c-approver', {
      team: team(10),
      stages: [{ key: 'resourcing', gate: { approvers: ['approver'], rule: 'all' } }, { key: 'deployment' }],
    });
    await enterStage(deps, { projectId: 'c-approver', stage: 'resourcing', executionStartedAt: START });
    await openGate(deps, { projectId: 'c-approver', stage: 'resourcing', taskToken: 'token-c' });
    // 60 + 60 + 10: both held.
    expect((await gateOf('c-approver')).status).toBe('waiting');
    await allocateInStore(A, 20);

    await Promise.all([
      recheckCapacityGates(deps, { projectId: A }),
      recheckCapacityGates(deps, { projectId: A, emails: [ALEX] }),
      recheckCapacityGates(deps, { projectId: A }),
    ]);

    expect(deps.workflow.successes.map((x) => x.taskToken)).toEqual([TOKEN_B]);
    expect(countEvents(await eventsOf(B), 'gate_approved')).toBe(1);
    expect((await gateOf('c-approver')).status).toBe('pending_approval');
    expect(deps.mailer.tagged('approval-request').map((m) => m.to)).toEqual([['approver@acme.example']]);
  });

  it('progresses at most MAX_CAPACITY_RECHECKS projects and leaves the others to their monitoring check', async () => {
    await projectA(60);
    const ids = Array.from(
      { length: MAX_CAPACITY_RECHECKS + 1 },
      (_, i) => `p-${String(i).padStart(2, '0')}`,
    );
    for (const id of ids) await seedAtResourcing(id, ALEX, 1);

    const result = await recheckCapacityGates(deps, { projectId: A, emails: [ALEX] });

    expect(result.rechecked.map((r) => r.projectId)).toEqual(ids.slice(0, MAX_CAPACITY_RECHECKS));
    expect(result.deferred).toEqual(ids.slice(MAX_CAPACITY_RECHECKS));
    expect((await gateOf(ids.at(-1) ?? '')).status).toBe('waiting');
    expect(logLines().some((l) => l.includes('capacity recheck bounded'))).toBe(true);
  });

  it('reads the index, the gates in one batch and one Query per candidate: never a Scan', async () => {
    await projectA(60);
    await projectB();
    await seedAtResourcing('c-unrelated', 'bob@msp.example');
    await allocateInStore(A, 40);
    const sent: string[] = [];
    ts.client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'record-commands' },
    );

    await recheckCapacityGates(deps, { projectId: A, emails: [ALEX] });

    expect(sent).not.toContain('ScanCommand');
    // Before B's progressGate: the index, the two candidates' gates, their two member lists.
    expect(sent.slice(0, 4)).toEqual(['QueryCommand', 'BatchGetItemCommand', 'QueryCommand', 'QueryCommand']);
  });

  it('never throws: a failing index read is logged and nothing is progressed', async () => {
    const broken = { ...deps, store: Object.create(ts.store) as ProjectStore };
    broken.store.listProjects = async () => {
      throw new Error('throttled');
    };
    expect(await recheckCapacityGates(broken, { projectId: A })).toEqual({
      rechecked: [],
      failed: [],
      deferred: [],
    });
    expect(logLines().some((l) => l.includes('capacity recheck of the other projects failed'))).toBe(true);
  });
});

/**
 * A project at resourcing whose criteria hold (one member with the required skill at `percent`, a
 * resource with its cost), its `auto` gate waiting with a token: stored as is, never progressed.
 */
async function seedAtResourcing(id: string, email: string, percent = 50): Promise<string> {
  await seedAtStage(id, 'resourcing', email, percent);
  return id;
}

async function seedAtStage(
  id: string,
  stage: string,
  email: string,
  percent: number,
  gate: Partial<Gate> = {},
): Promise<void> {
  const project = makeProject({ currentStage: stage }, makeProjectSpec({ id, name: `Project ${id}` }));
  await ts.store.commit([
    project,
    makeMember({ projectId: id, email, name: email, allocation: percent, skills: ['exchange'] }),
    makeResource({ projectId: id }),
    makeGate({ projectId: id, stage, rule: 'auto', approvers: [], taskToken: `token-${id}`, ...gate }),
  ]);
}

/** `store` whose active-projects listing still shows `project` as it was (active). */
function staleIndex(store: ProjectStore, project: Project): ProjectStore {
  const view = Object.create(store) as ProjectStore;
  view.listProjects = async (options) => {
    const page = await store.listProjects(options);
    if (!options?.activeOnly || page.items.some((p) => p.id === project.id)) return page;
    return { ...page, items: [...page.items, project] };
  };
  return view;
}

/** `store` whose single reads of `projectId`'s gates fail (as a throttled request would). */
function failingGateReads(store: ProjectStore, projectId: string): ProjectStore {
  const view = Object.create(store) as ProjectStore;
  view.get = (async (id: string, entity: Parameters<ProjectStore['get']>[1], childId: string) => {
    if (id === projectId && entity === 'gate') throw new Error('throttled');
    return store.get(id, entity, childId);
  }) as ProjectStore['get'];
  return view;
}
