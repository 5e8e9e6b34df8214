/**
 * Enter a stage (the state machine's first step of every stage).
 *
 * Input: projectId, stage key, the execution's start time. Output: EnterStageResult.
 * Steps: the stage goes pending -> active (startedAt), the project's currentStage becomes this
 * stage, and `stage_entered` is appended, in one commit; informed stakeholders and the team get a
 * stage notice. For `support` the hypercare end (now + support.days) is stored and returned as
 * `waitUntil`. Entering a stage that was entered before (resume, restart, Lambda retry) changes
 * nothing and sends nothing. `continueAsNew` says whether the execution is old enough to restart;
 * when it is, the project's next generation is claimed for it (claimContinuationIfDue) for the
 * continueAsNew step to start.
 */
import { stageNoticeEmail } from '../emails/notices.js';
import { emailContext, loadPeople, sendRecorded, uniqueEmails } from '../emails/send.js';
import {
  claimContinuationIfDue,
  requireActive,
  requireProject,
  resolvedStage,
  withConflictRetry,
} from '../events.js';
import type { Stage } from '../model.js';
import type { Deps } from '../ports.js';
import { days } from '../time.js';
import type { EnterStageResult } from '../workflow-contract.js';

export interface EnterStageInput {
  projectId: string;
  stage: string;
  executionStartedAt: string;
}

/** The stage whose gate waits until its hypercare period has elapsed. */
export const SUPPORT_STAGE = 'support';

export async function enterStage(deps: Deps, input: EnterStageInput): Promise<EnterStageResult> {
  const now = deps.clock.now();
  const at = now.toISOString();

  const outcome = await withConflictRetry(async () => {
    const project = await requireProject(deps, input.projectId);
    requireActive(project);
    const resolved = resolvedStage(project, input.stage);
    const existing = await deps.store.get(project.id, 'stage', input.stage);
    if (existing && existing.status !== 'pending') return { entered: false, project, stage: existing };

    const supportUntil =
      input.stage === SUPPORT_STAGE
        ? new Date(now.getTime() + days(project.spec.support.days)).toISOString()
        : undefined;
    const stage: Stage = {
      ...(existing ?? {
        entity: 'stage',
        projectId: project.id,
        key: resolved.key,
        name: resolved.name,
        order: resolved.order,
        reworkCount: 0,
        version: 0,
        ...(resolved.due ? { due: resolved.due } : {}),
      }),
      status: 'active',
      startedAt: at,
      ...(supportUntil ? { supportUntil } : {}),
    };
    await deps.store.commit(
      [{ ...project, currentStage: stage.key, updatedAt: at }, stage],
      [
        {
          projectId: project.id,
          stage: stage.key,
          type: 'stage_entered',
          actor: 'system',
          at,
          summary: `Stage ${stage.name} started`,
          data: supportUntil ? { supportUntil } : {},
        },
      ],
    );
    return { entered: true, project, stage };
  });

  const { project, stage } = outcome;
  if (outcome.entered) {
    const people = await loadPeople(deps, project);
    const recipients = uniqueEmails([
      ...people.stakeholders.filter((s) => s.role === 'informed'),
      ...people.team,
    ]);
    const ctx = emailContext(project, deps.config);
    const resolved = resolvedStage(project, stage.key);
    await sendRecorded(
      deps,
      project.id,
      stage.key,
      recipients.map((to) =>
        stageNoticeEmail({
          ctx,
          to,
          kind: 'entered',
          stageName: stage.name,
          ...(stage.due ? { due: stage.due } : {}),
          at: stage.startedAt ?? at,
          position: { index: resolved.order + 1, count: project.stages.length },
        }),
      ),
    );
  }
  const continueAsNew = await claimContinuationIfDue(deps, project.id, stage.key, input.executionStartedAt);
  return { continueAsNew, ...(stage.supportUntil ? { waitUntil: stage.supportUntil } : {}) };
}
