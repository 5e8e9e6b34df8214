/**
 * A project snapshot: the project and its *current* records, read with one request
 * (`ProjectStore.getProjectSnapshot`), and a read view of the store that serves reads from it.
 *
 * The key-range contract of the table: the current records sort from `GATE#` upward (the project
 * itself, stages, gates, tasks, test cases, training sessions, risks, team members, stakeholders,
 * resources, and summaries such as a ledger); what the monitoring check does not need sorts before
 * `GATE#` (the event log, documents, deployments, change requests, time entries), so one Query over
 * the range reads the current state whatever the size of the log. `SNAPSHOT_CHILDREN` lists the
 * kinds in the range; a test checks it against the store's key prefixes.
 */
import { ConflictError } from './errors.js';
import type { Entity, EntityOf, Project, ProjectChild } from './model.js';
import type { CommitOptions, NewEvent, ProjectStore, Removal } from './ports.js';

/** The record kinds a snapshot holds (their sort keys are `GATE#` or above). */
export const SNAPSHOT_CHILDREN = [
  'stage',
  'gate',
  'task',
  'test_case',
  'training_session',
  'risk',
  'member',
  'stakeholder',
  'resource',
  'ledger',
] as const satisfies readonly ProjectChild[];

/** A record kind a snapshot holds. */
export type SnapshotChild = (typeof SNAPSHOT_CHILDREN)[number];

/** Every record of each kind a snapshot holds. */
export type SnapshotRecords = { [E in SnapshotChild]: EntityOf<E>[] };

/** A project and its current records as read at one moment. */
export interface ProjectSnapshot {
  project: Project;
  /** The records of each kind, in key order (stages in lifecycle order). */
  records: SnapshotRecords;
}

/** True for the kinds a snapshot holds. */
export function inSnapshot(entity: ProjectChild): entity is SnapshotChild {
  return (SNAPSHOT_CHILDREN as readonly string[]).includes(entity);
}

/** Empty lists of every kind, to fill. */
export function emptySnapshotRecords(): SnapshotRecords {
  return Object.fromEntries(SNAPSHOT_CHILDREN.map((kind) => [kind, []])) as unknown as SnapshotRecords;
}

/** The id of a record within its project (stage key, gate stage, member email...). */
function recordId(record: EntityOf<SnapshotChild>): string {
  switch (record.entity) {
    case 'stage':
      return record.key;
    case 'gate':
      return record.stage;
    case 'member':
    case 'stakeholder':
      return record.email;
    default:
      return record.id;
  }
}

/** Member and stakeholder ids are emails: compared without case (as the store keys them). */
function sameId(entity: ProjectChild, a: string, b: string): boolean {
  return entity === 'member' || entity === 'stakeholder' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/**
 * A store whose reads of the snapshot's project come from the snapshot (no request), for use cases
 * that run on one snapshot (the monitoring check, progressGate after it). Reads of other projects
 * and of kinds outside the snapshot (documents, deployments, events) go to `store`; a record of
 * those read once is kept, so criteria that read it twice cost one request.
 *
 * Commits go to `store`. A successful commit puts the stored records (their new versions) into the
 * snapshot, so a later step commits on top of them; a conflict means the snapshot is stale, so
 * every later read goes to `store` (a conflict retry re-reads the latest data).
 * Records are copied on the way out: callers may change what they get.
 */
export function snapshotStore(store: ProjectStore, snapshot: ProjectSnapshot): ProjectStore {
  let current: ProjectSnapshot | undefined = structuredClone(snapshot);
  const projectId = snapshot.project.id;
  const kept = new Map<string, unknown>();
  const mine = (id: string) => current !== undefined && id === projectId;

  const absorb = (stored: Entity[]) => {
    if (!current) return;
    for (const record of stored) {
      if (record.entity === 'project') {
        if (record.id === projectId) current.project = record;
        continue;
      }
      if (record.entity === 'link' || record.entity === 'digest' || record.projectId !== projectId) continue;
      if (!inSnapshot(record.entity)) {
        for (const key of [...kept.keys()]) if (key.startsWith(`${record.entity}|`)) kept.delete(key);
        continue;
      }
      const list = current.records[record.entity] as EntityOf<SnapshotChild>[];
      const id = recordId(record as EntityOf<SnapshotChild>);
      const at = list.findIndex((r) => sameId(record.entity, recordId(r), id));
      if (at >= 0) list[at] = record as EntityOf<SnapshotChild>;
      else list.push(record as EntityOf<SnapshotChild>);
    }
  };
  // Removed records leave the snapshot (or the kept reads of their kind).
  const forget = (removals: Removal[]) => {
    if (!current) return;
    for (const { ref } of removals) {
      if (ref.projectId !== projectId) continue;
      if (!inSnapshot(ref.entity)) {
        for (const key of [...kept.keys()]) if (key.startsWith(`${ref.entity}|`)) kept.delete(key);
        continue;
      }
      const list = current.records[ref.entity] as EntityOf<SnapshotChild>[];
      const at = list.findIndex((r) => sameId(ref.entity, recordId(r), ref.id));
      if (at >= 0) list.splice(at, 1);
    }
  };
  const keep = async <T>(key: string, read: () => Promise<T>): Promise<T> => {
    if (!kept.has(key)) kept.set(key, await read());
    return structuredClone(kept.get(key)) as T;
  };

  return {
    async getProjectSnapshot(id) {
      return mine(id) && current ? structuredClone(current) : store.getProjectSnapshot(id);
    },
    async getProject(id) {
      return mine(id) && current ? structuredClone(current.project) : store.getProject(id);
    },
    async get(id, entity, childId) {
      if (!mine(id) || !current) return store.get(id, entity, childId);
      if (!inSnapshot(entity)) {
        return keep(`${entity}|get|${childId}`, () => store.get(id, entity, childId));
      }
      const list = current.records[entity] as EntityOf<SnapshotChild>[];
      const found = list.find((r) => sameId(entity, recordId(r), childId));
      return structuredClone(found) as never;
    },
    async list(id, entity) {
      if (!mine(id) || !current) return store.list(id, entity);
      if (!inSnapshot(entity)) return keep(`${entity}|list`, () => store.list(id, entity));
      return structuredClone(current.records[entity]) as never;
    },
    getLink: (linkHash) => store.getLink(linkHash),
    getRecords: (refs) => store.getRecords(refs),
    listEvents: (id, options) => store.listEvents(id, options),
    listProjects: (options) => store.listProjects(options),
    async commit(changes: Entity[], events?: NewEvent[], removals?: Removal[], options?: CommitOptions) {
      try {
        const stored = await store.commit(changes, events, removals, options);
        absorb(stored);
        forget(removals ?? []);
        return stored;
      } catch (error) {
        if (error instanceof ConflictError) {
          current = undefined;
          kept.clear();
        }
        throw error;
      }
    },
  };
}
