/**
 * The schedules a project stack deploys and the runs the local scheduler computes agree: for specs
 * in several time zones (daylight-saving changes in both hemispheres, at midnight, at a quarter
 * hour, none at all), the expression and zone read from the synthesized template, evaluated by the
 * core's `nextRun`, give exactly the runs that an independent reading of the spec's cadence under
 * EventBridge Scheduler's rules gives: a local time that does not exist that day (spring forward)
 * is skipped, one that occurs twice (fall back) runs once, at its first occurrence.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { nextRun, type ScheduleKind, statusReportDue } from '../../functions/core/schedules.js';
import type { LoadedSpec } from '../../functions/core/spec/load.js';
import type { ProjectSpec } from '../../functions/core/spec/schema.js';
import { localDate } from '../../functions/core/time.js';
import { buildApp, loadProjectSpecs } from '../../infra/build-app.js';
import { SETTINGS } from './support.js';

interface Case {
  id: string;
  timezone: string;
  monitoring: { every: 'day' | 'week'; at: string };
  statusReport: ProjectSpec['communication']['statusReport'];
}

const CASES: Case[] = [
  {
    // 01:30 is skipped on 2027-03-28 and occurs twice on 2027-10-31.
    id: 'sched-london',
    timezone: 'Europe/London',
    monitoring: { every: 'day', at: '01:30' },
    statusReport: { every: 'week', day: 'sunday', at: '01:15' },
  },
  {
    // 02:30 is skipped on Sunday 2027-03-14 and occurs twice on 2027-11-07 (fall back at 02:00 -> 01:00: 01:xx twice).
    id: 'sched-new-york',
    timezone: 'America/New_York',
    monitoring: { every: 'week', at: '02:30' },
    statusReport: { every: 'fortnight', day: 'sunday', at: '01:30' },
  },
  {
    // Southern hemisphere: 02:00 -> 03:00 on Sunday 2027-10-03 (the first Sunday of October).
    id: 'sched-sydney',
    timezone: 'Australia/Sydney',
    monitoring: { every: 'day', at: '02:30' },
    statusReport: { every: 'month', day: 'sunday', at: '02:15' },
  },
  {
    // The clocks change at midnight: 00:00 does not exist on 2027-09-05.
    id: 'sched-santiago',
    timezone: 'America/Santiago',
    monitoring: { every: 'day', at: '00:00' },
    statusReport: { every: 'fortnight', day: 'saturday', at: '23:30' },
  },
  {
    // A quarter-hour offset with daylight saving at 02:45.
    id: 'sched-chatham',
    timezone: 'Pacific/Chatham',
    monitoring: { every: 'day', at: '02:45' },
    statusReport: { every: 'month', day: 'monday', at: '09:00' },
  },
  {
    // A half-hour offset, no daylight saving.
    id: 'sched-kolkata',
    timezone: 'Asia/Kolkata',
    monitoring: { every: 'week', at: '09:15' },
    statusReport: { every: 'week', day: 'friday', at: '17:45' },
  },
];

const FROM = new Date('2027-01-01T00:00:00Z');
const UNTIL = new Date('2028-01-01T00:00:00Z');
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

// --- An independent reading of the cadence (Intl only: no croner, no core time helpers) ----------

const formats = new Map<string, Intl.DateTimeFormat>();
/** Local wall-clock time at `instant` in `timeZone`, as UTC ms. */
function wall(instant: number, timeZone: string): number {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(instant)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!);
}

/** The earliest instant showing local time `local` (UTC ms of the wall clock), or none in a gap. */
function instantOf(local: number, timeZone: string): number | undefined {
  const offsets = new Set(
    [-36, 0, 36].map((h) => wall(local + h * 3_600_000, timeZone) - (local + h * 3_600_000)),
  );
  const candidates = [...offsets].map((o) => local - o).filter((t) => wall(t, timeZone) === local);
  return candidates.length > 0 ? Math.min(...candidates) : undefined;
}

/** Every run in [from, until) of a local time, on days that pass `day`, the EventBridge way. */
function referenceRuns(
  cadence: { at: string; weekday?: number; firstWeekOfMonth?: boolean },
  timeZone: string,
): string[] {
  const [hour, minute] = cadence.at.split(':').map(Number) as [number, number];
  const out: string[] = [];
  const first = new Date(wall(FROM.getTime(), timeZone));
  for (let d = 0; d < 370; d++) {
    const date = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate() + d));
    if (cadence.weekday !== undefined && date.getUTCDay() !== cadence.weekday) continue;
    if (cadence.firstWeekOfMonth && date.getUTCDate() > 7) continue;
    const t = instantOf(date.getTime() + (hour * 60 + minute) * 60_000, timeZone);
    if (t !== undefined && t > FROM.getTime() && t < UNTIL.getTime()) out.push(new Date(t).toISOString());
  }
  return out;
}

function cadenceOf(c: Case, kind: ScheduleKind) {
  if (kind === 'monitor')
    return { at: c.monitoring.at, ...(c.monitoring.every === 'week' ? { weekday: 1 } : {}) };
  return {
    at: c.statusReport.at,
    weekday: WEEKDAYS.indexOf(c.statusReport.day),
    ...(c.statusReport.every === 'month' ? { firstWeekOfMonth: true } : {}),
  };
}

// --- What the stack deploys, and what the local scheduler computes from it ----------------------

interface Deployed {
  expression: string;
  timeZone: string;
}
const deployed = new Map<string, Deployed>();

beforeAll(async () => {
  const [example] = await loadProjectSpecs('projects');
  const specs: LoadedSpec[] = CASES.map((c) => ({
    ...example!,
    spec: {
      ...example!.spec,
      id: c.id,
      customer: { ...example!.spec.customer, timezone: c.timezone },
      monitoring: { ...example!.spec.monitoring, ...c.monitoring },
      communication: { ...example!.spec.communication, statusReport: c.statusReport },
    },
  }));
  const built = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), specs, SETTINGS);
  for (const [id, stack] of built.projects) {
    for (const s of Object.values(Template.fromStack(stack).findResources('AWS::Scheduler::Schedule'))) {
      const kind = JSON.parse(s.Properties.Target.Input).kind as ScheduleKind;
      deployed.set(`${id}/${kind}`, {
        expression: s.Properties.ScheduleExpression,
        timeZone: s.Properties.ScheduleExpressionTimezone,
      });
    }
  }
}, 60_000);

const runsOf = new Map<Deployed, string[]>();
/** The runs the local scheduler arms one after the other, from the deployed schedule. */
function localRuns(schedule: Deployed): string[] {
  const { expression, timeZone } = schedule;
  let out = runsOf.get(schedule);
  if (!out) {
    out = [];
    for (let t = nextRun(expression, timeZone, FROM); t < UNTIL; t = nextRun(expression, timeZone, t)) {
      out.push(t.toISOString());
    }
    runsOf.set(schedule, out);
  }
  return out;
}

describe.each(CASES)('the schedules of a project in $timezone', (c) => {
  it.each(['monitor', 'status-report'] as const)('%s: the local runs are the deployed schedule', (kind) => {
    const schedule = deployed.get(`${c.id}/${kind}`);
    expect(schedule?.timeZone).toBe(c.timezone);
    const runs = localRuns(schedule!);
    expect(runs.length).toBeGreaterThan(10);
    expect(runs).toEqual(referenceRuns(cadenceOf(c, kind), c.timezone));
  });
});

describe('daylight saving, the EventBridge way', () => {
  const runsOn = (id: string, kind: ScheduleKind, day: string) =>
    localRuns(deployed.get(`${id}/${kind}`)!).filter((r) => localDate(new Date(r), zoneOf(id)) === day);
  const zoneOf = (id: string) => CASES.find((c) => c.id === id)!.timezone;

  it('skips a time that does not exist that day (spring forward)', () => {
    expect(runsOn('sched-london', 'monitor', '2027-03-28')).toEqual([]);
    expect(runsOn('sched-london', 'monitor', '2027-03-29')).toEqual(['2027-03-29T00:30:00.000Z']);
    expect(runsOn('sched-sydney', 'monitor', '2027-10-03')).toEqual([]);
    expect(runsOn('sched-santiago', 'monitor', '2027-09-05')).toEqual([]);
    expect(runsOn('sched-chatham', 'monitor', '2027-09-26')).toEqual([]);
    // The first Sunday of October 2027 in Sydney has no 02:15: that month's report is skipped.
    expect(localRuns(deployed.get('sched-sydney/status-report')!).map((r) => r.slice(0, 7))).not.toContain(
      '2027-10',
    );
  });

  it('runs once, at the first occurrence, at a time that occurs twice (fall back)', () => {
    expect(runsOn('sched-london', 'monitor', '2027-10-31')).toEqual(['2027-10-31T00:30:00.000Z']);
    expect(runsOn('sched-new-york', 'status-report', '2027-11-07')).toEqual(['2027-11-07T05:30:00.000Z']);
  });
});

describe('the cadence cron cannot express', () => {
  const start = '2027-01-04';
  const dueRuns = (id: string) => {
    const c = CASES.find((x) => x.id === id)!;
    return localRuns(deployed.get(`${id}/status-report`)!)
      .map((r) => localDate(new Date(r), c.timezone))
      .filter((day) => statusReportDue(c.statusReport.every, day, start));
  };
  const gaps = (days: string[]) =>
    days.slice(1).map((d, i) => (Date.parse(d) - Date.parse(days[i]!)) / 86_400_000);

  it('sends a fortnightly report every other week of the weekly schedule', () => {
    for (const id of ['sched-new-york', 'sched-santiago']) {
      const days = dueRuns(id);
      expect(days.length).toBeGreaterThan(20);
      expect(new Set(gaps(days))).toEqual(new Set([14]));
    }
  });

  it('sends a monthly report on every run of its schedule: the first such weekday of the month', () => {
    const c = CASES.find((x) => x.id === 'sched-chatham')!;
    const runs = localRuns(deployed.get('sched-chatham/status-report')!).map((r) =>
      localDate(new Date(r), c.timezone),
    );
    expect(dueRuns('sched-chatham')).toEqual(runs);
    expect(runs).toHaveLength(12);
    for (const day of runs) {
      expect(Number(day.slice(8, 10))).toBeLessThanOrEqual(7);
      expect(new Date(`${day}T12:00:00Z`).getUTCDay()).toBe(1);
    }
  });
});
