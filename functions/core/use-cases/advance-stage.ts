/**
 * Advance past a stage whose gate passed: the one step the state machine runs between two gates.
 *
 * Input: projectId, the stage whose gate passed, the next stage (absent after the last one) and the
 * execution's start time. Output: the next stage's EnterStageResult, or the close-out result.
 * Steps: completeStage for the stage; then enterStage for the next stage, or closeProject when
 * there is none. Both are idempotent, so a retry of the whole step (Lambda retry, restart)
 * changes nothing twice and sends nothing twice. One step instead of two saves a state transition
 * per stage.
 */
import type { Deps } from '../ports.js';
import type { EnterStageResult } from '../workflow-contract.js';
import { type CloseProjectResult, closeProject } from './close-project.js';
import { completeStage } from './complete-stage.js';
import { enterStage } from './enter-stage.js';

export interface AdvanceStageInput {
  projectId: string;
  stage: string;
  /** The stage to enter next; absent: the stage was the last, the project closes. */
  next?: string | undefined;
  executionStartedAt: string;
}

export async function advanceStage(
  deps: Deps,
  input: AdvanceStageInput,
): Promise<EnterStageResult | CloseProjectResult> {
  await completeStage(deps, { projectId: input.projectId, stage: input.stage });
  if (input.next === undefined) return closeProject(deps, { projectId: input.projectId });
  return enterStage(deps, {
    projectId: input.projectId,
    stage: input.next,
    executionStartedAt: input.executionStartedAt,
  });
}
