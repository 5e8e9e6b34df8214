/**
 * The cadence of a project's two schedules (monitoring check, status report), known once.
 *
 * A spec's `monitoring` and `communication.statusReport` become cron expressions in the form
 * EventBridge Scheduler deploys (`cron(min hour day-of-month month day-of-week year)`, evaluated in
 * the customer's time zone). The local runtime evaluates the very same expressions with croner,
 * so the deployed and the local schedules cannot drift apart:
 * - monitoring: every day, or every Monday, at `monitoring.at`;
 * - status report: every week on its day at its time; `fortnight` runs weekly too and `month` on the
 *   first such weekday of the month (`FRI#1`). Cron cannot say "every other week": the status
 *   report use case filters the weeks with {@link statusReportDue}.
 *
 * The two cron dialects differ; the expressions keep to what both read the same:
 * - days of the week are names (MON, FRI): in EventBridge 1-7 is SUN-SAT, in croner 0-6 (and 7)
 *   is SUN-SAT, so numbers would be read a day apart;
 * - EventBridge has a sixth field, the year (always `*` here), and needs `?` in one of the two day
 *   fields; croner gets the five-field form with `?` read as `*` (a `*` day of the month leaves
 *   the day of the week alone in control, as in EventBridge).
 * - daylight saving: EventBridge skips a time that does not exist (spring forward) and runs once
 *   at a time that occurs twice (fall back). Croner also runs once at the first occurrence, but
 *   moves a missing time to the end of the gap: {@link nextRun} skips such a run instead.
 */
import { Cron } from 'croner';
import { MilepostError } from './errors.js';
import type { ProjectSpec } from './spec/schema.js';
import { isoWeekMonday, localWallClockMs, WEEK_MS } from './time.js';

/** The jobs a project's schedules run (the schedule handler's `kind`). */
export const SCHEDULE_KINDS = ['monitor', 'status-report'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/** One schedule of a project: what it runs and when. */
export interface ProjectSchedule {
  kind: ScheduleKind;
  /** EventBridge Scheduler cron expression, e.g. `cron(30 8 * * ? *)`. */
  expression: string;
  /** IANA time zone the expression is evaluated in (the customer's). */
  timeZone: string;
  /** The cadence in words. */
  description: string;
}

type Weekday = ProjectSpec['communication']['statusReport']['day'];
type ReportCadence = ProjectSpec['communication']['statusReport']['every'];

const CRON_DAYS: Record<Weekday, string> = {
  monday: 'MON',
  tuesday: 'TUE',
  wednesday: 'WED',
  thursday: 'THU',
  friday: 'FRI',
  saturday: 'SAT',
  sunday: 'SUN',
};

function hourMinute(at: string): { hour: number; minute: number } {
  const [hour, minute] = at.split(':').map(Number);
  return { hour: hour ?? 0, minute: minute ?? 0 };
}

/** Monitoring check: every day, or every Monday, at the spec's time. */
export function monitoringExpression(spec: ProjectSpec): string {
  const { hour, minute } = hourMinute(spec.monitoring.at);
  return spec.monitoring.every === 'day'
    ? `cron(${minute} ${hour} * * ? *)`
    : `cron(${minute} ${hour} ? * MON *)`;
}

/**
 * Status report: weekly on the spec's day; a fortnight runs weekly (the use case skips alternate
 * weeks); a month runs on the first such weekday of the month.
 */
export function statusReportExpression(spec: ProjectSpec): string {
  const { every, day, at } = spec.communication.statusReport;
  const { hour, minute } = hourMinute(at);
  const weekday = CRON_DAYS[day];
  return every === 'month'
    ? `cron(${minute} ${hour} ? * ${weekday}#1 *)`
    : `cron(${minute} ${hour} ? * ${weekday} *)`;
}

/** Both schedules of a project, by kind, in the customer's time zone. */
export function projectSchedules(spec: ProjectSpec): Record<ScheduleKind, ProjectSchedule> {
  const timeZone = spec.customer.timezone;
  const report = spec.communication.statusReport;
  return {
    monitor: {
      kind: 'monitor',
      expression: monitoringExpression(spec),
      timeZone,
      description: `monitoring check every ${spec.monitoring.every} at ${spec.monitoring.at}`,
    },
    'status-report': {
      kind: 'status-report',
      expression: statusReportExpression(spec),
      timeZone,
      description: `status report every ${report.every} on ${report.day} at ${report.at}`,
    },
  };
}

/** An expression this module cannot evaluate the way EventBridge Scheduler would. */
export class ScheduleExpressionError extends MilepostError {
  override name = 'ScheduleExpressionError';
  constructor(expression: string, reason: string) {
    super(`schedule expression ${expression}: ${reason}`);
  }
}

interface CronFields {
  minute: string;
  hour: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
}

function cronFields(expression: string): CronFields {
  const m = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  if (!m) throw new ScheduleExpressionError(expression, 'not cron(min hour day month weekday year)');
  const [, minute, hour, dayOfMonth, month, dayOfWeek, year] = m as unknown as string[];
  if (year !== '*') throw new ScheduleExpressionError(expression, 'the year must be *');
  if ((dayOfMonth === '?') === (dayOfWeek === '?'))
    throw new ScheduleExpressionError(expression, 'exactly one of the two day fields must be ?');
  // Weekday numbers mean different days in the two dialects (see the module doc).
  if (/\d/.test((dayOfWeek as string).split('#')[0] ?? ''))
    throw new ScheduleExpressionError(expression, 'name the days of the week (MON-SUN), not numbers');
  return {
    minute: minute as string,
    hour: hour as string,
    dayOfMonth: dayOfMonth as string,
    month: month as string,
    dayOfWeek: dayOfWeek as string,
  };
}

/** The croner (five-field) pattern of an EventBridge Scheduler cron expression. */
export function cronerPattern(expression: string): string {
  const f = cronFields(expression);
  const star = (field: string) => (field === '?' ? '*' : field);
  return [f.minute, f.hour, star(f.dayOfMonth), f.month, star(f.dayOfWeek)].join(' ');
}

/** Runs looked at before giving up (a yearly schedule in a zone that skips its time every year). */
const MAX_SKIPPED_RUNS = 100;

/**
 * The first run of an EventBridge Scheduler cron expression strictly after `after`, evaluated in
 * `timeZone` like EventBridge does (including its daylight-saving rules: see the module doc).
 */
export function nextRun(expression: string, timeZone: string, after: Date): Date {
  const fields = cronFields(expression);
  const cron = new Cron(cronerPattern(expression), { timezone: timeZone, paused: true, mode: '5-part' });
  // A fixed time of day that falls in a spring-forward gap does not exist that day: EventBridge
  // skips it, croner would run at the end of the gap.
  const fixed = /^\d+$/.test(fields.minute) && /^\d+$/.test(fields.hour);
  const minuteOfDay = Number(fields.hour) * 60 + Number(fields.minute);
  let from = after;
  for (let i = 0; i < MAX_SKIPPED_RUNS; i++) {
    const run = cron.nextRun(from);
    if (!run) break;
    if (!fixed) return run;
    const wall = new Date(localWallClockMs(run, timeZone));
    if (wall.getUTCHours() * 60 + wall.getUTCMinutes() === minuteOfDay) return run;
    from = run;
  }
  throw new ScheduleExpressionError(expression, `no run after ${after.toISOString()} in ${timeZone}`);
}

/**
 * Whether a status report is due on `today` (YYYY-MM-DD in the customer's zone), the part of the
 * cadence cron cannot say: `week` always; `fortnight` every other ISO week counted from the week of
 * `timelineStart`; `month` only in the first seven days of the month (the first scheduled weekday
 * of the month).
 */
export function statusReportDue(every: ReportCadence, today: string, timelineStart: string): boolean {
  if (every === 'week') return true;
  if (every === 'month') return Number(today.slice(8, 10)) <= 7;
  const weeks = Math.round((isoWeekMonday(today) - isoWeekMonday(timelineStart)) / WEEK_MS);
  return ((weeks % 2) + 2) % 2 === 0;
}

/** When the platform's daily portfolio digest goes to the delivery manager (platform time zone). */
export const PORTFOLIO_DIGEST_AT = '07:00';

/** The platform's one schedule of its own: the daily portfolio digest. */
export interface PlatformSchedule {
  kind: 'portfolio-digest';
  /** EventBridge Scheduler cron expression. */
  expression: string;
  /** The platform's IANA time zone. */
  timeZone: string;
  description: string;
}

/** The daily portfolio digest: every day at {@link PORTFOLIO_DIGEST_AT} in `timeZone`. */
export function portfolioDigestSchedule(timeZone: string): PlatformSchedule {
  const { hour, minute } = hourMinute(PORTFOLIO_DIGEST_AT);
  return {
    kind: 'portfolio-digest',
    expression: `cron(${minute} ${hour} * * ? *)`,
    timeZone,
    description: `portfolio digest every day at ${PORTFOLIO_DIGEST_AT}`,
  };
}
