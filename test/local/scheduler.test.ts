import { afterEach, describe, expect, it } from 'vitest';
import { AcceleratedClock } from '../../functions/adapters/system-clock.js';
import type { Logger } from '../../functions/core/ports.js';
import {
  monitoringExpression,
  nextRun,
  portfolioDigestSchedule,
  type ScheduleKind,
  statusReportExpression,
} from '../../functions/core/schedules.js';
import { type ProjectSpec, projectSpecSchema } from '../../functions/core/spec/schema.js';
import { LocalScheduler } from '../../local/scheduler.js';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function spec(overrides: Partial<Record<string, unknown>> = {}): ProjectSpec {
  return projectSpecSchema.parse({
    id: 'acme',
    name: 'Acme',
    customer: { name: 'Acme', timezone: 'Europe/London' },
    objectives: ['o'],
    requirements: ['r'],
    scope: { in: ['i'], out: [] },
    deliverables: [{ id: 'd', name: 'd', stage: 'execution', acceptance: 'a' }],
    timeline: { start: '2027-01-04', end: '2027-03-01' },
    budget: { currency: 'GBP', amount: 100, hours: 10 },
    stakeholders: [
      { name: 'S', email: 's@acme.example', role: 'sponsor' },
      { name: 'A', email: 'a@acme.example', role: 'approver' },
    ],
    team: [{ name: 'P', email: 'p@msp.example', role: 'pm', allocation: 50 }],
    communication: { channels: ['email'], statusReport: { every: 'month', day: 'friday', at: '16:00' } },
    monitoring: { every: 'day', at: '08:30' },
    ...overrides,
  });
}

describe('nextRun of the deployed expressions', () => {
  it('finds the next daily time in the customer time zone, across daylight saving', () => {
    const daily = monitoringExpression(spec({ monitoring: { every: 'day', at: '08:30' } }));
    expect(nextRun(daily, 'Europe/London', new Date('2027-01-04T09:00:00Z')).toISOString()).toBe(
      '2027-01-05T08:30:00.000Z',
    );
    expect(nextRun(daily, 'Europe/London', new Date('2027-06-14T06:00:00Z')).toISOString()).toBe(
      '2027-06-14T07:30:00.000Z',
    );
  });

  it('finds a weekly time on its weekday in another zone', () => {
    // 2027-01-04 is a Monday; 04:00 in New York.
    const monday = monitoringExpression(spec({ monitoring: { every: 'week', at: '07:30' } }));
    expect(nextRun(monday, 'America/New_York', new Date('2027-01-04T09:00:00Z')).toISOString()).toBe(
      '2027-01-04T12:30:00.000Z',
    );
    expect(nextRun(monday, 'America/New_York', new Date('2027-01-04T13:00:00Z')).toISOString()).toBe(
      '2027-01-11T12:30:00.000Z',
    );
  });

  it('puts a monthly status report on the first such weekday of the month', () => {
    const monthly = statusReportExpression(spec());
    expect(nextRun(monthly, 'Europe/London', new Date('2027-01-08T17:00:00Z')).toISOString()).toBe(
      '2027-02-05T16:00:00.000Z',
    );
  });
});

describe('LocalScheduler', () => {
  let scheduler: LocalScheduler | undefined;
  afterEach(async () => {
    await scheduler?.stop();
  });

  it('runs the monitoring check on the accelerated clock and stops once the project is no longer active', async () => {
    // One clock day per 200 ms of real time, starting at midnight in London.
    const clock = new AcceleratedClock(new Date('2027-01-04T00:00:00Z'), 86_400 / 0.2);
    const runs: { kind: ScheduleKind; at: string }[] = [];
    let active = true;
    let resolveThird!: () => void;
    const third = new Promise<void>((r) => {
      resolveThird = r;
    });
    scheduler = new LocalScheduler({
      clock,
      factor: 86_400 / 0.2,
      log: quiet,
      isActive: async () => active,
      run: async (kind) => {
        runs.push({ kind, at: clock.now().toISOString() });
        if (runs.filter((r) => r.kind === 'monitor').length === 3) {
          active = false;
          resolveThird();
        }
      },
    });
    scheduler.add({ id: 'acme', spec: spec() });
    await third;
    const monitors = runs.filter((r) => r.kind === 'monitor');
    expect(monitors.map((r) => r.at.slice(0, 10))).toEqual(['2027-01-04', '2027-01-05', '2027-01-06']);
    // Each run is at or after 08:30 London (= UTC in winter) of its day.
    for (const m of monitors) expect(m.at.slice(11, 16) >= '08:30').toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(runs.filter((r) => r.kind === 'monitor')).toHaveLength(3);
  });

  it('logs a failed scheduled run with its event and its error, as the deployed on-failure record keeps them, and runs the next one', async () => {
    const clock = new AcceleratedClock(new Date('2027-01-04T00:00:00Z'), 86_400 / 0.2);
    const errors: { message: string; fields: Record<string, unknown> }[] = [];
    const log: Logger = {
      ...quiet,
      error: (message, fields) => {
        errors.push({ message, fields: fields ?? {} });
      },
    };
    class StoreUnavailable extends Error {
      override name = 'StoreUnavailable';
    }
    const monitors: string[] = [];
    let resolveSecond!: () => void;
    const second = new Promise<void>((r) => {
      resolveSecond = r;
    });
    scheduler = new LocalScheduler({
      clock,
      factor: 86_400 / 0.2,
      log,
      isActive: async () => true,
      run: async (kind) => {
        if (kind !== 'monitor') return;
        monitors.push(clock.now().toISOString());
        if (monitors.length === 1) throw new StoreUnavailable('the table did not answer');
        if (monitors.length === 2) resolveSecond();
      },
    });
    scheduler.add({ id: 'acme', spec: spec() });
    await second;
    expect(monitors.map((m) => m.slice(0, 10))).toEqual(['2027-01-04', '2027-01-05']);
    expect(errors).toEqual([
      {
        message: 'scheduled job failed',
        fields: {
          projectId: 'acme',
          kind: 'monitor',
          event: { kind: 'monitor', projectId: 'acme' },
          errorType: 'StoreUnavailable',
          errorMessage: 'the table did not answer',
        },
      },
    ]);
  });

  it('runs the platform’s daily digest at 07:00 in the platform’s time zone, day after day, also after a failed run', async () => {
    const clock = new AcceleratedClock(new Date('2027-06-01T00:00:00Z'), 86_400 / 0.2);
    const runs: string[] = [];
    let resolveThird!: () => void;
    const third = new Promise<void>((r) => {
      resolveThird = r;
    });
    scheduler = new LocalScheduler({
      clock,
      factor: 86_400 / 0.2,
      log: quiet,
      isActive: async () => true,
      run: async () => undefined,
    });
    scheduler.addPlatform(portfolioDigestSchedule('Europe/Berlin'), async () => {
      runs.push(clock.now().toISOString());
      if (runs.length === 3) resolveThird();
      if (runs.length === 1) throw new Error('the first digest failed');
    });
    await third;
    expect(runs.map((r) => r.slice(0, 10))).toEqual(['2027-06-01', '2027-06-02', '2027-06-03']);
    // 07:00 in Berlin is 05:00 UTC in summer (an accelerated clock runs each job a little after it).
    for (const r of runs) expect(r.slice(11, 16) >= '05:00').toBe(true);
    expect(scheduler.projectIds).toEqual([]);
  });
});
