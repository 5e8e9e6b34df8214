/**
 * Complete a stage whose gate passed (the state machine's step after the gate).
 *
 * Input: projectId, stage key. Output: nothing.
 * Steps: the stage goes to completed (completedAt) with event `stage_completed` in one commit;
 * the stage type's complete hook runs (if it has one); informed stakeholders and the team get a
 * stage notice. A repeat (restart, Lambda retry)
 * changes nothing and sends nothing.
 */
import { NotFoundError } from '../errors.js';
import { requireProject, resolvedStage, withConflictRetry } from '../events.js';
import { stageNotice } from '../notifications/notices.js';
import { notify } from '../notifications/notify.js';
import { loadPeople, notificationContext, uniqueEmails } from '../notifications/people.js';
import type { Deps } from '../ports.js';
import { stageType } from '../stages/index.js';

export interface CompleteStageInput {
  projectId: string;
  stage: string;
}

export async function completeStage(deps: Deps, input: CompleteStageInput): Promise<void> {
  const { projectId } = input;
  const outcome = await withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    const resolved = resolvedStage(project, input.stage);
    const stage = await deps.store.get(projectId, 'stage', input.stage);
    if (!stage) throw new NotFoundError(`project ${projectId} has no stage record ${input.stage}`);
    if (stage.status === 'completed') return undefined;
    const at = deps.clock.now().toISOString();
    await deps.store.commit(
      [{ ...stage, status: 'completed', completedAt: at }],
      [
        {
          projectId,
          stage: stage.key,
          type: 'stage_completed',
          actor: 'system',
          at,
          summary: `Stage ${stage.name} completed`,
        },
      ],
    );
    return { project, stage: { ...stage, completedAt: at }, resolved };
  });
  if (!outcome) return;

  const { project, stage, resolved } = outcome;
  await stageType(stage.key).complete?.(deps, { project, stage: { ...stage, status: 'completed' } });
  const people = await loadPeople(deps, project);
  const next = project.stages[resolved.order + 1];
  await notify(deps, projectId, stage.key, [
    stageNotice({
      ctx: notificationContext(project, deps.config),
      to: uniqueEmails([...people.stakeholders.filter((s) => s.role === 'informed'), ...people.team]),
      kind: 'completed',
      stageName: stage.name,
      at: stage.completedAt,
      ...(next ? { nextStageName: next.name } : {}),
      position: { index: resolved.order + 1, count: project.stages.length },
    }),
  ]);
}
