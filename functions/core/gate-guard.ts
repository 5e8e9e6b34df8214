/**
 * Writes of the records a stage's exit criteria read (tasks, test cases, risks, team members,
 * resources, deployments, training sessions, the ledger of time and expenses) serialise with
 * every step that checks those criteria and then moves the current stage's gate on.
 *
 * Three steps read the criteria and then commit the gate version-checked: an approver's decision
 * that passes the gate (decide-approval.ts), progressGate passing an `auto` gate on its own, and
 * progressGate (or the PM's submit) sending the approval requests of a gate whose criteria hold
 * (progress-gate.ts, submit-stage.ts). A write that made a criterion false and committed between
 * that read and that commit would otherwise let the gate pass (or ask approvers to pass work that
 * is no longer done); the write's own follow-up (progressGate) comes after the gate moved on. So
 * while the current stage's gate is open (`waiting` for its criteria or `pending_approval`), such
 * a write commits that gate too, unchanged, in the same transaction: the store makes it
 * version + 1, the step's version check fails, and its retry reads the criteria again (and does
 * nothing, or withdraws the round, when they no longer hold). The steps read the gate before the
 * criteria, so a write that lands between the two still bumps a version they hold.
 *
 * Two such writes at once both commit the gate, so one of them conflicts; their own bounded retries
 * (staff-upsert.ts, ledger-commit.ts, register-project.ts) read again and land it. Outside that
 * window (a decided gate, another stage's gate, a project that is not active) no gate is written,
 * so writes do not collide with the gate's own steps for nothing.
 */
import type { Gate, GateStatus, Project } from './model.js';

/**
 * Attempts of one staff write (a record upsert, a time entry or expense) whose commit lost a race:
 * while the gate is open every write to the project commits it, so N writes at once land one
 * after another and the last may lose N - 1 times. Measured (`npm run bench`, contention: 20 at
 * once, 60 writes a run on 2 cores): with 6 attempts 0-4 writes a run gave up with a conflict; with
 * 10, none did in five runs (300 writes).
 */
export const STAFF_WRITE_ATTEMPTS = 10;

/**
 * The gate states in which a step may still pass the gate or send its requests on what it read:
 * `waiting` (progressGate passes an `auto` gate or requests approvals, a PM submits) and
 * `pending_approval` (approvers decide). `approved` and `rejected` are final for the round.
 */
const OPEN: ReadonlySet<GateStatus> = new Set<GateStatus>(['waiting', 'pending_approval']);

/** The current stage's gate as a record ref, to read it in the same request as the write's own reads. */
export function currentGateRef(project: Pick<Project, 'id' | 'currentStage'>) {
  return { entity: 'gate', projectId: project.id, id: project.currentStage } as const;
}

/**
 * The records to commit with a write of `project`'s records so that it serialises with the steps
 * that pass or request its current gate: that gate, as read, while it is open (`waiting` or
 * `pending_approval`); otherwise none. One item at most (count it against the 100 items of a
 * transaction).
 */
export function gateGuard(
  project: Pick<Project, 'id' | 'currentStage' | 'status'>,
  gate: Gate | undefined,
): Gate[] {
  if (!gate || project.status !== 'active') return [];
  if (gate.projectId !== project.id || gate.stage !== project.currentStage) return [];
  return OPEN.has(gate.status) ? [gate] : [];
}

/**
 * The criteria mark a write of `gate` that changes no record its criteria read (a decision that
 * leaves the round open, a reminder) carries on: the version it writes, when the mark held at the
 * version read (`Gate.criteriaHeldAt`); nothing otherwise. A write that leaves it out makes the
 * next passing decision evaluate the criteria again, which is always safe.
 */
export function carriedCriteriaMark(gate: Gate): Pick<Gate, 'criteriaHeldAt'> {
  return gate.criteriaHeldAt === gate.version ? { criteriaHeldAt: gate.version + 1 } : {};
}
