import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { monitoringAlerts } from '../../functions/core/alerts.js';
import { runMonitoringCheck } from '../../functions/core/use-cases/run-monitoring-check.js';
import {
  makeProject,
  makeProjectSpec,
  makeStages,
  makeTask,
  makeTestStore,
  type TestStore,
} from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';

let ts: TestStore;
let deps: TestDeps;
const PM = 'pm@msp.example';

beforeEach(async () => {
  ts = await makeTestStore();
  deps = makeTestDeps(ts.store);
});
afterEach(async () => {
  await ts.drop();
});

/** A project whose first stage (due 2026-12-10) holds a 10-hour task not done: red from 2026-12-18. */
async function seedLate(id = 'late-project') {
  const spec = makeProjectSpec({
    id,
    stages: [
      { key: 'initiation', due: '2026-12-10' },
      { key: 'execution', due: '2027-01-20' },
      { key: 'support', due: '2027-02-26' },
    ],
  });
  const project = makeProject({}, spec);
  const stages = makeStages(project).map((s, i) => (i === 0 ? { ...s, status: 'active' as const } : s));
  await ts.store.commit([
    project,
    ...stages,
    makeTask({ projectId: id, id: 'kickoff', name: 'Kick-off', stage: 'initiation', estimateHours: 10 }),
  ]);
  return id;
}

const alertsTo = (email: string, kind: string) => deps.mailer.to(email).filter((m) => m.tag === kind);

describe('PM alerts from the monitoring check', () => {
  it('notifies the PM once when the project turns red, nothing while it stays red, and once when it is green again', async () => {
    const id = await seedLate();
    deps.clock.set('2026-12-18T09:00:00Z');
    await runMonitoringCheck(deps, id);

    const red = alertsTo(PM, 'health-changed');
    expect(red).toHaveLength(1);
    expect(red[0]?.subject).toContain('Health is red (was green)');
    expect(red[0]?.text).toContain('stage Initiation & Planning is 8 day(s) overdue');
    expect((await ts.store.getProject(id))?.monitoring?.notifiedRag).toBe('red');

    // The next day: still red, nothing new to say.
    deps.clock.set('2026-12-19T09:00:00Z');
    await runMonitoringCheck(deps, id);
    expect(alertsTo(PM, 'health-changed')).toHaveLength(1);
    expect(alertsTo(PM, 'deviation-opened')).toHaveLength(1);

    // Work done and the stage completed: back to green, told once.
    const task = await ts.store.get(id, 'task', 'kickoff');
    const stage = await ts.store.get(id, 'stage', 'initiation');
    if (!task || !stage) throw new Error('seeded records missing');
    await ts.store.commit([
      { ...task, status: 'done', actualHours: 9 },
      { ...stage, status: 'completed', completedAt: '2026-12-19T10:00:00Z' },
    ]);
    await runMonitoringCheck(deps, id);
    const changes = alertsTo(PM, 'health-changed');
    expect(changes.map((m) => m.subject.replace(/^.*: /, ''))).toEqual([
      'Health is red (was green)',
      'Health is green (was red)',
    ]);
    await runMonitoringCheck(deps, id);
    expect(alertsTo(PM, 'health-changed')).toHaveLength(2);
  });

  it('tells the PM about new deviations with their keys, and nobody of the customer', async () => {
    const id = await seedLate();
    deps.clock.set('2026-12-14T09:00:00Z');
    await runMonitoringCheck(deps, id);

    const opened = alertsTo(PM, 'deviation-opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]?.subject).toContain('2 deviations opened');
    expect(opened[0]?.text).toContain('(key overdue-stage:initiation)');
    expect(opened[0]?.text).toContain('(key spi)');
    const staffKinds = ['health-changed', 'deviation-opened'];
    for (const m of deps.mailer.sent) if (staffKinds.includes(m.tag ?? '')) expect(m.to).toEqual([PM]);
    // The summaries are kept for the digest as first found.
    expect(
      (await ts.store.getProject(id))?.monitoring?.deviationSummaries?.['overdue-stage:initiation'],
    ).toBe('Stage Initiation & Planning is overdue by 4 day(s) (due 2026-12-10)');
  });

  it('sends one alert when two checks run at once', async () => {
    const id = await seedLate();
    deps.clock.set('2026-12-18T09:00:00Z');
    await Promise.all([runMonitoringCheck(deps, id), runMonitoringCheck(deps, id)]);
    expect(alertsTo(PM, 'health-changed')).toHaveLength(1);
    expect(alertsTo(PM, 'deviation-opened')).toHaveLength(1);
  });
});

describe('monitoringAlerts', () => {
  it('takes the recorded RAG of a project checked before alerts existed as already notified', () => {
    const before = { checkedAt: 'x', rag: 'red' as const, spi: 1, cpi: 1, reasons: [], openDeviations: [] };
    expect(monitoringAlerts(before, 'red', []).ragChange).toBeUndefined();
    expect(monitoringAlerts(before, 'amber', []).ragChange).toEqual({ from: 'red', to: 'amber' });
    expect(monitoringAlerts(undefined, 'amber', []).ragChange).toEqual({ from: 'green', to: 'amber' });
    expect(monitoringAlerts(undefined, 'green', []).ragChange).toBeUndefined();
  });
});
