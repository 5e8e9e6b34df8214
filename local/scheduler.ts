/**
 * Local stand-in for EventBridge Scheduler: each active project's monitoring check and status
 * report (and the platform's daily portfolio digest) fire at the times of the schedules the CDK app deploys (the same expressions, from
 * `functions/core/schedules.ts`, evaluated in the customer's time zone with EventBridge's rules), on
 * the handlers' clock (so an accelerated clock makes them come sooner in real time).
 */
import type { Clock, Logger } from '../functions/core/ports.js';
import {
  nextRun,
  type PlatformSchedule,
  type ProjectSchedule,
  projectSchedules,
  type ScheduleKind,
} from '../functions/core/schedules.js';
import type { ProjectSpec } from '../functions/core/spec/schema.js';

// Node timers overflow past this: a longer wait is slept in several parts.
const MAX_TIMER_MS = 2_147_483_647;

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

/**
 * The log fields of a failed run: what Lambda's on-failure record of the deployed schedule
 * function holds (infra/constructs/failed-invocations.ts): the event to run again and the error's
 * type and message. The local runtime does not retry: the next scheduled run is the retry.
 */
function failure(event: { kind: string; projectId?: string }, err: unknown) {
  return {
    kind: event.kind,
    event,
    errorType: err instanceof Error ? err.name : typeof err,
    errorMessage: err instanceof Error ? err.message : String(err),
  };
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
    for (const schedule of Object.values(projectSchedules(project.spec))) {
      this.arm(`${project.id}/${schedule.kind}`, project.id, schedule);
    }
  }

  /**
   * The platform's own daily job (the portfolio digest), at its schedule's times on the handlers'
   * clock; a failed run is logged and the next one armed.
   */
  addPlatform(schedule: PlatformSchedule, run: () => Promise<void>): void {
    this.armJob(`platform/${schedule.kind}`, schedule, () =>
      run().then(
        () => true,
        (err: unknown) => {
          this.options.log.error('scheduled job failed', failure({ kind: schedule.kind }, err));
          return true;
        },
      ),
    );
  }

  /** Projects with timers armed. */
  get projectIds(): string[] {
    return [
      ...new Set(
        [...this.timers.keys()].filter((k) => !k.startsWith('platform/')).map((k) => k.split('/')[0]!),
      ),
    ];
  }

  /** Clears every timer and waits for the jobs that are running. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.runs]);
  }

  private arm(key: string, projectId: string, schedule: ProjectSchedule): void {
    this.armJob(key, schedule, () => this.fire(projectId, schedule.kind));
  }

  /**
   * Arms `key` for the next time of `schedule` (after `from`, the run just done) and runs `job`
   * then; `job` says whether to arm the next run (a project that is no longer active: no).
   */
  private armJob(
    key: string,
    schedule: { expression: string; timeZone: string },
    job: () => Promise<boolean>,
    from?: Date,
  ): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(key));
    const now = this.options.clock.now();
    const due = nextRun(schedule.expression, schedule.timeZone, from && from > now ? from : now);
    const wake = () => {
      if (this.stopped) return;
      const current = this.options.clock.now();
      if (current < due) {
        // A clamped (very long) wait: sleep again.
        this.timers.set(key, setTimeout(wake, this.delay(due, current)));
        return;
      }
      this.timers.delete(key);
      const run = job()
        .then((again) => {
          if (again) this.armJob(key, schedule, job, due);
        })
        .finally(() => this.runs.delete(run));
      this.runs.add(run);
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
      this.options.log.error('scheduled job failed', { projectId, ...failure({ kind, projectId }, err) });
    }
    return !this.stopped;
  }
}
