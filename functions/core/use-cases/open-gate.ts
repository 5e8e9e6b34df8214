/**
 * Open a stage's gate (the `.waitForTaskToken` task of the state machine).
 *
 * Input: projectId, stage key, the task token. Output: what happened (for logs and tests; the
 * state machine waits for the callback, not for this result).
 * Steps:
 * - first open: the gate is created from the project's resolved stage (rule, approvers with their
 *   names from the stakeholders, status waiting, round 0) with the token, event `gate_opened`;
 * - reopen (after a timeout, a restart or a retry of the gate task): the new token replaces the
 *   old one; links already out keep working and no new emails are sent. A restart or a retry
 *   records `gate_reopened`; the routine reopen after a timeout whose remind step has run (the
 *   gate's `remindedFor` is the old token's key) records nothing: the gate task times out at
 *   least every 6 hours, and the remind step already logged whatever it sent;
 * - a gate that was approved while no task was waiting stores this token too (so the latest
 *   gate task is the one the decision goes to) and gets SendTaskSuccess at once; one rejected
 *   and not yet reworked gets SendTaskFailure(GateRejected, the comments);
 * - otherwise progressGate runs (criteria -> auto advance or approval requests).
 * A repeat with the token the gate already holds (the same invocation delivered twice) changes
 * nothing and calls nothing back: whoever stored the token or decided the gate with it has
 * delivered (or recorded why not), so a decision reaches each gate task exactly once.
 * The token is stored with the gate only; it is never logged or emailed.
 */
import { TaskTokenGoneError } from '../errors.js';
import {
  recordEvent,
  requireActive,
  requireProject,
  resolvedStage,
  tokenKey,
  withConflictRetry,
} from '../events.js';
import type { Gate } from '../model.js';
import { loadPeople, nameOf } from '../notifications/people.js';
import type { Deps } from '../ports.js';
import { GATE_REJECTED, type GatePassed } from '../workflow-contract.js';
import { type CriteriaResult, progressGate } from './progress-gate.js';

export interface OpenGateInput {
  projectId: string;
  stage: string;
  taskToken: string;
}

export interface OpenGateResult {
  /**
   * opened: first open; reopened: new token stored; passed / rejected: answered at once;
   * repeat: the gate already holds this token (nothing done again).
   */
  outcome: 'opened' | 'reopened' | 'passed' | 'rejected' | 'repeat';
  action?: 'none' | 'advanced' | 'requested' | 'withdrawn';
  criteria?: CriteriaResult;
}

/** The rejection comments of a gate's round, as the failure cause. */
export function rejectionCause(gate: Gate): string {
  const comments = gate.approvers
    .filter((a) => a.decision === 'reject')
    .map((a) => (a.comment?.trim() ? `${a.name}: ${a.comment.trim()}` : `${a.name} rejected`));
  return comments.join('\n') || 'rejected';
}

export async function openGate(deps: Deps, input: OpenGateInput): Promise<OpenGateResult> {
  const { projectId, stage, taskToken } = input;
  const stored = await withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    requireActive(project);
    const resolved = resolvedStage(project, stage);
    const gate = await deps.store.get(projectId, 'gate', stage);
    const at = deps.clock.now().toISOString();
    if (!gate) {
      const people = await loadPeople(deps, project);
      const created: Gate = {
        entity: 'gate',
        projectId,
        stage,
        round: 0,
        status: 'waiting',
        rule: resolved.gate.rule,
        taskToken,
        approvers: resolved.gate.approvers.map((email) => ({
          email,
          name: nameOf(people.stakeholders, email),
        })),
        openedAt: at,
        reminders: 0,
        version: 0,
      };
      await deps.store.commit(
        [created],
        [
          {
            projectId,
            stage,
            type: 'gate_opened',
            actor: 'system',
            at,
            summary: `Gate of ${resolved.name} opened`,
            data: { rule: created.rule, approvers: created.approvers.map((a) => a.email) },
          },
        ],
      );
      return { outcome: 'opened' as const, gate: created };
    }
    if (gate.taskToken === taskToken) return { outcome: 'repeat' as const, gate };
    if (gate.status === 'approved' || gate.status === 'rejected') {
      // The decision goes to this task: store its token first (version-checked), so a concurrent
      // repeat of this call finds it and does not deliver a second time.
      await deps.store.commit(
        [{ ...gate, taskToken }],
        [
          {
            projectId,
            stage,
            type: 'gate_reopened',
            actor: 'system',
            at,
            summary: `Gate of ${resolved.name} opened again: its decision (${gate.status}, round ${gate.round}) goes to the waiting task`,
            data: { round: gate.round, status: gate.status },
          },
        ],
      );
      return { outcome: gate.status === 'approved' ? ('passed' as const) : ('rejected' as const), gate };
    }
    // After a timeout the remind step marked the old token: the reopen is routine, nothing changed.
    const afterTimeout = gate.taskToken !== undefined && gate.remindedFor === tokenKey(gate.taskToken);
    await deps.store.commit(
      [{ ...gate, taskToken }],
      afterTimeout
        ? []
        : [
            {
              projectId,
              stage,
              type: 'gate_reopened',
              actor: 'system',
              at,
              summary: `Gate of ${resolved.name} waits again (${gate.status === 'pending_approval' ? `approval requests of round ${gate.round} stay valid` : 'for its exit criteria'})`,
              data: { round: gate.round, status: gate.status },
            },
          ],
    );
    return { outcome: 'reopened' as const, gate };
  });

  const { gate } = stored;
  if (stored.outcome === 'passed') {
    const output: GatePassed = {
      stage,
      round: gate.round,
      decision: gate.rule === 'auto' ? 'auto' : 'approved',
    };
    await callback(deps, projectId, stage, () => deps.workflow.sendTaskSuccess(taskToken, output));
    return { outcome: 'passed' };
  }
  if (stored.outcome === 'rejected') {
    const cause = rejectionCause(gate);
    await callback(deps, projectId, stage, () =>
      deps.workflow.sendTaskFailure(taskToken, GATE_REJECTED, cause),
    );
    return { outcome: 'rejected' };
  }
  if (stored.outcome === 'repeat' && (gate.status === 'approved' || gate.status === 'rejected')) {
    deps.log.info('gate task opened again with the same token; nothing to deliver again', {
      projectId,
      stage,
    });
    return { outcome: 'repeat' };
  }
  if (gate.status === 'pending_approval') return { outcome: stored.outcome, action: 'none' };
  const progressed = await progressGate(deps, projectId, stage, 'system');
  return { outcome: stored.outcome, action: progressed.action, criteria: progressed.criteria };
}

/**
 * Runs a callback to this task. A task that is gone, or a workflow that cannot be reached, is
 * recorded and not thrown: the decision stays in the store, and the gate task times out, reminds
 * and opens again, which delivers it (a failing gate task would otherwise fail the execution).
 */
async function callback(
  deps: Deps,
  projectId: string,
  stage: string,
  send: () => Promise<void>,
): Promise<void> {
  try {
    await send();
  } catch (error) {
    const gone = error instanceof TaskTokenGoneError;
    deps.log.warn('gate callback not delivered', {
      projectId,
      stage,
      error: error instanceof Error ? error.name : 'unknown',
    });
    await recordEvent(deps, {
      projectId,
      stage,
      type: 'gate_callback_deferred',
      actor: 'system',
      summary: gone
        ? 'The gate task was no longer waiting; the next gate task continues'
        : 'The workflow could not be reached; the next gate task continues',
      data: { reason: gone ? 'task_gone' : 'workflow_error' },
    });
  }
}
