/**
 * Move a gate forward when its exit criteria hold (called when the gate opens, after staff-API
 * changes to the data behind the criteria, and by a PM's submit).
 *
 * Input: projectId, stage key, actor. Output: the criteria and what was done:
 * - `advanced`: an `auto` gate was marked approved (a conditional write, so exactly once even
 *   when two calls race) and its waiting task got SendTaskSuccess({ stage, round, decision: 'auto' });
 * - `requested`: approval requests went out (requestApprovals) for an approval gate that was
 *   `waiting`, not waiting for a PM resubmission after rework, and not one whose requests wait
 *   for the PM's submit (`gate.submit`, the default of the execution stage);
 * - `withdrawn`: approval requests were out but the criteria no longer hold (a record changed):
 *   the requests are withdrawn (withdrawApprovals) and the gate waits for the PM's next submit;
 * - `none`: criteria do not hold, the gate is not open, or it is already past that point.
 * A gate whose round a change request or a deployed spec edit made stale (`rebaselined`) is asked again first
 * (renewGateApprovals): `requested`, or `withdrawn` when the criteria no longer hold.
 * Steps: a document the stage approves (the risk stage's plan) is generated first unless approval
 * requests are out or decided (a no-op when unchanged);
 * the criteria are evaluated on the latest data; the change is committed with its event. A gate
 * whose criteria read other projects (resourcing) reads the portfolio's allocations counter first
 * and passes only while it is unchanged (allocation-order.ts): an allocation written in another
 * project between the read and the pass makes the pass conflict, and the retry evaluates again. A missing
 * token (the gate task has not opened yet) or a task that is gone (timed out) is recorded as an
 * event, never thrown: the gate is approved in the store and the next gate task picks it up.
 */
import { readAllocationsOrder } from '../allocation-order.js';
import { type CriteriaResult, evaluateCriteria } from '../criteria.js';
import { TaskTokenGoneError } from '../errors.js';
import { recordEvent, requireProject, withConflictRetry } from '../events.js';
import type { Gate, Project } from '../model.js';
import type { Deps } from '../ports.js';
import { prepareDocument } from '../stages/documents.js';
import { stageType } from '../stages/index.js';
import type { GatePassed } from '../workflow-contract.js';
import { awaitsRenewal, renewGateApprovals } from './renew-gate-approvals.js';
import { requestApprovals } from './request-approvals.js';
import { withdrawApprovals } from './withdraw-approvals.js';

export type { CriteriaResult };

export interface ProgressGateResult {
  criteria: CriteriaResult;
  action: 'none' | 'advanced' | 'requested' | 'withdrawn';
}

/** True when the gate still waits for its criteria (not requested, not decided, not in rework). */
export function waitingForCriteria(gate: Gate): boolean {
  return gate.status === 'waiting' && !gate.awaitingResubmission;
}

export async function progressGate(
  deps: Deps,
  projectId: string,
  stage: string,
  actor: string,
): Promise<ProgressGateResult> {
  const first = await requireProject(deps, projectId);
  const live = first.status === 'active' && first.currentStage === stage;
  let firstGate = await deps.store.get(projectId, 'gate', stage);
  // A change request re-baselined the project while approval requests were out: ask again first
  // (finishes what the change request's decision left undone, e.g. after a crash).
  let renewed: Awaited<ReturnType<typeof renewGateApprovals>> | undefined;
  if (live && awaitsRenewal(firstGate)) {
    try {
      renewed = await renewGateApprovals(deps, projectId, actor);
    } catch (err) {
      // The change stays approved and the gate marked: the next check asks again.
      deps.log.error('could not ask the gate again after a change request', {
        projectId,
        stage,
        error: err instanceof Error ? err.name : 'unknown',
      });
      return {
        criteria: await evaluateCriteria(deps.store, first, stage, deps.clock.now()),
        action: 'none',
      };
    }
    firstGate = await deps.store.get(projectId, 'gate', stage);
  }
  const document = stageType(stage).approvalDocument;
  if (document && live && (!firstGate || firstGate.status === 'waiting')) {
    await prepareDocument(deps, projectId, document, actor);
  }

  const outcome = await withConflictRetry(async () => {
    // The gate first, then the project and the criteria: a staff write or spec deploy that lands
    // after this read commits the gate too (gate-guard.ts), so the version read here is then
    // stale and this step's commit conflicts; the round it requests may then record that the
    // criteria held at the version it writes (criteriaHeld).
    const gate = await deps.store.get(projectId, 'gate', stage);
    const project = await requireProject(deps, projectId);
    // Before the criteria read the other projects' members (a resourcing gate): an allocation
    // written after this read makes the pass below conflict, and the retry evaluates again.
    const order = await readAllocationsOrder(deps.store, stage);
    const now = deps.clock.now();
    const criteria = await evaluateCriteria(deps.store, project, stage, now);
    const none = { criteria, action: 'none' as const };
    if (!gate || project.status !== 'active' || project.currentStage !== stage) return none;
    // Marked by a change request meanwhile: its renewal asks again (with `approvals_reset`).
    if (awaitsRenewal(gate)) return none;
    if (!criteria.met) {
      // Requests out for work that is no longer done: a decision must not pass this gate.
      if (gate.status !== 'pending_approval') return none;
      await withdrawApprovals(deps, project, gate, criteria.unmet, actor);
      return { criteria, action: 'withdrawn' as const };
    }

    if (gate.rule === 'auto') {
      if (gate.status === 'approved' || gate.status === 'rejected') return none;
      const at = now.toISOString();
      const [stored] = await deps.store.commit(
        [{ ...gate, status: 'approved', decidedAt: at, awaitingResubmission: undefined }],
        [
          {
            projectId,
            stage,
            type: 'gate_approved',
            actor,
            at,
            summary: `Gate of ${stage} passed automatically: the exit criteria hold`,
            data: { round: gate.round, decision: 'auto' },
          },
        ],
        [],
        { checks: order },
      );
      return { criteria, action: 'advanced' as const, gate: (stored as Gate | undefined) ?? gate, project };
    }
    if (!waitingForCriteria(gate)) return none;
    // "PM submits, sponsor approves": such a gate sends its requests from submitStage only.
    if (project.stages.find((s) => s.key === stage)?.gate.submit) return none;
    const requested = await requestApprovals(deps, project, gate, actor, { criteriaHeld: true });
    return { criteria, action: 'requested' as const, gate: requested, project };
  });

  if (outcome.action === 'advanced' && 'gate' in outcome) {
    await notifyPassed(deps, outcome.project, outcome.gate);
  }
  if (outcome.action === 'none' && renewed && renewed.action !== 'none') {
    return { criteria: outcome.criteria, action: renewed.action === 'renewed' ? 'requested' : 'withdrawn' };
  }
  return { criteria: outcome.criteria, action: outcome.action };
}

/** SendTaskSuccess to the gate's waiting task; a missing or gone task is recorded, not thrown. */
export async function notifyPassed(deps: Deps, project: Project, gate: Gate): Promise<void> {
  const output: GatePassed = {
    stage: gate.stage,
    round: gate.round,
    decision: gate.rule === 'auto' ? 'auto' : 'approved',
  };
  if (!gate.taskToken) {
    await recordEvent(deps, {
      projectId: project.id,
      stage: gate.stage,
      type: 'gate_callback_deferred',
      actor: 'system',
      summary: 'Gate passed while no gate task was waiting; the next gate task continues',
    });
    return;
  }
  try {
    await deps.workflow.sendTaskSuccess(gate.taskToken, output);
  } catch (error) {
    const gone = error instanceof TaskTokenGoneError;
    deps.log.warn('gate callback not delivered', {
      projectId: project.id,
      stage: gate.stage,
      error: error instanceof Error ? error.name : 'unknown',
    });
    await recordEvent(deps, {
      projectId: project.id,
      stage: gate.stage,
      type: 'gate_callback_deferred',
      actor: 'system',
      summary: gone
        ? 'Gate passed while its task was no longer waiting (timed out); the next gate task continues'
        : 'Gate passed but the workflow could not be reached; the next gate task continues',
      data: { reason: gone ? 'task_gone' : 'workflow_error' },
    });
  }
}
