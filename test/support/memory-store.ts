// Keys, ids and messages as the DynamoDB store makes them: one definition, so the two cannot differ.
import {
  checkedCommitItems,
  childId,
  counterMoved,
  describeCounter,
  describeEntity,
  describeRef,
  eventId,
  idOf,
  markerMoved,
  TransactionTooLargeError,
} from '../../functions/adapters/dynamo-store.js';
import { ConflictError, ValidationError } from '../../functions/core/errors.js';
import type {
  Entity,
  EntityOf,
  Page,
  Project,
  ProjectChild,
  ProjectEvent,
  ProjectStatus,
} from '../../functions/core/model.js';
import type {
  ChildRef,
  CommitOptions,
  CounterRef,
  NewEvent,
  ProjectStore,
  RecordOfRef,
  RecordRef,
  Removal,
} from '../../functions/core/ports.js';
import {
  emptySnapshotRecords,
  inSnapshot,
  type ProjectSnapshot,
  type SnapshotChild,
} from '../../functions/core/snapshot.js';

const DEFAULT_PAGE = 50;
const MAX_PAGE = 1000;

function refKey(ref: ChildRef): string {
  return `child|${ref.projectId}|${ref.entity}|${childId(ref.entity, ref.id)}`;
}

const counterKey = (ref: CounterRef) => `counter|${ref.projectId ?? 'PORTFOLIO'}|${ref.counter}`;

function keyOf(entity: Entity): string {
  switch (entity.entity) {
    case 'project':
      return `project|${entity.id}`;
    case 'link':
      return `link|${entity.linkHash}`;
    case 'digest':
      return `digest|${entity.date}`;
    default:
      return `child|${entity.projectId}|${entity.entity}|${childId(entity.entity, idOf(entity))}`;
  }
}

/** A deep copy without undefined values (DynamoDB drops them too). */
function copy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = copy(v);
    return out as T;
  }
  return value;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new ValidationError([{ path: 'limit', message: `must be an integer 1-${MAX_PAGE}` }]);
  }
  return limit;
}

/** A page of `items` from the position an opaque cursor names; `scope` binds the cursor to one listing. */
function pageOf<T>(items: T[], scope: string, cursor: string | undefined, limit: number): Page<T> {
  let start = 0;
  if (cursor) {
    try {
      const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
        s?: unknown;
        i?: unknown;
      };
      if (parsed.s !== scope || !Number.isInteger(parsed.i) || (parsed.i as number) < 0) throw new Error();
      start = parsed.i as number;
    } catch {
      throw new ValidationError([{ path: 'cursor', message: 'invalid cursor' }]);
    }
  }
  const slice = items.slice(start, start + limit);
  const next = start + limit;
  return next < items.length
    ? { items: slice, cursor: Buffer.from(JSON.stringify({ s: scope, i: next })).toString('base64url') }
    : { items: slice };
}

export class MemoryProjectStore implements ProjectStore {
  private readonly records = new Map<string, Entity>();
  private readonly events = new Map<string, ProjectEvent[]>();
  /** Removal markers (the removed record's last version) by the record's key. */
  private readonly markers = new Map<string, number>();
  /** Project counters by `counter|<project>|<name>`. */
  private readonly counters = new Map<string, number>();
  /** Requests served, by kind (tests count reads and writes). */
  readonly requests = { reads: 0, writes: 0 };

  constructor(private readonly now: () => Date = () => new Date()) {}

  async getProject(id: string): Promise<Project | undefined> {
    this.requests.reads++;
    return this.read(`project|${id}`) as Project | undefined;
  }

  async get<E extends ProjectChild>(
    projectId: string,
    entity: E,
    id: string,
  ): Promise<EntityOf<E> | undefined> {
    this.requests.reads++;
    return this.read(`child|${projectId}|${entity}|${childId(entity, id)}`) as EntityOf<E> | undefined;
  }

  async getLink(linkHash: string): Promise<EntityOf<'link'> | undefined> {
    this.requests.reads++;
    return this.read(`link|${linkHash}`) as EntityOf<'link'> | undefined;
  }

  /** One request, as BatchGetItem. */
  async getRecords<const R extends readonly RecordRef[]>(
    refs: R,
  ): Promise<{ -readonly [K in keyof R]: RecordOfRef<R[K]> | undefined }> {
    this.requests.reads++;
    return refs.map((ref) => {
      if (ref.entity === 'project') return this.read(`project|${ref.id}`);
      if (ref.entity === 'link') return this.read(`link|${ref.linkHash}`);
      if (ref.entity === 'digest') return this.read(`digest|${ref.date}`);
      if (ref.entity === 'removed') {
        const version = this.markers.get(refKey(ref.ref));
        return version === undefined ? undefined : { entity: 'removed', ref: ref.ref, version };
      }
      if (ref.entity === 'counter') {
        const value = this.counters.get(counterKey(ref)) ?? 0;
        return { ...ref, value };
      }
      return this.read(refKey(ref));
    }) as never;
  }

  /** One request, as the Query over the snapshot's key range. */
  async getProjectSnapshot(projectId: string): Promise<ProjectSnapshot | undefined> {
    this.requests.reads++;
    const project = this.read(`project|${projectId}`) as Project | undefined;
    if (!project) return undefined;
    const records = emptySnapshotRecords();
    const prefix = `child|${projectId}|`;
    const keys = [...this.records.keys()].filter((k) => k.startsWith(prefix)).sort(byString);
    for (const key of keys) {
      const record = this.read(key) as Entity;
      if (record.entity === 'project' || record.entity === 'link' || record.entity === 'digest') continue;
      if (!inSnapshot(record.entity)) continue;
      (records[record.entity as SnapshotChild] as unknown[]).push(record);
    }
    records.stage.sort((a, b) => a.order - b.order);
    return { project, records };
  }

  async list<E extends ProjectChild>(projectId: string, entity: E): Promise<EntityOf<E>[]> {
    this.requests.reads++;
    const prefix = `child|${projectId}|${entity}|`;
    const keys = [...this.records.keys()].filter((k) => k.startsWith(prefix)).sort(byString);
    const out = keys.map((k) => this.read(k) as EntityOf<E>);
    if (entity === 'stage') (out as EntityOf<'stage'>[]).sort((a, b) => a.order - b.order);
    return out;
  }

  async listEvents(
    projectId: string,
    options: { cursor?: string; limit?: number; newestFirst?: boolean } = {},
  ): Promise<Page<ProjectEvent>> {
    this.requests.reads++;
    const limit = pageSize(options.limit);
    const log = [...(this.events.get(projectId) ?? [])].sort((a, b) => byString(a.id, b.id));
    if (options.newestFirst) log.reverse();
    const scope = `events|${projectId}|${options.newestFirst ? 'desc' : 'asc'}`;
    const page = pageOf(log, scope, options.cursor, limit);
    return { ...page, items: page.items.map(copy) };
  }

  async listProjects(
    options: { activeOnly?: boolean; cursor?: string; limit?: number } = {},
  ): Promise<Page<Project>> {
    this.requests.reads++;
    const limit = pageSize(options.limit);
    const statuses: ProjectStatus[] = options.activeOnly ? ['active'] : ['active', 'closed', 'archived'];
    const projects = [...this.records.values()].filter((r): r is Project => r.entity === 'project');
    const ordered = statuses.flatMap((s) =>
      projects.filter((p) => p.status === s).sort((a, b) => byString(a.id, b.id)),
    );
    const page = pageOf(ordered, `projects|${statuses.join(',')}`, options.cursor, limit);
    return { ...page, items: page.items.map(copy) };
  }

  async commit(
    changes: Entity[],
    events: NewEvent[] = [],
    removals: Removal[] = [],
    options: CommitOptions = {},
  ): Promise<Entity[]> {
    const { creations = [], bumps = [], checks = [] } = options;
    if (checkedCommitItems(changes, events, removals, options) === 0) return [];
    this.requests.writes++;
    const above = new Map<string, number>();
    for (const { ref, above: version } of creations) {
      const change = changes.find((c) => keyOf(c) === refKey(ref));
      if (!change || change.version !== version) {
        // The caller built the commit wrong: nothing to retry.
        throw new Error(
          `a creation of ${describeRef(ref)} above version ${version} needs that record in the commit at version ${version}`,
        );
      }
      above.set(refKey(ref), version);
    }
    const seen = new Set<string>();
    const once = (key: string, what: () => string) => {
      if (seen.has(key)) throw new TransactionTooLargeError(`a commit changes ${what()} twice`);
      seen.add(key);
    };
    const failed: string[] = [];
    for (const change of changes) {
      const key = keyOf(change);
      once(key, () => describeEntity(change));
      const create = change.version === 0 || above.has(key);
      const current = this.records.get(key);
      if (create ? current !== undefined : current?.version !== change.version) {
        failed.push(`${describeEntity(change)} ${create ? 'already exists' : 'changed since it was read'}`);
      }
    }
    for (const { ref, version } of removals) {
      const key = refKey(ref);
      once(key, () => describeRef(ref));
      if (this.records.get(key)?.version !== version) {
        failed.push(`${describeRef(ref)} changed or was removed since it was read`);
      }
    }
    for (const { ref } of removals)
      once(`marker|${refKey(ref)}`, () => `the removal marker of ${describeRef(ref)}`);
    for (const { ref, above: version } of creations) {
      once(`marker|${refKey(ref)}`, () => `the removal marker of ${describeRef(ref)}`);
      if ((this.markers.get(refKey(ref)) ?? 0) !== version) failed.push(markerMoved(ref));
    }
    for (const ref of bumps) once(counterKey(ref), () => describeCounter(ref));
    for (const { value, ...ref } of checks) {
      once(counterKey(ref), () => describeCounter(ref));
      if ((this.counters.get(counterKey(ref)) ?? 0) !== value) failed.push(counterMoved(ref));
    }
    if (failed.length > 0) {
      throw new ConflictError(failed.join('; '), { cause: new Error('ConditionalCheckFailed') });
    }
    // Every condition held: write all of it (nothing above wrote anything).
    for (const { ref, version } of removals) {
      this.records.delete(refKey(ref));
      this.markers.set(refKey(ref), version);
    }
    for (const ref of bumps)
      this.counters.set(counterKey(ref), (this.counters.get(counterKey(ref)) ?? 0) + 1);
    const stored = changes.map((c) => copy({ ...c, version: c.version + 1 }) as Entity);
    for (const entity of stored) this.records.set(keyOf(entity), entity);
    const fallback = this.now().toISOString();
    for (const e of events) {
      const at = e.at ?? fallback;
      const event = copy({ ...e, entity: 'event', id: eventId(at), at } as ProjectEvent);
      const log = this.events.get(e.projectId) ?? [];
      log.push(event);
      this.events.set(e.projectId, log);
    }
    return stored.map(copy);
  }

  private read(key: string): Entity | undefined {
    const record = this.records.get(key);
    return record ? copy(record) : undefined;
  }
}
