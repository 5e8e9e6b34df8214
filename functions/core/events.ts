/**
 * Helpers the lifecycle use cases share: loading a project and its resolved stage with typed
 * errors, retrying a read-modify-commit on optimistic-lock conflicts, recording an event on its
 * own, the continue-as-new age check and its claim, and the key of a task token.
 */
import { createHash } from 'node:crypto';
import { ConflictError, NotFoundError, StateError } from './errors.js';
import type { Project } from './model.js';
import type { Deps, NewEvent } from './ports.js';
import { jitteredBackoff, retry } from './retry.js';
import type { ResolvedStage } from './spec/schema.js';
import { days } from './time.js';
import { CONTINUE_AS_NEW_AFTER_DAYS, executionName } from './workflow-contract.js';

/** The project, or NotFoundError. */
export async function requireProject(deps: Deps, projectId: string): Promise<Project> {
  const project = await deps.store.getProject(projectId);
  if (!project) throw new NotFoundError(`project ${projectId} not found`);
  return project;
}

/** The project's resolved stage `key`, or NotFoundError. */
export function resolvedStage(project: Project, key: string): ResolvedStage {
  const stage = project.stages.find((s) => s.key === key);
  if (!stage) throw new NotFoundError(`project ${project.id} has no stage ${key}`);
  return stage;
}

/** Throws StateError when the project is not active (closed, or archived). */
export function requireActive(project: Project): void {
  if (project.status !== 'active') throw new StateError(`project ${project.id} is ${project.status}`);
}

/**
 * Runs a read-modify-commit step again (it re-reads) when its commit hit an optimistic-lock
 * conflict, a few times with a short jittered pause. Other errors, and the last conflict, are thrown.
 */
export function withConflictRetry<T>(step: () => Promise<T>, attempts = 6): Promise<T> {
  return retry(
    { attempts, retryOn: (error) => error instanceof ConflictError, delayMs: jitteredBackoff(0, 20) },
    () => step(),
  );
}

/**
 * Appends one event on its own (for facts that come after the main commit, such as a failed
 * email). Never throws: a lost note must not undo what happened; the logger keeps a trace.
 */
export async function recordEvent(deps: Deps, event: NewEvent): Promise<void> {
  try {
    await deps.store.commit([], [event]);
  } catch (error) {
    deps.log.error('event not recorded', {
      projectId: event.projectId,
      stage: event.stage,
      type: event.type,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}

/** True when an execution started at `executionStartedAt` should continue as a new one. */
export function continueAsNewDue(now: Date, executionStartedAt: string): boolean {
  const started = Date.parse(executionStartedAt);
  if (Number.isNaN(started)) return false;
  return now.getTime() - started > days(CONTINUE_AS_NEW_AFTER_DAYS);
}

/** SHA-256 (base64url) of a task token: lets a record name a token without holding it. */
export function tokenKey(taskToken: string): string {
  return createHash('sha256').update(taskToken, 'utf8').digest('base64url');
}

/**
 * When the execution that started at `executionStartedAt` is old enough to continue as new,
 * claims the project's next generation for it: generation + 1, its execution name and
 * `continuedFrom` = that start time, with `workflow_continued`, in one version-checked commit.
 * The continueAsNew step then starts exactly that execution. A retried step of the same execution
 * finds its own start time in `continuedFrom` and claims nothing more, so the generation counts
 * up once per execution whatever the retries. Returns whether the execution should continue as new.
 */
export async function claimContinuationIfDue(
  deps: Deps,
  projectId: string,
  stage: string,
  executionStartedAt: string,
): Promise<boolean> {
  if (!continueAsNewDue(deps.clock.now(), executionStartedAt)) return false;
  await withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    if (project.status !== 'active' || project.continuedFrom === executionStartedAt) return;
    await claimNextGeneration(deps, project, stage, executionStartedAt);
  });
  return true;
}

/** Commits the project's next generation, claimed by `claimedBy` (see claimContinuationIfDue). */
export async function claimNextGeneration(
  deps: Deps,
  project: Project,
  stage: string,
  claimedBy: string,
): Promise<{ generation: number; name: string }> {
  const generation = project.generation + 1;
  const name = executionName(project.id, generation);
  const at = deps.clock.now().toISOString();
  await deps.store.commit(
    [{ ...project, generation, executionName: name, continuedFrom: claimedBy, updatedAt: at }],
    [
      {
        projectId: project.id,
        stage,
        type: 'workflow_continued',
        actor: 'system',
        at,
        summary: `Workflow continues as execution ${name} at ${stage}`,
        data: { generation, executionName: name, startAt: stage },
      },
    ],
  );
  return { generation, name };
}
