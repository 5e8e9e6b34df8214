/**
 * The lifecycle Lambda: every Task state of a project's state machine calls it with an `action`
 * (functions/core/workflow-contract.ts). It parses the event, runs the one use case the action
 * names and returns its result. Logs carry the action, project and stage only (never the token).
 */
import { lambdaDeps } from '../composition/deps.js';
import { documentStore } from '../composition/documents.js';
import { emailNotifier } from '../composition/notifier.js';
import { lambdaRenderer } from '../composition/renderer.js';
import { dynamoStore } from '../composition/store.js';
import { sfnWorkflow } from '../composition/workflow.js';
import { ValidationError } from '../core/errors.js';
import type { Deps } from '../core/ports.js';
import { advanceStage } from '../core/use-cases/advance-stage.js';
import { closeProject } from '../core/use-cases/close-project.js';
import { completeStage } from '../core/use-cases/complete-stage.js';
import { continueAsNew } from '../core/use-cases/continue-as-new.js';
import { enterStage } from '../core/use-cases/enter-stage.js';
import { openGate } from '../core/use-cases/open-gate.js';
import { remindGate } from '../core/use-cases/remind-gate.js';
import { reworkStage } from '../core/use-cases/rework-stage.js';
import {
  CONTINUE_AS_NEW,
  type EnterStageResult,
  type LifecycleEvent,
  lifecycleEventSchema,
} from '../core/workflow-contract.js';

/** Parses `event` and runs its action with `deps`. Throws ValidationError for a malformed event. */
export async function handleLifecycle(deps: Deps, event: unknown): Promise<unknown> {
  const parsed = lifecycleEventSchema.safeParse(event);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    deps.log.error('lifecycle event rejected', { issues: issues.map((i) => i.path) });
    throw new ValidationError(issues);
  }
  const e = parsed.data;
  const fields = { action: e.action, projectId: e.projectId, ...('stage' in e ? { stage: e.stage } : {}) };
  deps.log.info('lifecycle action', fields);
  let result: unknown;
  try {
    result = (await dispatch(deps, e)) ?? {};
  } catch (error) {
    deps.log.error('lifecycle action failed', {
      ...fields,
      error: error instanceof Error ? error.name : 'unknown',
    });
    throw error;
  }
  // After entering a stage, the state machine continues as a new execution on this error (a
  // Catch, no Choice state). The remind step still answers with a result its Choice reads.
  if ((e.action === 'enterStage' || e.action === 'advanceStage') && isContinueAsNew(result))
    throw new ContinueAsNewDue(e.projectId);
  return result;
}

/** Thrown when the entered stage's execution should continue as a new one (name: CONTINUE_AS_NEW). */
export class ContinueAsNewDue extends Error {
  constructor(projectId: string) {
    super(`project ${projectId}: the execution continues as a new one`);
    this.name = CONTINUE_AS_NEW;
  }
}

function isContinueAsNew(result: unknown): boolean {
  return typeof result === 'object' && result !== null && (result as EnterStageResult).continueAsNew === true;
}

function dispatch(deps: Deps, e: LifecycleEvent): Promise<unknown> {
  switch (e.action) {
    case 'enterStage':
      return enterStage(deps, e);
    case 'openGate':
      return openGate(deps, e);
    case 'remindGate':
      return remindGate(deps, e);
    case 'reworkStage':
      return reworkStage(deps, e);
    case 'advanceStage':
      return advanceStage(deps, e);
    case 'completeStage':
      return completeStage(deps, e);
    case 'continueAsNew':
      return continueAsNew(deps, e);
    case 'closeProject':
      return closeProject(deps, e);
  }
}

/** Stage entry, gates, reminders, rework and close: records, emails, the plan and close-out documents, callbacks and continue-as-new. */
const functionDeps = lambdaDeps({
  store: dynamoStore,
  workflow: sfnWorkflow,
  notifier: emailNotifier,
  documents: documentStore,
  renderer: lambdaRenderer,
});

/** Lambda entry point. */
export const handler = (event: unknown): Promise<unknown> => handleLifecycle(functionDeps(), event);
