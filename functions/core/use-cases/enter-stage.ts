/**
 * Enter a stage (the state machine's first step of every stage).
 *
 * Input: projectId, stage key, the execution's start time. Output: EnterStageResult.
 * Steps: the stage goes pending -> active (startedAt), the project's currentStage becomes this
 * stage, and `stage_entered` is appended, in one commit; informed stakeholders and the team get a
 * stage notice. The stage type's enter hook adds its fields: the support type stores the hypercare
 * end (now + support.days), returned as `waitUntil`. Entering a stage that was entered before
 * (resume, restart, Lambda retry) changes nothing and sends nothing. `continueAsNew` says whether
 * the execution is old enough to restart; when it is, the project's next generation is claimed
 * for it (claimContinuationIfDue) for the continueAsNew step to start.
 */

import { ALLOCATIONS_BUMP } from '../allocation-order.js';
import {
  claimContinuationIfDue,
  requireActive,
  requireProject,
  resolvedStage,
  withConflictRetry,
} from '../events.js';
import type { Stage } from '../model.js';
import { stageNotice } from '../notifications/notices.js';
import { notify } from '../notifications/notify.js';
import { loadPeople, notificationContext, uniqueEmails } from '../notifications/people.js';
import type { Deps } from '../ports.js';
import { stageType } from '../stages/index.js';
import type { EnterStageResult } from '../workflow-contract.js';

export interface EnterStageInput {
  projectId: string;
  stage: string;
  executionStartedAt: string;
}

export async function enterStage(deps: Deps, input: EnterStageInput): Promise<EnterStageResult> {
  const now = deps.clock.now();
  const at = now.toISOString();

  const outcome = await withConflictRetry(async () => {
    const project = await requireProject(deps, input.projectId);
    requireActive(project);
    const resolved = resolvedStage(project, input.stage);
    const existing = await deps.store.get(project.id, 'stage', input.stage);
    if (existing && existing.status !== 'pending') return { entered: false, project, stage: existing };

    const entry = stageType(input.stage).enter?.({ project, now }) ?? {};
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
      ...entry,
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
          data: entry,
        },
      ],
      [],
      // The project's remaining stage windows (when its people count elsewhere) start from the
      // stage it enters: a resourcing gate that read the capacity before does not pass on it.
      { bumps: project.currentStage !== stage.key ? ALLOCATIONS_BUMP : [] },
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
    const resolved = resolvedStage(project, stage.key);
    await notify(deps, project.id, stage.key, [
      stageNotice({
        ctx: notificationContext(project, deps.config),
        to: recipients,
        kind: 'entered',
        stageName: stage.name,
        ...(stage.due ? { due: stage.due } : {}),
        at: stage.startedAt ?? at,
        position: { index: resolved.order + 1, count: project.stages.length },
      }),
    ]);
  }
  const continueAsNew = await claimContinuationIfDue(deps, project.id, stage.key, input.executionStartedAt);
  // A stage that waits for a period always says until when (now, when it has no period left):
  // the state machine waits on it without a Choice first.
  const waitUntil =
    stageType(stage.key).waitsFor === 'period' ? (stage.supportUntil ?? at) : stage.supportUntil;
  return { continueAsNew, ...(waitUntil ? { waitUntil } : {}) };
}
