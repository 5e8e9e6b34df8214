/**
 * Read views of a store for a use case that reads a project's records at one moment (one HTTP
 * request) through code it shares with other callers (a stage type's approval content and exit
 * criteria), so those reads cost as few DynamoDB requests as the data allows:
 *
 * - `readAheadStore` answers `get` for records already read in a batch (one BatchGetItem with
 *   other records);
 * - `lazySnapshotStore` reads the project's current records with one Query (its snapshot) the
 *   first time any of them is read, and answers every later read of them from it.
 *
 * Reads of anything else go to the store. Not for long-lived use: a record read ahead is not
 * refreshed by commits made elsewhere.
 */
import type { EntityOf, ProjectChild } from './model.js';
import type { ProjectStore } from './ports.js';
import { inSnapshot, snapshotStore } from './snapshot.js';

/** A record read ahead by its key, or `record: undefined` when it was read and does not exist. */
export interface ReadAhead<E extends ProjectChild = ProjectChild> {
  entity: E;
  projectId: string;
  id: string;
  record: EntityOf<E> | undefined;
}

/**
 * `store`, with `get` of the records in `known` answered from them (copies, without a request).
 * Ids are compared exactly: for records whose ids are case-sensitive (documents, the ledger), not
 * members or stakeholders (emails). Commits go to `store` and do not refresh `known`.
 */
export function readAheadStore(store: ProjectStore, known: readonly ReadAhead[]): ProjectStore {
  if (known.length === 0) return store;
  const key = (entity: string, projectId: string, id: string) => `${entity}|${projectId}|${id}`;
  const records = new Map(known.map((k) => [key(k.entity, k.projectId, k.id), k.record]));
  return {
    async get(projectId, entity, id) {
      const at = key(entity, projectId, id);
      if (!records.has(at)) return store.get(projectId, entity, id);
      return structuredClone(records.get(at)) as never;
    },
    getProject: (id) => store.getProject(id),
    listProjects: (options) => store.listProjects(options),
    list: (projectId, entity) => store.list(projectId, entity),
    getLink: (linkHash) => store.getLink(linkHash),
    getRecords: (refs) => store.getRecords(refs),
    getProjectSnapshot: (projectId) => store.getProjectSnapshot(projectId),
    listEvents: (projectId, options) => store.listEvents(projectId, options),
    commit: (changes, events, removals, options) => store.commit(changes, events, removals, options),
  };
}

/**
 * `store`, with every read of project `projectId` and of its current records (the kinds of a
 * snapshot: stages, gates, tasks, members, resources, the ledger...) answered from one snapshot
 * Query, made on the first such read. Reads of other projects and of kinds outside the snapshot
 * (documents, deployments, events) go to `store`. Commits go through the snapshot view once it
 * is read (see snapshotStore: a stored commit updates it, a conflict drops it). When the project
 * does not exist, reads go to `store`.
 */
export function lazySnapshotStore(store: ProjectStore, projectId: string): ProjectStore {
  let view: Promise<ProjectStore> | undefined;
  const loaded = () => {
    view ??= store.getProjectSnapshot(projectId).then((s) => (s ? snapshotStore(store, s) : store));
    return view;
  };
  const mine = (id: string, entity?: ProjectChild) =>
    id === projectId && (entity === undefined || inSnapshot(entity));
  return {
    async getProject(id) {
      return (mine(id) ? await loaded() : store).getProject(id);
    },
    async getProjectSnapshot(id) {
      return (mine(id) ? await loaded() : store).getProjectSnapshot(id);
    },
    async get(id, entity, childId) {
      return (mine(id, entity) ? await loaded() : store).get(id, entity, childId);
    },
    async list(id, entity) {
      return (mine(id, entity) ? await loaded() : store).list(id, entity);
    },
    async commit(changes, events, removals, options) {
      return ((await view) ?? store).commit(changes, events, removals, options);
    },
    getLink: (linkHash) => store.getLink(linkHash),
    getRecords: (refs) => store.getRecords(refs),
    listEvents: (id, options) => store.listEvents(id, options),
    listProjects: (options) => store.listProjects(options),
  };
}
