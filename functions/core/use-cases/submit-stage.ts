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
 * A submit that would leave a gate nobody can pass is refused (StateError, nothing changes): the
 * submitter may not approve their own submission, so when the other approvers cannot meet the
 * rule (e.g. the submitter is the only approver) the message says who else can approve.
 */
import { evaluateCriteria } from '../criteria.js';
import { StateError } from '../errors.js';
import { requireActive, requireProject, withConflictRetry } from '../events.js';
import { approvalsNeeded } from '../gate-rules.js';
import type { Gate, Project } from '../model.js';
import type { Deps } from '../ports.js';
import { prepareDocument } from '../stages/documents.js';
import { stageType } from '../stages/index.js';
import { progressGate } from './progress-gate.js';
import { requestApprovals } from './request-approvals.js';
import { isSubmitter } from './view-approval.js';

/**
 * Why `actor` may not submit a stage whose gate the others cannot pass without them, or undefined.
 * The sentence names who else can approve (the other approvers, or the stakeholders who could be
 * made approvers in the spec).
 */
async function selfApprovalProblem(
  deps: Deps,
  project: Project,
  gate: Gate,
  stageName: string,
  actor: string,
): Promise<string | undefined> {
  if (gate.rule === 'auto' || !gate.approvers.some((a) => isSubmitter(actor, a.email))) return undefined;
  const others = gate.approvers.filter((a) => !isSubmitter(actor, a.email));
  const needed = approvalsNeeded(gate.rule, gate.approvers.length);
  // Under `all` every approver must approve, the submitter included: never possible.
  if (gate.rule !== 'all' && others.length >= needed) return undefined;
  const named = (list: { name: string; email: string }[]) =>
    list.map((p) => `${p.name} <${p.email}>`).join(', ');
  if (others.length === 0) {
    const candidates = (await deps.store.list(project.id, 'stakeholder')).filter(
      (s) => !isSubmitter(actor, s.email),
    );
    return `You cannot submit ${stageName}: you are its only approver and may not approve your own submission. ${
      candidates.length
        ? `Make another stakeholder an approver of its gate in the spec (${named(candidates)}), or let one of them submit it.`
        : 'Add another approver to its gate in the spec.'
    }`;
  }
  return `You cannot submit ${stageName}: you may not approve your own submission, and its rule needs ${
    gate.rule === 'all' ? 'every approver' : `${needed} approvals`
  } while only ${others.length} other approver(s) can approve: ${named(others)}. Let one of them submit it, or change the gate in the spec.`;
}

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
  if (document && firstGate.status === 'waiting') await prepareDocument(deps, projectId, document, actor);

  const outcome = await withConflictRetry(async () => {
    // The gate before the project and the criteria (progress-gate.ts says why).
    const [gate, stageRecord] = await Promise.all([
      deps.store.get(projectId, 'gate', stage),
      deps.store.get(projectId, 'stage', stage),
    ]);
    const project = await requireProject(deps, projectId);
    const now = deps.clock.now();
    const at = now.toISOString();
    if (!gate || !stageRecord || gate.status === 'approved' || gate.status === 'rejected') {
      throw new StateError(`the gate of stage ${stage} is not open`);
    }
    if (gate.status === 'waiting') {
      // Refused whatever the criteria say: the gate this submit opens could never pass.
      const problem = await selfApprovalProblem(deps, project, gate, stageRecord.name, actor);
      if (problem) throw new StateError(problem);
    }
    const criteria = await evaluateCriteria(deps.store, project, stage, now);
    if (!criteria.met) return { submitted: false, unmet: criteria.unmet, progress: false };

    if (gate.status === 'waiting' && gate.rule !== 'auto') {
      await requestApprovals(deps, project, gate, actor, { submitted: true, criteriaHeld: true });
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
