/**
 * Continue the project's workflow as a new execution (before the 1-year limit of Standard
 * workflows, and far below the 25,000 history events).
 *
 * Input: projectId, the stage to resume at. Output: the new execution's name and generation.
 * Steps: project.generation + 1 and executionName(projectId, generation) with event
 * `workflow_continued` in one commit, then workflow.startExecution(projectId, name,
 * { projectId, startAt: stage }). Execution names are deterministic, so a repeat of a start is a
 * no-op; a retry soon after a commit (the start failed or its answer was lost) starts the same
 * generation again instead of counting up, so two executions never run at once.
 */
import { requireActive, requireProject, withConflictRetry } from '../events.js';
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

/** A `workflow_continued` event younger than this is taken as the one a retry repeats. */
const RETRY_WINDOW_MS = 6 * 3_600_000;

export async function continueAsNew(deps: Deps, input: ContinueAsNewInput): Promise<ContinueAsNewResult> {
  const { projectId, stage } = input;
  const next = await withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    requireActive(project);
    const now = deps.clock.now();
    const recent = await deps.store.listEvents(projectId, { newestFirst: true, limit: 20 });
    const repeat = recent.items.find(
      (e) =>
        e.type === 'workflow_continued' &&
        e.data?.['generation'] === project.generation &&
        now.getTime() - Date.parse(e.at) < RETRY_WINDOW_MS,
    );
    if (repeat && project.executionName === executionName(projectId, project.generation)) {
      return { generation: project.generation, name: project.executionName };
    }
    const generation = project.generation + 1;
    const name = executionName(projectId, generation);
    const at = now.toISOString();
    await deps.store.commit(
      [{ ...project, generation, executionName: name, updatedAt: at }],
      [
        {
          projectId,
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
  });
  const executionInput: ExecutionInput = { projectId, startAt: stage };
  await deps.workflow.startExecution(projectId, next.name, executionInput);
  return { executionName: next.name, generation: next.generation };
}
