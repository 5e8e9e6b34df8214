/**
 * Shared steps of the staff API's create-or-update operations (tasks, risks, team members,
 * resources, test cases, deployments, training sessions, lessons learned): load the project (404 when absent, 409 when closed), apply the version rule,
 * build the record, commit it with its event (and, while approval requests are out, the current
 * stage's gate: gate-guard.ts), then let the current stage's gate re-evaluate. A commit that
 * conflicts reads again: a record changed meanwhile then fails the version rule (409), a gate
 * decided meanwhile is simply not written.
 *
 * Emptying a field: an update may name optional fields to clear. The record is then built from the
 * stored one without them, so each kind's rules see them as never set (a waived task whose waiver
 * reason is cleared is refused like one that never had a reason), and the event's `changed` list
 * names them. A required field, an unknown name, or a field both given a value and cleared is a
 * ValidationError before anything is read.
 *
 * Version rule: create when the record is absent and `version` is omitted or 0; update only with
 * the version that was read (anything else is a ConflictError -> 409).
 *
 * A record created with the id of a removed one (staff-remove-record.ts) is created above the
 * removed one's last version (its removal marker, read with it: ports.ts RemovalMarker): a record
 * removed at version 3 and created again is stored at version 4, so a form, command or client
 * that read the removed record (versions 1-3) can neither update nor remove the new one (409,
 * "changed since it was read (version 4 now)"). The creation commits on the conditions that the
 * record does not exist and the marker is still the one read.
 *
 * A write that gives an open task or risk to someone (assignments.ts) bumps the project's
 * `assignments` counter in its transaction (see staff-remove-record.ts: a member's removal).
 */

import { ALLOCATIONS_BUMP, allocates } from '../allocation-order.js';
import { assigns } from '../assignments.js';
import { ConflictError, NotFoundError, StateError, ValidationError } from '../errors.js';
import { currentGateRef, gateGuard, STAFF_WRITE_ATTEMPTS } from '../gate-guard.js';
import type { Entity, EntityOf, Gate, Project, Versioned } from '../model.js';
import type { CounterValue, Deps, RemovalMarker } from '../ports.js';
import { jitteredBackoff, retry } from '../retry.js';
import { progressGate } from './progress-gate.js';

export type UpsertableEntity =
  | 'task'
  | 'risk'
  | 'member'
  | 'resource'
  | 'test_case'
  | 'deployment'
  | 'training_session'
  | 'lesson';

export interface UpsertOptions<E extends UpsertableEntity> {
  projectId: string;
  entity: E;
  /** Id of the record within the project (task id, risk id, member email, resource id). */
  id: string;
  /** The version the caller read; omitted or 0 to create. */
  version?: number;
  actor: string;
  /** Builds the new record (without version) from the stored one, if any. */
  build: (existing: EntityOf<E> | undefined, project: Project) => EntityOf<E>;
  /** Words for the event summary, e.g. `task "Configure tenant"`. */
  describe: (record: EntityOf<E>) => string;
  /** Optional fields to empty (see the module doc); checked against `fields`. */
  clear?: readonly string[];
  /** The fields this request gives a value (none of them may also be cleared). */
  given?: object;
  /** Which of the kind's fields may be cleared; required when `clear` is given. */
  fields?: RecordFields;
}

/** The fields a request may set on a kind of record, by whether an update may empty them. */
export interface RecordFields {
  /** Fields a record may lack: an update may clear them. */
  optional: readonly string[];
  /** Fields every record has (required to create, or given a default): they cannot be cleared. */
  required: readonly string[];
  /** The required fields that hold a list: an empty list (`[]`) empties them instead. */
  lists?: readonly string[];
}

/** Why a required field cannot be cleared, in the words of the API and the CLI. */
export function notClearable(fields: RecordFields, name: string): string {
  return fields.lists?.includes(name)
    ? `${name} is a list: send an empty list to empty it; it cannot be cleared`
    : `${name} is required; it cannot be cleared`;
}

export interface UpsertResult<E extends UpsertableEntity> {
  created: boolean;
  record: EntityOf<E>;
}

/** The record kinds in words, for messages and event summaries. */
export const ENTITY_WORD: Record<UpsertableEntity, string> = {
  task: 'task',
  risk: 'risk',
  member: 'team member',
  resource: 'resource',
  test_case: 'test case',
  deployment: 'deployment',
  training_session: 'training session',
  lesson: 'lesson',
};

/** Creates or updates one record of a project, then progresses the current stage's gate. */
export async function upsertProjectRecord<E extends UpsertableEntity>(
  deps: Deps,
  options: UpsertOptions<E>,
): Promise<UpsertResult<E>> {
  const { projectId, entity, id } = options;
  checkClear(options);
  // Cleared fields: the kind's build sees the stored record without them (each attempt's read).
  const { clear, build } = options;
  const building: UpsertOptions<E> = clear?.length
    ? { ...options, build: (existing, project) => build(existing && withoutFields(existing, clear), project) }
    : options;
  const saved = await withCommitRetry(() => attemptUpsert(deps, building));
  deps.log.info('project record saved', { projectId, entity, id, created: saved.created });
  await progressCurrentStage(deps, saved.project, options.actor);
  return { created: saved.created, record: saved.record };
}

/**
 * Runs one read-check-commit of a staff write (an upsert or a removal) until its commit no longer
 * loses a race (the record or the current gate changed meanwhile), at most STAFF_WRITE_ATTEMPTS
 * times: each attempt reads again, so a record changed meanwhile fails the version rule. The
 * attempt throws `commitRace(err)` for a conflicting commit; the last conflict is what fails.
 */
export async function withCommitRetry<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await retry(
      {
        attempts: STAFF_WRITE_ATTEMPTS,
        retryOn: (e) => e instanceof CommitRace,
        delayMs: jitteredBackoff(0, 20),
      },
      attempt,
    );
  } catch (err) {
    throw err instanceof CommitRace ? err.conflict : err;
  }
}

/** A commit that conflicted: the next attempt reads again (and a changed record fails the version rule). */
class CommitRace {
  constructor(readonly conflict: ConflictError) {}
}

/** What a staff write's commit threw, as `withCommitRetry` retries it: a conflict is a race to retry. */
export function commitRace(err: unknown): unknown {
  return err instanceof ConflictError ? new CommitRace(err) : err;
}

/**
 * The reads of a staff write: the project (404 when absent, 409 when not active), then the record,
 * its id's removal marker (a record created again starts above it), the current stage's gate and,
 * when asked, the project's `assignments` counter (a member's removal) in one request. The gate
 * goes into the write's commit while its approval requests are out (gate-guard.ts), so a decision
 * that read the criteria before the write cannot pass the gate.
 */
export async function readForStaffWrite<E extends UpsertableEntity>(
  deps: Deps,
  projectId: string,
  entity: E,
  id: string,
  options: { assignments?: boolean } = {},
): Promise<{
  project: Project;
  existing: EntityOf<E> | undefined;
  removed: RemovalMarker | undefined;
  gate: Gate | undefined;
  assignments: CounterValue | undefined;
}> {
  const project = await deps.store.getProject(projectId);
  if (!project) throw new NotFoundError(`project ${projectId} not found`);
  if (project.status !== 'active') throw new StateError(`project ${projectId} is ${project.status}`);
  const ref = { entity, projectId, id };
  const [found, removed, gate, assignments] = await deps.store.getRecords([
    ref as { entity: E; projectId: string; id: string },
    { entity: 'removed', ref },
    currentGateRef(project),
    ...(options.assignments ? [{ entity: 'counter', projectId, counter: 'assignments' } as const] : []),
  ] as const);
  return { project, existing: found as EntityOf<E> | undefined, removed, gate, assignments };
}

interface Saved<E extends UpsertableEntity> {
  created: boolean;
  record: EntityOf<E>;
  project: Project;
}

/** One read-check-commit of an upsert (readForStaffWrite, then the version rule and the commit). */
async function attemptUpsert<E extends UpsertableEntity>(
  deps: Deps,
  options: UpsertOptions<E>,
): Promise<Saved<E>> {
  const { projectId, entity, id, version, actor } = options;
  const { project, existing, removed, gate } = await readForStaffWrite(deps, projectId, entity, id);
  const storedVersion = (existing as Versioned | undefined)?.version;
  const word = ENTITY_WORD[entity];
  if (!existing && version) {
    throw new ConflictError(`${word} ${id} does not exist: omit version (or send 0) to create it`);
  }
  if (existing && version === undefined) {
    throw new ConflictError(`${word} ${id} exists: send the version you read to update it`);
  }
  if (existing && version !== storedVersion) {
    throw new ConflictError(`${word} ${id} changed since it was read (version ${storedVersion} now)`);
  }

  // Created above the last version of a removed record with this id (0: none was removed).
  const above = existing ? undefined : (removed?.version ?? 0);
  const record = { ...options.build(existing, project), version: storedVersion ?? above } as EntityOf<E>;
  const created = !existing;
  const now = deps.clock.now().toISOString();
  let stored: Entity[];
  try {
    stored = await deps.store.commit(
      [record, ...gateGuard(project, gate)],
      [
        {
          projectId,
          type: `${entity}_${created ? 'created' : 'updated'}`,
          actor,
          at: now,
          summary: `${created ? 'Added' : 'Updated'} ${options.describe(record)}`,
          data: {
            id,
            ...(existing ? { changed: changedFields(existing, record) } : {}),
            // Versions up to this one were a removed record's: the event log has its removal.
            ...(above ? { removedVersion: above } : {}),
          },
        },
      ],
      [],
      {
        creations: above === undefined ? [] : [{ ref: { entity, projectId, id }, above }],
        // Giving an open task or risk to someone: a member's removal that read the tasks and
        // risks before this commit conflicts and reads them again (staff-remove-record.ts).
        bumps: [
          ...(assigns(existing, record) ? [{ projectId, counter: 'assignments' as const }] : []),
          // An allocation created or changed: another project's resourcing gate that read the
          // capacity before this commit does not pass on that read (allocation-order.ts).
          ...(allocates(existing, record) ? ALLOCATIONS_BUMP : []),
        ],
      },
    );
  } catch (err) {
    throw commitRace(err);
  }
  return { created, record: (stored[0] ?? record) as EntityOf<E>, project };
}

/** After a data change, let the current stage's gate check its criteria. A failure there does not undo the change. */
export async function progressCurrentStage(deps: Deps, project: Project, actor: string): Promise<void> {
  if (project.status !== 'active') return;
  try {
    await progressGate(deps, project.id, project.currentStage, actor);
  } catch (err) {
    deps.log.warn('gate progression after a data change failed; the next change or check retries it', {
      projectId: project.id,
      stage: project.currentStage,
      error: err instanceof Error ? err.name : 'unknown',
    });
  }
}

/**
 * Refuses a `clear` list naming a field that is required, unknown, or also given a value. Every
 * wrong name is reported (path `clear.<n>`), as the HTTP schemas do.
 */
function checkClear(options: Pick<UpsertOptions<UpsertableEntity>, 'clear' | 'given' | 'fields'>): void {
  const names = options.clear ?? [];
  if (!names.length) return;
  const fields = options.fields ?? { optional: [], required: [] };
  const given = (options.given ?? {}) as Record<string, unknown>;
  const issues = names.flatMap((name, n) => {
    const path = `clear.${n}`;
    if (fields.required.includes(name)) return [{ path, message: notClearable(fields, name) }];
    if (!fields.optional.includes(name)) {
      const which = fields.optional.length ? `: one of ${fields.optional.join(', ')}` : '';
      return [{ path, message: `unknown field "${name}"${which}` }];
    }
    if (given[name] !== undefined) {
      return [{ path, message: `${name} is also given a value; send either the value or the clear` }];
    }
    return [];
  });
  if (issues.length) throw new ValidationError(issues);
}

/** The stored record without the cleared fields: what the kind's build sees as never set. */
function withoutFields<T extends object>(record: T, names: readonly string[]): T {
  const copy = { ...record } as Record<string, unknown>;
  for (const name of names) delete copy[name];
  return copy as T;
}

function changedFields(before: object, after: object): string[] {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  return Object.keys({ ...a, ...b }).filter(
    (k) => k !== 'version' && JSON.stringify(a[k]) !== JSON.stringify(b[k]),
  );
}

/** Throws a ValidationError naming every required field that is missing on create. */
export function requireOnCreate(fields: Record<string, unknown>): void {
  const issues = Object.entries(fields)
    .filter(([, v]) => v === undefined)
    .map(([path]) => ({ path, message: 'required to create' }));
  if (issues.length) throw new ValidationError(issues);
}
