/**
 * Continue the project's workflow as a new execution (before the 1-year limit of Standard
 * workflows, and far below the 25,000 history events).
 *
 * Input: projectId, the stage to resume at. Output: the new execution's name and generation.
 * Steps: the step before (enterStage or remindGate, which know the execution's start time) has
 * claimed the next generation on the project (claimContinuationIfDue: generation + 1, its
 * execution name, `continuedFrom`, event `workflow_continued`). This step starts exactly that
 * execution with { projectId, startAt: stage }. Execution names are deterministic and a start of
 * an existing name is a no-op, so a retry of this step (the start failed or its answer was lost)
 * starts the same execution again: never two executions, never a skipped generation.
 * A project that no step claimed for (an execution of an older definition) is claimed here once,
 * marked so that retries find the claim.
 */
import { claimNextGeneration, requireActive, requireProject, withConflictRetry } from '../events.js';
import type { Deps } from '../ports.js';
import { type ExecutionInput, executionName } from '../workflow-contract.js';

export interface ContinueAsNewInput {
  projectId: string;
  stage: string;
}

export interface ContinueAsNewResult {
  executionName: string;
  generation: number;
}

/** `continuedFrom` of a generation this step claimed itself (never an execution's start time). */
const CLAIMED_HERE = 'continueAsNew@';

export async function continueAsNew(deps: Deps, input: ContinueAsNewInput): Promise<ContinueAsNewResult> {
  const { projectId, stage } = input;
  const next = await withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    requireActive(project);
    if (project.continuedFrom !== undefined) {
      return {
        generation: project.generation,
        name: project.executionName ?? executionName(projectId, project.generation),
      };
    }
    const claimedBy = `${CLAIMED_HERE}${deps.clock.now().toISOString()}`;
    return claimNextGeneration(deps, project, stage, claimedBy);
  });
  const executionInput: ExecutionInput = { projectId, startAt: stage };
  await deps.workflow.startExecution(projectId, next.name, executionInput);
  return { executionName: next.name, generation: next.generation };
}
