/**
 * Keeps each active project's workflow running on the local Step Functions service, as an
 * operator would in AWS after a fault:
 * - at start-up, every active project whose workflow does not run in this process (the runtime
 *   was stopped) gets an execution at its current stage (`resumeAll`);
 * - while it runs, an execution that fails (or times out) is reported and restarted the same
 *   way, after a backoff that doubles (1 s, 2 s, 4 s by default), at most `attempts` times in a
 *   row while the project stays at the same stage (progress to another stage starts the count
 *   again); then it says so and leaves the project for the next start.
 * A resumed execution's name is the current generation's with a restart suffix counted from the
 * executions known here, so it is new and deterministic. Entering the stage again changes
 * nothing; the gate reopens with a new token and the links already sent keep working.
 */
import type { Deps } from '../functions/core/ports.js';
import { executionName, stateMachineName } from '../functions/core/workflow-contract.js';
import type { LocalExecution, SfnLocal } from './sfn-local.js';

export interface SupervisorOptions {
  /** Restarts in a row at the same stage (default 3). */
  attempts?: number;
  /** Delay before the first restart, doubled for each next one (default 1000 ms). */
  backoffMs?: number;
}

/** Resumes and restarts the executions of the projects it is given. */
export class ExecutionSupervisor {
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Settle the backoffs still waiting when the supervisor stops. */
  private readonly cancels = new Set<() => void>();
  /** Per project: the stage of its last failure and how many restarts it has had there. */
  private readonly streaks = new Map<string, { stage: string; restarts: number }>();
  /** Project id by state machine name. */
  private readonly projectOf = new Map<string, string>();
  /**
   * Projects with an execution that failed in this process: their restarts (or the decision to
   * give up) belong to the failure path, so resumeAll, which resumes what a previous stop left,
   * leaves them alone — also when it reaches them only after they failed, restarted and gave up.
   */
  private readonly failedHere = new Set<string>();
  private stopped = false;

  constructor(
    private readonly deps: Deps,
    private readonly sfn: SfnLocal,
    projectIds: string[],
    private readonly notify: (line: string) => void,
    options: SupervisorOptions = {},
  ) {
    this.attempts = Math.max(0, options.attempts ?? 3);
    this.backoffMs = Math.max(0, options.backoffMs ?? 1000);
    for (const id of projectIds) this.projectOf.set(stateMachineName(id), id);
  }

  /** Resumes every project that needs it (see the module comment). */
  async resumeAll(): Promise<void> {
    for (const projectId of this.projectOf.values()) {
      await this.resume(projectId, { leaveFailed: true });
    }
  }

  /**
   * Starts an execution of an active project at its current stage unless one runs here. Returns
   * the name started, or undefined when there was nothing to do.
   */
  async resume(projectId: string, options: { leaveFailed?: boolean } = {}): Promise<string | undefined> {
    const project = await this.deps.store.getProject(projectId);
    if (project?.status !== 'active') return undefined;
    const known = this.sfn.listExecutions(stateMachineName(project.id));
    if (known.some((e) => this.sfn.isRunning(e.executionArn))) return undefined;
    // Checked after the read, together with the running check: an execution that failed while
    // the project was read has been handed to the failure path (failed() runs as it ends).
    if (options.leaveFailed && this.failedHere.has(projectId)) return undefined;
    const base = project.executionName ?? executionName(project.id, project.generation);
    const restarts = known.filter((e) => e.name.startsWith(`${base}-r`)).length;
    const name = `${base}-r${restarts + 1}`;
    await this.deps.workflow.startExecution(project.id, name, {
      projectId: project.id,
      startAt: project.currentStage,
    });
    return name;
  }

  /** An execution ended FAILED or TIMED_OUT: restart it after the backoff, or say why not. */
  failed(execution: LocalExecution): void {
    const projectId = this.projectOf.get(execution.stateMachineName);
    if (!projectId || this.stopped) return;
    this.failedHere.add(projectId);
    void this.schedule(projectId, execution.name).catch((err: unknown) => {
      this.notify(`milepost: could not restart ${projectId}: ${err instanceof Error ? err.message : err}`);
    });
  }

  /** Cancels the restarts not yet due. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
  }

  private async schedule(projectId: string, failedName: string): Promise<void> {
    const project = await this.deps.store.getProject(projectId);
    if (project?.status !== 'active') return;
    const last = this.streaks.get(projectId);
    const restarts = last?.stage === project.currentStage ? last.restarts : 0;
    if (restarts >= this.attempts) {
      this.notify(
        `milepost: ${projectId} failed ${restarts + 1} times at stage ${project.currentStage}; not restarted again (see the log, then start milepost again)`,
      );
      this.deps.log.error('failed execution not restarted again', {
        projectId,
        stage: project.currentStage,
        restarts,
      });
      return;
    }
    this.streaks.set(projectId, { stage: project.currentStage, restarts: restarts + 1 });
    const delay = this.backoffMs * 2 ** restarts;
    this.deps.log.warn('failed execution restarts', {
      projectId,
      stage: project.currentStage,
      failed: failedName,
      attempt: restarts + 1,
      delayMs: delay,
    });
    const due = await new Promise<boolean>((resolve) => {
      const cancel = () => resolve(false);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.cancels.delete(cancel);
        resolve(!this.stopped);
      }, delay);
      this.timers.add(timer);
      this.cancels.add(cancel);
    });
    if (!due) return;
    const name = await this.resume(projectId);
    if (name) this.notify(`milepost: ${projectId} restarted at stage ${project.currentStage} as ${name}`);
  }
}
