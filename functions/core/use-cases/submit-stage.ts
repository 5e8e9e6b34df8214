/**
 * The PM submits the current stage (POST /api/projects/{id}/stages/{stage}/submit).
 *
 * Input: projectId, stage key, actor (the PM's email). Output: { submitted, unmet }.
 * Steps: only the project's current stage with an open gate (waiting or pending approval) can be
 * submitted (else StateError). The exit criteria are evaluated (after the document the stage
 * approves, the risk stage's plan, is generated); when any does not hold, nothing changes and the unmet ones are listed.
 * Otherwise stage.submittedAt/By are recorded and:
 * - an approval gate waiting (first time, or after rework) starts a new round of requests: links of
 *   older rounds are superseded because their round is older;
 * - an auto gate advances (progressGate);
 * - a gate whose requests are already out only records the submit (its links keep working).
 */
import { evaluateCriteria } from '../criteria.js';
import { StateError } from '../errors.js';
import { requireActive, requireProject, withConflictRetry } from '../events.js';
import type { Deps } from '../ports.js';
import { stageType } from '../stages/index.js';
import { progressGate } from './progress-gate.js';
import { requestApprovals } from './request-approvals.js';

export interface SubmitStageResult {
  submitted: boolean;
  unmet: string[];
}

export async function submitStage(
  deps: Deps,
  projectId: string,
  stage: string,
  actor: string,
): Promise<SubmitStageResult> {
  const first = await requireProject(deps, projectId);
  requireActive(first);
  if (first.currentStage !== stage) {
    throw new StateError(`stage ${stage} is not the current stage (${first.currentStage})`);
  }
  const firstGate = await deps.store.get(projectId, 'gate', stage);
  if (!firstGate || firstGate.status === 'approved' || firstGate.status === 'rejected') {
    throw new StateError(`the gate of stage ${stage} is not open`);
  }
  const document = stageType(stage).approvalDocument;
  if (document && firstGate.status === 'waiting') await document.prepare(deps, projectId, actor);

  const outcome = await withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    const now = deps.clock.now();
    const at = now.toISOString();
    const [gate, stageRecord] = await Promise.all([
      deps.store.get(projectId, 'gate', stage),
      deps.store.get(projectId, 'stage', stage),
    ]);
    if (!gate || !stageRecord || gate.status === 'approved' || gate.status === 'rejected') {
      throw new StateError(`the gate of stage ${stage} is not open`);
    }
    const criteria = await evaluateCriteria(deps.store, project, stage, now);
    if (!criteria.met) return { submitted: false, unmet: criteria.unmet, progress: false };

    if (gate.status === 'waiting' && gate.rule !== 'auto') {
      await requestApprovals(deps, project, gate, actor, { submitted: true });
      return { submitted: true, unmet: [], progress: false };
    }
    await deps.store.commit(
      [{ ...stageRecord, submittedAt: at, submittedBy: actor }],
      [
        {
          projectId,
          stage,
          type: 'stage_submitted',
          actor,
          at,
          summary: `${actor} submitted ${stageRecord.name}`,
        },
      ],
    );
    return { submitted: true, unmet: [], progress: gate.rule === 'auto' };
  });

  if (outcome.progress) await progressGate(deps, projectId, stage, actor);
  return { submitted: outcome.submitted, unmet: outcome.unmet };
}
