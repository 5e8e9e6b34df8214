import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  capacityByWeek,
  isoWeekOf,
  remainingStageWindows,
  weeksFrom,
} from '../../functions/core/capacity.js';
import { evaluateCriteria } from '../../functions/core/criteria.js';
import type { Project } from '../../functions/core/model.js';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { handleHttp } from '../../functions/http/app.js';
import {
  makeMember,
  makeProject,
  makeProjectSpec,
  makeResource,
  makeTestStore,
  type TestStore,
} from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';

let ts: TestStore;
let deps: TestDeps;
const NOW = '2026-12-08T10:00:00.000Z'; // Tuesday of the week of Monday 2026-12-07

beforeEach(async () => {
  ts = await makeTestStore();
  deps = makeTestDeps(ts.store);
  deps.clock.set(NOW);
});
afterEach(async () => {
  await ts.drop();
});

/** A project at `currentStage` with its members (email -> percent) and a resource, stored. */
async function seed(
  id: string,
  currentStage: string,
  members: Record<string, number>,
  spec: Partial<ProjectSpecInput> = {},
  project: Partial<Project> = {},
): Promise<Project> {
  const p = makeProject(
    { currentStage, ...project },
    makeProjectSpec({ id, name: `Project ${id}`, ...spec }),
  );
  await ts.store.commit([
    p,
    ...Object.entries(members).map(([email, allocation]) =>
      makeMember({ projectId: id, email, name: email.split('@')[0] ?? email, allocation }),
    ),
    makeResource({ projectId: id }),
  ]);
  return p;
}

describe('resourcing criteria across projects', () => {
  it('names the other project when the same engineer is at 60 % in both in overlapping windows', async () => {
    await seed('harbor-firewall', 'execution', { 'alex@msp.example': 60 });
    const second = await seed('acme-m365', 'resourcing', { 'alex@msp.example': 60, 'pm@msp.example': 30 });

    const result = await evaluateCriteria(ts.store, second, 'resourcing', new Date(NOW));

    expect(result.met).toBe(false);
    expect(result.unmet).toHaveLength(1);
    expect(result.unmet[0]).toMatch(
      /^alex@msp\.example: 120 % in week 2026-12-07 \(this 60 %, harbor-firewall 60 %\); over 100 % in \d+ weeks up to 2027-02-22\.$/,
    );
  });

  it('holds when the sum stays at 100 %, the windows do not overlap, or the other project is closed', async () => {
    await seed('at-limit', 'execution', { 'alex@msp.example': 40 });
    await seed(
      'later',
      'initiation',
      { 'alex@msp.example': 90 },
      { timeline: { start: '2027-06-01', end: '2027-08-27' } },
    );
    await seed('done', 'support', { 'alex@msp.example': 90 }, {}, { status: 'closed' });
    const second = await seed('acme-m365', 'resourcing', { 'alex@msp.example': 60 });

    expect(await evaluateCriteria(ts.store, second, 'resourcing', new Date(NOW))).toEqual({
      met: true,
      unmet: [],
    });
  });

  it('leaves out a project whose remaining stages end before this project starts', async () => {
    // The first project is in its last stage, due before the second one starts.
    await seed(
      'ending',
      'support',
      { 'alex@msp.example': 80 },
      {
        timeline: { start: '2026-10-01', end: '2026-12-31' },
        stages: [
          { key: 'initiation', due: '2026-10-05' },
          { key: 'execution', due: '2026-12-20' },
          { key: 'support', due: '2026-12-31' },
        ],
      },
    );
    const second = await seed(
      'starts-later',
      'resourcing',
      { 'alex@msp.example': 60 },
      {
        timeline: { start: '2027-01-04', end: '2027-03-26' },
      },
    );
    expect((await evaluateCriteria(ts.store, second, 'resourcing', new Date(NOW))).unmet).toEqual([]);
  });
});

describe('GET /api/capacity', () => {
  const get = (query: Record<string, string> = {}) =>
    handleHttp(deps, { method: 'GET', path: '/api/capacity', query, headers: {}, body: '', caller: 'local' });

  it('lists each person per ISO week with the projects contributing', async () => {
    await seed('harbor-firewall', 'execution', { 'alex@msp.example': 80 });
    await seed('acme-m365', 'resourcing', { 'Alex@msp.example': 60, 'pm@msp.example': 30 });

    const res = await get({ from: '2026-12-09', weeks: '3' });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.from).toBe('2026-12-07');
    expect(body.weeks).toEqual(['2026-12-07', '2026-12-14', '2026-12-21']);
    const alex = body.people.find((p: { email: string }) => p.email === 'alex@msp.example');
    expect(alex.peak).toBe(140);
    expect(alex.weeks[0]).toMatchObject({ week: '2026-12-07', isoWeek: '2026-W50', total: 140, over: true });
    expect(
      alex.weeks[0].projects.map((c: { projectId: string; allocation: number }) => [
        c.projectId,
        c.allocation,
      ]),
    ).toEqual([
      ['harbor-firewall', 80],
      ['acme-m365', 60],
    ]);
    expect(alex.weeks[0].projects[0].stages).toContain('execution');
    const pm = body.people.find((p: { email: string }) => p.email === 'pm@msp.example');
    expect(pm.weeks.map((w: { total: number; over: boolean }) => [w.total, w.over])).toEqual([
      [30, false],
      [30, false],
      [30, false],
    ]);
  });

  it('names the field of a bad query', async () => {
    const res = await get({ weeks: '60' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).issues[0].path).toBe('query.weeks');
    const bad = await get({ from: '2026-13-01' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).issues[0].path).toBe('query.from');
  });

  it('reads the active-projects index and one query per project, never a Scan', async () => {
    await seed('p1', 'execution', { 'alex@msp.example': 50 });
    await seed('p2', 'execution', { 'alex@msp.example': 50 });
    const sent: string[] = [];
    ts.client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'record-commands' },
    );
    expect((await get()).status).toBe(200);
    expect(sent).not.toContain('ScanCommand');
    expect(sent.filter((c) => c === 'QueryCommand')).toHaveLength(3);
  });
});

describe('capacity windows', () => {
  it('counts a project from its current stage to its end, and from today when the stage came early', () => {
    const project = makeProject(
      { currentStage: 'execution' },
      makeProjectSpec({
        stages: [
          { key: 'initiation', due: '2026-12-04' },
          { key: 'execution', due: '2027-01-29' },
          { key: 'support', due: '2027-02-26' },
        ],
      }),
    );
    const windows = remainingStageWindows(project, new Date('2026-12-02T10:00:00Z'));
    expect(windows.map((w) => [w.key, new Date(w.start).toISOString().slice(0, 10)])).toEqual([
      ['execution', '2026-12-02'],
      ['support', '2027-01-30'],
    ]);
    const people = capacityByWeek(
      [{ project, members: [makeMember({ allocation: 50 })] }],
      weeksFrom('2027-03-01', 1),
      new Date('2026-12-02T10:00:00Z'),
    );
    expect(people[0]?.weeks[0]?.total).toBe(0);
  });

  it('numbers ISO weeks across the turn of the year', () => {
    expect(isoWeekOf('2026-12-28')).toBe('2026-W53');
    expect(isoWeekOf('2027-01-04')).toBe('2027-W01');
    expect(isoWeekOf('2025-12-29')).toBe('2026-W01');
  });
});
