/**
 * Withdraw the approval requests of a gate whose stage's exit criteria stopped holding while the
 * requests were out (a record changed, e.g. a new test case still to do).
 *
 * Input: the project and the gate as read (their versions are the optimistic lock), the criteria
 * that do not hold, the actor. Output: the gate as stored.
 * Steps: the gate goes back to `waiting` and waits for the PM's next submit (awaitingResubmission),
 * every decision of the round is cleared (so no link of the round decides: the approval page of
 * each is the neutral one), the round's time is added to the waiting-on-client clock, the stage
 * goes back to `active`; gate, stage and the `approvals_withdrawn` event in one commit (a
 * ConflictError means someone else changed the gate: the caller re-reads). Then each approver of
 * the round gets a short notice that the request was withdrawn and a new one will follow.
 */
import { closeWaitRound } from '../customer-wait.js';
import { NotFoundError } from '../errors.js';
import type { Gate, Project } from '../model.js';
import { approvalWithdrawn } from '../notifications/notices.js';
import { notify } from '../notifications/notify.js';
import { notificationContext } from '../notifications/people.js';
import type { Deps, NewEvent } from '../ports.js';

export interface WithdrawApprovalsOptions {
  /**
   * Events committed with the withdrawal, before `approvals_withdrawn` (the `approvals_reset` of
   * a round whose change request re-baselined the project and left the criteria unmet).
   */
  events?: NewEvent[];
}

export async function withdrawApprovals(
  deps: Deps,
  project: Project,
  gate: Gate,
  unmet: string[],
  actor: string,
  options: WithdrawApprovalsOptions = {},
): Promise<Gate> {
  const stage = await deps.store.get(project.id, 'stage', gate.stage);
  if (!stage) throw new NotFoundError(`project ${project.id} has no stage record ${gate.stage}`);
  const at = deps.clock.now().toISOString();
  const next: Gate = {
    ...gate,
    status: 'waiting',
    awaitingResubmission: true,
    approvers: gate.approvers.map((a) => ({ email: a.email, name: a.name })),
    customerWaitMs: closeWaitRound(gate, at),
    decidedAt: undefined,
    // Withdrawn: the PM's next submit asks again on the baseline then in force.
    rebaselined: undefined,
  };
  const stored = await deps.store.commit(
    [next, { ...stage, status: 'active' }],
    [
      ...(options.events ?? []),
      {
        projectId: project.id,
        stage: gate.stage,
        type: 'approvals_withdrawn',
        actor,
        at,
        summary: `Approval requests of ${stage.name} (round ${gate.round}) withdrawn: the exit criteria no longer hold`,
        data: { round: gate.round, unmet, approvers: gate.approvers.map((a) => a.email) },
      },
    ],
  );
  deps.log.info('approval requests withdrawn', {
    projectId: project.id,
    stage: gate.stage,
    round: gate.round,
  });
  await notify(deps, project.id, gate.stage, [
    approvalWithdrawn({
      ctx: notificationContext(project, deps.config),
      to: gate.approvers.map((a) => a.email),
      stageName: stage.name,
      round: gate.round,
    }),
  ]);
  return (
    (stored.find((e) => e.entity === 'gate') as Gate | undefined) ?? { ...next, version: gate.version + 1 }
  );
}
