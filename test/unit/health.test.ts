import { describe, expect, it } from 'vitest';
import { computeHealth } from '../../functions/core/health.js';
import type { Gate, Risk, Stage, Task } from '../../functions/core/model.js';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { localDate } from '../../functions/core/time.js';
import { makeGate, makeProject, makeProjectSpec, makeRisk, makeStages, makeTask } from '../support/dynamo.js';

// Timeline 2026-12-01..2027-02-26. Initiation runs Dec 1-10 (10 days), execution Dec 11-20.
function setup(overrides: Partial<ProjectSpecInput> = {}) {
  const spec = makeProjectSpec({
    stages: [
      { key: 'initiation', due: '2026-12-10' },
      { key: 'execution', due: '2026-12-20' },
      { key: 'support', due: '2027-02-26' },
    ],
    ...overrides,
  });
  const project = makeProject({}, spec);
  const stages = makeStages(project).map((s, i) => (i === 0 ? { ...s, status: 'active' as const } : s));
  return { project, stages };
}

function health(opts: {
  now: string;
  tasks?: Task[];
  risks?: Risk[];
  stages?: Stage[];
  spec?: Partial<ProjectSpecInput>;
}) {
  const { project, stages } = setup(opts.spec);
  return computeHealth({
    project,
    stages: opts.stages ?? stages,
    tasks: opts.tasks ?? [],
    risks: opts.risks ?? [],
    now: new Date(opts.now),
  });
}

const task = (id: string, overrides: Partial<Task>) =>
  makeTask({ id, name: id, stage: 'initiation', ...overrides });

describe('computeHealth', () => {
  it('is green with SPI and CPI of 1 when nothing is planned or spent yet', () => {
    const h = health({ now: '2026-11-20T12:00:00Z', tasks: [task('a', { estimateHours: 8 })] });
    expect(h).toMatchObject({ rag: 'green', spi: 1, cpi: 1, reasons: [] });
  });

  it('plans each task evenly across its stage window and earns done estimates', () => {
    // Dec 6 00:00 London: half of the 10-day initiation window has passed -> PV = 10 x 0.5 = 5.
    const h = health({
      now: '2026-12-06T00:00:00Z',
      tasks: [
        task('a', { estimateHours: 4, status: 'done', actualHours: 4 }),
        task('b', { estimateHours: 6, status: 'in_progress', actualHours: 2 }),
      ],
    });
    expect(h.plannedHours).toBe(5);
    expect(h.earnedHours).toBe(4);
    expect(h.actualHours).toBe(6);
    expect(h.spi).toBe(0.8);
    expect(h.cpi).toBe(0.67);
  });

  it('is amber when SPI is below its threshold and names the index', () => {
    const h = health({
      now: '2026-12-06T00:00:00Z',
      tasks: [
        task('a', { estimateHours: 4, status: 'done', actualHours: 4 }),
        task('b', { estimateHours: 6 }),
      ],
    });
    expect(h.spi).toBe(0.8);
    expect(h.cpi).toBe(1);
    expect(h.rag).toBe('amber');
    expect(h.reasons).toEqual(['SPI 0.80 is below 0.90 (behind schedule)']);
  });

  it('uses the thresholds of the spec', () => {
    const h = health({
      now: '2026-12-06T00:00:00Z',
      spec: { monitoring: { every: 'day', at: '08:00', thresholds: { spi: 0.75, cpi: 0.9 } } },
      tasks: [
        task('a', { estimateHours: 4, status: 'done', actualHours: 4 }),
        task('b', { estimateHours: 6 }),
      ],
    });
    expect(h.rag).toBe('green');
  });

  it('is red when SPI is far below its threshold', () => {
    const h = health({ now: '2026-12-06T00:00:00Z', tasks: [task('a', { estimateHours: 10 })] });
    expect(h.spi).toBe(0);
    expect(h.rag).toBe('red');
    expect(h.reasons[0]).toMatch(/^SPI 0\.00 is far below 0\.90/);
  });

  it('is red when CPI is far below its threshold', () => {
    const h = health({
      now: '2026-12-10T12:00:00Z',
      tasks: [task('a', { estimateHours: 10, status: 'done', actualHours: 20 })],
    });
    expect(h.spi).toBe(1.05);
    expect(h.cpi).toBe(0.5);
    expect(h.rag).toBe('red');
    expect(h.reasons).toEqual(['CPI 0.50 is far below 0.90 (over budget)']);
  });

  it('leaves hours spent on work without an estimate out of CPI but in the actual hours', () => {
    const h = health({
      now: '2026-12-10T12:00:00Z',
      tasks: [
        task('a', { estimateHours: 10, status: 'done', actualHours: 10 }),
        task('b', { estimateHours: 0, status: 'done', actualHours: 30 }),
      ],
    });
    expect(h.cpi).toBe(1);
    expect(h.actualHours).toBe(40);
    expect(h.reasons).not.toContainEqual(expect.stringContaining('CPI'));
  });

  it('leaves a waived task out of planned and earned value', () => {
    const base = health({ now: '2026-12-10T12:00:00Z', tasks: [task('a', { estimateHours: 10 })] });
    const withWaived = health({
      now: '2026-12-10T12:00:00Z',
      tasks: [
        task('a', { estimateHours: 10 }),
        task('b', { estimateHours: 50, status: 'waived', waiverReason: 'descoped', actualHours: 1 }),
      ],
    });
    expect(withWaived.plannedHours).toBe(base.plannedHours);
    expect(withWaived.earnedHours).toBe(base.earnedHours);
    expect(withWaived.actualHours).toBe(1);
  });

  it('plans a task with its own due date up to that date', () => {
    // Window Dec 1 .. end of Dec 3: fully elapsed on Dec 6.
    const h = health({
      now: '2026-12-06T00:00:00Z',
      tasks: [task('a', { estimateHours: 10, due: '2026-12-03' })],
    });
    expect(h.plannedHours).toBe(10);
    expect(h.reasons).toContain('1 task(s) overdue: a');
  });

  it('is amber for a stage a few days overdue and red past a week', () => {
    const amber = health({ now: '2026-12-13T12:00:00Z' });
    expect(amber.rag).toBe('amber');
    expect(amber.reasons).toEqual(['stage Initiation & Planning is 3 day(s) overdue (due 2026-12-10)']);
    const red = health({ now: '2026-12-19T12:00:00Z' });
    expect(red.rag).toBe('red');
    expect(red.reasons).toContain('stage Initiation & Planning is 9 day(s) overdue (due 2026-12-10)');
  });

  it('does not count a completed stage as overdue', () => {
    const { stages } = setup();
    const done = stages.map((s, i) => (i === 0 ? { ...s, status: 'completed' as const } : s));
    expect(health({ now: '2026-12-13T12:00:00Z', stages: done }).rag).toBe('green');
  });

  it("takes today in the customer's time zone", () => {
    // 03:00 UTC on Dec 11 is Dec 11 in London but still Dec 10 in New York.
    const now = '2026-12-11T03:00:00Z';
    expect(health({ now }).reasons).toHaveLength(1);
    const ny = health({ now, spec: { customer: { name: 'Acme', timezone: 'America/New_York' } } });
    expect(ny.reasons).toEqual([]);
    expect(localDate(new Date(now), 'America/New_York')).toBe('2026-12-10');
  });

  it('is amber for an open high risk and red when it has no owner or mitigation', () => {
    const now = '2026-12-02T12:00:00Z';
    const high = makeRisk({ id: 'outage', title: 'Outage', likelihood: 3, impact: 5 });
    expect(health({ now, risks: [high] })).toMatchObject({
      rag: 'amber',
      reasons: ['high risk "Outage" (score 15) is open'],
    });
    const unowned = { ...high, owner: undefined };
    expect(health({ now, risks: [unowned] })).toMatchObject({
      rag: 'red',
      reasons: ['high risk "Outage" (score 15) is open without an owner'],
    });
  });

  it('ignores low and mitigated risks', () => {
    const now = '2026-12-02T12:00:00Z';
    const risks = [
      makeRisk({ id: 'low', likelihood: 2, impact: 5 }),
      makeRisk({ id: 'done', likelihood: 5, impact: 5, status: 'mitigated' }),
    ];
    expect(health({ now, risks }).rag).toBe('green');
  });

  it('is red for an active project past its timeline end', () => {
    const { stages } = setup();
    const done = stages.map((s) => ({ ...s, status: 'completed' as const }));
    const h = health({ now: '2027-03-02T12:00:00Z', stages: done });
    expect(h.rag).toBe('red');
    expect(h.reasons).toEqual(['the project is past its planned end 2027-02-26']);
  });
});

describe('the forecast end', () => {
  const HOUR = 3_600_000;
  const gate = (overrides: Partial<Gate>) => makeGate({ stage: 'initiation', ...overrides });

  it('is the timeline end when the project never waited on its customer', () => {
    expect(health({ now: '2026-12-06T12:00:00Z' })).toMatchObject({
      customerWaitMs: 0,
      forecastEnd: '2027-02-26',
    });
  });

  it('moves by the wait over every gate and round, the open round counted up to now, in whole days', () => {
    const { project, stages } = setup();
    const gates = [
      gate({ status: 'approved', customerWaitMs: 30 * HOUR }),
      gate({
        stage: 'execution',
        status: 'pending_approval',
        requestedAt: '2026-12-05T12:00:00.000Z',
        customerWaitMs: 4 * HOUR,
      }),
    ];
    const at = (now: string) =>
      computeHealth({ project, stages, tasks: [], risks: [], gates, now: new Date(now) });
    // 30 h + 4 h + 24 h = 58 h = 2.4 days -> 2 days.
    expect(at('2026-12-06T12:00:00Z')).toMatchObject({
      customerWaitMs: 58 * HOUR,
      forecastEnd: '2027-02-28',
    });
    // 12 hours later: 70 h = 2.9 days -> 3 days; the date moves across the month end.
    expect(at('2026-12-07T00:00:00Z')).toMatchObject({
      customerWaitMs: 70 * HOUR,
      forecastEnd: '2027-03-01',
    });
  });

  it('stops counting an open round when the project is archived', () => {
    const { project, stages } = setup();
    const archived = { ...project, status: 'archived' as const, archivedAt: '2026-12-06T12:00:00.000Z' };
    const gates = [gate({ status: 'pending_approval', requestedAt: '2026-12-01T12:00:00.000Z' })];
    const h = computeHealth({
      project: archived,
      stages,
      tasks: [],
      risks: [],
      gates,
      now: new Date('2027-01-30T00:00:00Z'),
    });
    expect(h).toMatchObject({ customerWaitMs: 5 * 24 * HOUR, forecastEnd: '2027-03-03' });
  });
});
