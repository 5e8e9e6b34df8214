/**
 * Remove one record of a project (DELETE /api/projects/{id}/<segment>/{key}, the console's Remove
 * forms, `milepost remove`): a risk entered twice, a task that was a mistake, an engineer who
 * left the project.
 *
 * Input: the project, the kind and id of the record, the version read, who removes it.
 * Output: the removed record (as it was stored).
 * Steps (with the guarantees of an upsert, staff-upsert.ts):
 * 1. Load the project: 404 when absent, 409 (StateError) when it is not active.
 * 2. Read the record and the current stage's gate in one request (a team member: with the
 *    project's `assignments` counter): 404 when the record is absent.
 * 3. Version rule: remove only with the version that was read; a missing version or another one
 *    is a ConflictError (409) that says which version is stored, and nothing changes.
 * 4. What may not be removed is refused (StateError, 409) with what to do instead (below).
 * 5. One transaction: the record deleted on the condition that its version is still the one read,
 *    its removal marker (the version it had: a record created again with its id starts above it,
 *    so no version of this one ever names the new one; staff-upsert.ts), an `<entity>_removed`
 *    event whose `data.record` is the whole removed record (the event log is the audit trail:
 *    nothing is lost), and the gate guard (gate-guard.ts) as an upsert commits it, so a decision
 *    that read the criteria before the removal conflicts and reads them again. A team member's
 *    removal also checks that the project's `assignments` counter is still the one read (below).
 *    A commit that conflicts reads again (STAFF_WRITE_ATTEMPTS): a record changed meanwhile then
 *    fails the version rule, a record removed meanwhile is 404.
 * 6. The current stage's gate re-evaluates (progressCurrentStage). A removed team member's
 *    allocation no longer counts: the other projects whose resourcing gate counts it check again
 *    (recheck-capacity-gates.ts).
 *
 * What may be removed (governance: the event log keeps history, scope changes go through the sponsor):
 * - team member: refused while they are the assignee of a task that is not closed (not done, or
 *   waived without a reason) or the owner of a risk that is not closed; the message names those
 *   records (reassign them, close them, then remove). An assignee or owner matches the member's
 *   email or name, without case. Their time entries stay (history). The removal is serialised
 *   with assignments: every write that gives an open task or risk to someone (assignments.ts)
 *   bumps the project's `assignments` counter in its transaction, and the removal's transaction
 *   holds only while that counter is the value read before the tasks and risks. An assignment
 *   that commits between that read and the removal's commit makes the removal conflict; its
 *   retry reads the tasks and risks again and refuses, naming the task or risk. An assignment
 *   that commits after the removal is an assignment to a name that is not a member (assignees and
 *   owners are free text, never required to be members). The counter is not on the member, so
 *   an assignment leaves the member's version (and an open edit form of the member) as it was.
 * - task: only type `task` with no hours booked; a deliverable is the agreed scope: refused, raise
 *   a change request; a task with actual hours is work done (it counts in the health): refused,
 *   waive it instead.
 * - test case: only while its result is `not_run`; one with a result is evidence the approvers
 *   read: refused, waive it instead (result `waived` with a reason).
 * - deployment: only while planned (no result); one with a result is history: refused.
 * - risk, resource, training session, lesson learned: removable.
 */

import { ALLOCATIONS_BUMP } from '../allocation-order.js';
import { holderOf } from '../assignments.js';
import { ConflictError, NotFoundError, StateError } from '../errors.js';
import { gateGuard } from '../gate-guard.js';
import type { EntityOf, Project, Risk, Task, Versioned } from '../model.js';
import type { Deps } from '../ports.js';
import { recheckCapacityGates } from './recheck-capacity-gates.js';
import {
  commitRace,
  ENTITY_WORD,
  progressCurrentStage,
  readForStaffWrite,
  type UpsertableEntity,
  withCommitRetry,
} from './staff-upsert.js';

/** The kinds of record staff may remove (those they create and update). */
export type RemovableEntity = UpsertableEntity;

export interface RemoveOptions<E extends RemovableEntity> {
  projectId: string;
  entity: E;
  /** Id of the record within the project (task id, risk id, member email...). */
  id: string;
  /** The version the caller read (required). */
  version: number | undefined;
  actor: string;
}

export interface RemoveResult<E extends RemovableEntity> {
  /** The record as it was stored when it was removed. */
  record: EntityOf<E>;
}

/** Removes one record of a project, then progresses the current stage's gate. */
export async function removeProjectRecord<E extends RemovableEntity>(
  deps: Deps,
  options: RemoveOptions<E>,
): Promise<RemoveResult<E>> {
  const { projectId, entity } = options;
  const id = entity === 'member' ? options.id.toLowerCase() : options.id;
  const removed = await withCommitRetry(() => attemptRemove(deps, { ...options, id }));
  deps.log.info('project record removed', { projectId, entity, id });
  await progressCurrentStage(deps, removed.project, options.actor);
  // The person's allocation on this project no longer counts on the other projects' gates.
  if (entity === 'member') await recheckCapacityGates(deps, { projectId, emails: [id] });
  return { record: removed.record };
}

interface Removed<E extends RemovableEntity> {
  record: EntityOf<E>;
  project: Project;
}

/** One read-check-commit of a removal (see the module doc). */
async function attemptRemove<E extends RemovableEntity>(
  deps: Deps,
  options: RemoveOptions<E>,
): Promise<Removed<E>> {
  const { projectId, entity, id, version, actor } = options;
  const {
    project,
    existing: record,
    gate,
    assignments,
  } = await readForStaffWrite(deps, projectId, entity, id, {
    assignments: entity === 'member',
  });
  const word = ENTITY_WORD[entity];
  if (!record) throw new NotFoundError(`${word} ${id} not found`);
  const stored = (record as Versioned).version;
  if (version === undefined) {
    throw new ConflictError(`${word} ${id}: send the version you read (version ${stored} now)`);
  }
  if (version !== stored) {
    throw new ConflictError(`${word} ${id} changed since it was read (version ${stored} now)`);
  }
  const refusal = await refuse(deps, project, record);
  if (refusal) throw new StateError(`${word} ${id} cannot be removed: ${refusal}`);

  try {
    await deps.store.commit(
      gateGuard(project, gate),
      [
        {
          projectId,
          type: `${entity}_removed`,
          actor,
          at: deps.clock.now().toISOString(),
          summary: `Removed ${describe(record)}`,
          data: { id, record },
        },
      ],
      [{ ref: { entity, projectId, id }, version: stored }],
      // What the refusal read (the open tasks and risks) still holds: nothing was assigned since.
      {
        checks: assignments ? [{ projectId, counter: 'assignments', value: assignments.value }] : [],
        // An allocation gone: another project's resourcing gate that read the capacity before this
        // commit does not pass on that read (allocation-order.ts).
        bumps: entity === 'member' ? ALLOCATIONS_BUMP : [],
      },
    );
  } catch (err) {
    throw commitRace(err);
  }
  return { record, project };
}

/** Why a record of each kind may not be removed (what to do instead); undefined when it may. */
const REFUSALS: {
  [E in RemovableEntity]?: (deps: Deps, project: Project, record: EntityOf<E>) => Promise<string | undefined>;
} = {
  task: async (_deps, _project, task) => {
    if (task.type === 'deliverable')
      return 'it is a deliverable of the agreed scope: raise a change request to drop it';
    // Its hours count in the project's health (CPI in hours, EV): work done is history.
    if (task.actualHours > 0)
      return `${task.actualHours} h are booked to it: waive it instead (status waived with a reason)`;
    return undefined;
  },
  test_case: async (_deps, _project, test) =>
    test.result === 'not_run'
      ? undefined
      : `its result is ${test.result}: a test with a result is evidence, waive it instead (result waived with a reason)`,
  deployment: async (_deps, _project, deployment) =>
    deployment.result
      ? `its result is ${deployment.result}: a deployment that took place is history and stays`
      : undefined,
  member: (deps, project, member) => memberRefusal(deps, project, member.email, member.name),
};

/** Why `record` may not be removed (what to do instead), or undefined when it may. */
function refuse(
  deps: Deps,
  project: Project,
  record: EntityOf<RemovableEntity>,
): Promise<string | undefined> {
  const check = REFUSALS[record.entity] as
    | ((deps: Deps, project: Project, record: EntityOf<RemovableEntity>) => Promise<string | undefined>)
    | undefined;
  return check ? check(deps, project, record) : Promise.resolve(undefined);
}

/** The open tasks and risks that name the member (email or name, without case). */
async function memberRefusal(
  deps: Deps,
  project: Project,
  email: string,
  name: string,
): Promise<string | undefined> {
  const names = new Set([email.trim().toLowerCase(), name.trim().toLowerCase()].filter(Boolean));
  const theirs = (record: Task | Risk) => names.has(holderOf(record) ?? '');
  const [tasks, risks] = await Promise.all([
    deps.store.list(project.id, 'task'),
    deps.store.list(project.id, 'risk'),
  ]);
  const openTasks = tasks.filter(theirs);
  const openRisks = risks.filter(theirs);
  if (!openTasks.length && !openRisks.length) return undefined;
  const named = [
    ...openTasks.map((t) => `${t.type} ${t.id} (${t.status})`),
    ...openRisks.map((r) => `risk ${r.id} (${r.status})`),
  ];
  return `they are the assignee or owner of ${named.join(', ')}: reassign or close ${named.length === 1 ? 'it' : 'them'} first`;
}

/** Each kind of record in words for the event summary, e.g. `task "Configure tenant"`. */
const DESCRIPTIONS: { [E in RemovableEntity]: (record: EntityOf<E>) => string } = {
  task: (t) => `${t.type} "${t.name}"`,
  risk: (r) => `risk "${r.title}"`,
  member: (m) => `team member ${m.name} (${m.email})`,
  resource: (r) => `resource "${r.name}"`,
  test_case: (t) => `test case "${t.name}"`,
  deployment: (d) => `deployment "${d.name}"`,
  training_session: (t) => `training session "${t.title}" (${t.date})`,
  lesson: (l) => `lesson "${l.title}"`,
};

function describe(record: EntityOf<RemovableEntity>): string {
  return (DESCRIPTIONS[record.entity] as (record: EntityOf<RemovableEntity>) => string)(record);
}
