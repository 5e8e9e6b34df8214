/**
 * Local stand-in for EventBridge Scheduler: each active project's monitoring check and status
 * report fire at the spec's cadence, in the customer's time zone, on the handlers' clock (so an
 * accelerated clock makes them come sooner in real time). Same cadence as the CDK schedules:
 * monitoring every day (or every Monday) at `monitoring.at`; status report every week on its day
 * (a fortnight runs weekly: the handler skips alternate weeks), or on the first such weekday of
 * the month.
 */
import type { Clock, Logger } from '../functions/core/ports.js';
import type { ProjectSpec } from '../functions/core/spec/schema.js';

export type ScheduleKind = 'monitor' | 'status-report';

/** When a schedule fires: a local time, optionally only on one weekday (0 = Sunday), optionally only in the first week. */
export interface Cadence {
  hour: number;
  minute: number;
  weekday?: number;
  firstWeekOfMonth?: boolean;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const MAX_TIMER_MS = 2_147_483_647;

function hourMinute(at: string): { hour: number; minute: number } {
  const [h, m] = at.split(':').map(Number);
  return { hour: h ?? 0, minute: m ?? 0 };
}

/** The monitoring check's cadence of a spec. */
export function monitoringCadence(spec: ProjectSpec): Cadence {
  return { ...hourMinute(spec.monitoring.at), ...(spec.monitoring.every === 'week' ? { weekday: 1 } : {}) };
}

/** The status report's cadence of a spec. */
export function statusReportCadence(spec: ProjectSpec): Cadence {
  const { every, day, at } = spec.communication.statusReport;
  return {
    ...hourMinute(at),
    weekday: WEEKDAYS.indexOf(day),
    ...(every === 'month' ? { firstWeekOfMonth: true } : {}),
  };
}

interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function zonedParts(instant: number, timeZone: string): ZonedParts {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const parts: Record<string, number> = {};
  for (const p of fmt.formatToParts(new Date(instant)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** The instant of a local wall-clock time in a time zone. */
export function zonedTimeToInstant(
  local: { year: number; month: number; day: number; hour: number; minute: number },
  timeZone: string,
): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  let instant = wall;
  // Two rounds settle the zone offset (it may differ on either side of a DST change).
  for (let i = 0; i < 2; i++) {
    const p = zonedParts(instant, timeZone);
    const seen = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    instant += wall - seen;
  }
  return instant;
}

/** The first time strictly after `after` at which a cadence fires, in `timeZone`. */
export function nextOccurrence(after: Date, cadence: Cadence, timeZone: string): Date {
  const start = zonedParts(after.getTime(), timeZone);
  for (let i = 0; i < 40; i++) {
    const date = new Date(Date.UTC(start.year, start.month - 1, start.day + i));
    if (cadence.weekday !== undefined && date.getUTCDay() !== cadence.weekday) continue;
    if (cadence.firstWeekOfMonth && date.getUTCDate() > 7) continue;
    const instant = zonedTimeToInstant(
      {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour: cadence.hour,
        minute: cadence.minute,
      },
      timeZone,
    );
    if (instant > after.getTime()) return new Date(instant);
  }
  throw new Error('no occurrence of the schedule within 40 days');
}

export interface SchedulerOptions {
  clock: Clock;
  /** How many times faster than real time the clock runs (default 1). */
  factor?: number;
  /** Runs one scheduled job (the schedule handler in-process). */
  run: (kind: ScheduleKind, projectId: string) => Promise<void>;
  /** Whether a project still has schedules (false once it closed: its timers end). */
  isActive: (projectId: string) => Promise<boolean>;
  log: Logger;
}

/** Timers for the monitoring checks and status reports of the projects added. */
export class LocalScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly runs = new Set<Promise<void>>();
  private stopped = false;
  private readonly factor: number;

  constructor(private readonly options: SchedulerOptions) {
    this.factor = Math.max(1, options.factor ?? 1);
  }

  /** Schedules a project's two jobs (again: replaces its timers). */
  add(project: { id: string; spec: ProjectSpec }): void {
    const tz = project.spec.customer.timezone;
    this.arm(`${project.id}/monitor`, project.id, 'monitor', monitoringCadence(project.spec), tz);
    this.arm(
      `${project.id}/status-report`,
      project.id,
      'status-report',
      statusReportCadence(project.spec),
      tz,
    );
  }

  /** Projects with timers armed. */
  get projectIds(): string[] {
    return [...new Set([...this.timers.keys()].map((k) => k.split('/')[0]!))];
  }

  /** Clears every timer and waits for the jobs that are running. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.runs]);
  }

  private arm(
    key: string,
    projectId: string,
    kind: ScheduleKind,
    cadence: Cadence,
    tz: string,
    from?: Date,
  ): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(key));
    const now = this.options.clock.now();
    const due = nextOccurrence(from && from > now ? from : now, cadence, tz);
    const wake = () => {
      if (this.stopped) return;
      const current = this.options.clock.now();
      if (current < due) {
        // A clamped (very long) wait: sleep again.
        this.timers.set(key, setTimeout(wake, this.delay(due, current)));
        return;
      }
      this.timers.delete(key);
      const job = this.fire(projectId, kind)
        .then((active) => {
          if (active) this.arm(key, projectId, kind, cadence, tz, due);
        })
        .finally(() => this.runs.delete(job));
      this.runs.add(job);
    };
    this.timers.set(key, setTimeout(wake, this.delay(due, now)));
  }

  private delay(due: Date, now: Date): number {
    return Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil((due.getTime() - now.getTime()) / this.factor)));
  }

  /** Runs a job if the project is still active; returns whether it is. */
  private async fire(projectId: string, kind: ScheduleKind): Promise<boolean> {
    try {
      if (!(await this.options.isActive(projectId))) return false;
      await this.options.run(kind, projectId);
    } catch (err) {
      this.options.log.error('scheduled job failed', {
        projectId,
        kind,
        error: err instanceof Error ? err.message : String(err),
      });
    }
    return !this.stopped;
  }
}
