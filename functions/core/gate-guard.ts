/**
 * Writes of the records a stage's exit criteria read (tasks, test cases, risks, team members,
 * resources, deployments, training sessions, the ledger of time and expenses) serialise with the
 * approval decisions of the current stage's gate.
 *
 * An approver's decision that passes a gate checks the criteria on what it read, then commits the
 * gate version-checked (decide-approval.ts). A write that made a criterion false and committed
 * between that read and that commit would otherwise let the gate pass; the write's own follow-up
 * (progressGate withdrawing the round) comes after the gate was decided. So while the current
 * stage's gate waits on its approvers, such a write commits that gate too, unchanged, in the same
 * transaction: the store makes it version + 1, the decision's version check fails, and its retry
 * reads the criteria again (and withdraws the round when they no longer hold). Outside that window
 * (no requests out, a decided gate, another stage's gate) no gate is written, so writes do not
 * collide with the gate's own steps for nothing.
 */
import type { Gate, Project } from './model.js';

/** The current stage's gate as a record ref, to read it in the same request as the write's own reads. */
export function currentGateRef(project: Pick<Project, 'id' | 'currentStage'>) {
  return { entity: 'gate', projectId: project.id, id: project.currentStage } as const;
}

/**
 * The records to commit with a write of `project`'s records so that it serialises with the
 * decisions of its current gate: that gate, as read, while its approval requests are out;
 * otherwise none. One item at most (count it against the 100 items of a transaction).
 */
export function gateGuard(
  project: Pick<Project, 'id' | 'currentStage' | 'status'>,
  gate: Gate | undefined,
): Gate[] {
  if (!gate || project.status !== 'active') return [];
  if (gate.projectId !== project.id || gate.stage !== project.currentStage) return [];
  return gate.status === 'pending_approval' ? [gate] : [];
}
