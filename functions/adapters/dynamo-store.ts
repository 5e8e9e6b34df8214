/**
 * `ProjectStore` on the single DynamoDB table (keys: ./table-definition.ts).
 *
 * Writes: one TransactWriteItems per commit. Each record is written with `version + 1` on the
 * condition that the stored version is still `version` (`attribute_not_exists(PK)` for version 0);
 * a removal is a Delete on the condition that the stored version is still the one read; events
 * are appended with `attribute_not_exists(PK)` (immutable). A cancelled transaction caused
 * by a failed condition or a conflicting transaction becomes a ConflictError and nothing is written.
 *
 * Reads: single records strongly consistent; lists read every page of a Query (never Scan); the
 * event log and the project list are paged with an opaque base64url cursor. Every item read is
 * parsed with its record's schema (core/model.ts): a malformed one is a MalformedRecordError naming
 * the record and the field, and attributes the model does not know (the table keys) are dropped.
 */
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import '../core/zod-english.js';
import { ConflictError, MilepostError, ValidationError } from '../core/errors.js';
import type {
  Entity,
  EntityName,
  EntityOf,
  Page,
  Project,
  ProjectChild,
  ProjectEvent,
  ProjectStatus,
} from '../core/model.js';
import type {
  ChildRef,
  CommitOptions,
  CounterRef,
  Creation,
  NewEvent,
  ProjectStore,
  RecordOfRef,
  RecordRef,
  Removal,
} from '../core/ports.js';
import { recordSchemas } from '../core/record-schemas.js';
import {
  emptySnapshotRecords,
  inSnapshot,
  type ProjectSnapshot,
  type SnapshotChild,
} from '../core/snapshot.js';
import { TABLE } from './table-definition.js';

/** DynamoDB refuses transactions of more than this many items. */
export const MAX_TRANSACTION_ITEMS = 100;

/** A commit that DynamoDB cannot do in one transaction (too many items, one item twice). */
export class TransactionTooLargeError extends MilepostError {
  override name = 'TransactionTooLargeError';
}

/** A stored item that is not a valid record of its kind (changed by hand, or by an incompatible version). */
export class MalformedRecordError extends MilepostError {
  override name = 'MalformedRecordError';
  constructor(
    /** The record: its kind and table keys, e.g. `gate PROJECT#acme/GATE#risk`. */
    readonly record: string,
    /** Each field that is wrong (dotted path) and why. */
    readonly issues: { path: string; message: string }[],
  ) {
    super(
      `stored ${record} is malformed: ${issues.map((i) => `${i.path || '(item)'}: ${i.message}`).join('; ')}`,
    );
  }
}

type Item = Record<string, unknown>;
type RecordKind = keyof typeof recordSchemas;
/** The record type of each kind the store reads. */
type RecordOf<K extends RecordKind> = K extends EntityName ? EntityOf<K> : ProjectEvent;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Key = Record<string, string>;
type TransactCheck = NonNullable<TransactItem['ConditionCheck']>;

const PK = TABLE.partitionKey;
const SK = TABLE.sortKey;
const GSI = TABLE.projectsIndex;
const DEFAULT_PAGE = 50;
const MAX_PAGE = 1000;

/**
 * Sort-key prefix of each kind of project child. The kinds of a project snapshot
 * (core/snapshot.ts) sort from `GATE#` upward, every other kind below it (a test checks it).
 */
export const CHILD_PREFIX: Record<ProjectChild, string> = {
  stage: 'STAGE#',
  gate: 'GATE#',
  task: 'TASK#',
  test_case: 'TESTCASE#',
  deployment: 'DEPLOYMENT#',
  training_session: 'TRAINING#',
  risk: 'RISK#',
  member: 'MEMBER#',
  stakeholder: 'STAKEHOLDER#',
  resource: 'RESOURCE#',
  // Sorts before GATE#: the monitoring check's one Query over the current records skips them.
  lesson: 'CLOSEOUT#LESSON#',
  document: 'DOCUMENT#',
  // Time entries and expenses sort before GATE#, outside the range the monitoring check reads;
  // their running totals (the ledger) sort inside it.
  time_entry: 'ENTRY#',
  expense: 'EXPENSE#',
  ledger: 'LEDGER#',
  // Before GATE#: the monitoring check's one Query reads from GATE# upward and needs none of them.
  change_request: 'CHANGE#',
};
const EVENT_PREFIX = 'EVENT#';
/**
 * Sort-key prefix of a removal marker (core/ports.ts RemovalMarker): `DELETED#` + the removed
 * record's own sort key, e.g. `DELETED#TASK#t1`. Below GATE#: the monitoring check's one Query
 * over the current records never reads them.
 */
export const REMOVED_PREFIX = 'DELETED#';
/** Sort-key prefix of counters (core/ports.ts Counter), e.g. `COUNTER#assignments`; below GATE#. */
export const COUNTER_PREFIX = 'COUNTER#';
/** The lowest sort key of a project snapshot: the current records sort from here upward. */
export const SNAPSHOT_FROM = CHILD_PREFIX.gate;
/** The snapshot kind of each sort-key prefix. */
const SNAPSHOT_KIND = new Map(
  Object.entries(CHILD_PREFIX).flatMap(([kind, prefix]) =>
    inSnapshot(kind as ProjectChild) ? [[prefix, kind as SnapshotChild] as const] : [],
  ),
);
/** DynamoDB reads at most this many keys per BatchGetItem. */
const MAX_BATCH_GET = 100;

const projectPk = (id: string) => `PROJECT#${id}`;
const PROJECT_SK = 'PROJECT';
const linkPk = (hash: string) => `LINK#${hash}`;
const LINK_SK = 'LINK';
const projectsPk = (status: ProjectStatus) => `PROJECTS#${status}`;
const digestPk = (date: string) => `DIGEST#${date}`;
const DIGEST_SK = 'DIGEST';

/** Member and stakeholder ids are emails: compared without case. */
export function childId(entity: ProjectChild, id: string): string {
  return entity === 'member' || entity === 'stakeholder' ? id.toLowerCase() : id;
}

/** The id of a child record within its project (stage key, gate stage, member email...). */
export function idOf(
  entity: Exclude<Entity, EntityOf<'project'> | EntityOf<'link'> | EntityOf<'digest'>>,
): string {
  switch (entity.entity) {
    case 'stage':
      return entity.key;
    case 'gate':
      return entity.stage;
    case 'member':
    case 'stakeholder':
      return entity.email;
    default:
      return entity.id;
  }
}

/** Table keys of a record (and the sparse index keys of a project). */
function keysOf(entity: Entity): Key {
  switch (entity.entity) {
    case 'project':
      return {
        [PK]: projectPk(entity.id),
        [SK]: PROJECT_SK,
        [GSI.partitionKey]: projectsPk(entity.status),
        [GSI.sortKey]: entity.id,
      };
    case 'link':
      return { [PK]: linkPk(entity.linkHash), [SK]: LINK_SK };
    case 'digest':
      return { [PK]: digestPk(entity.date), [SK]: DIGEST_SK };
    default:
      return {
        [PK]: projectPk(entity.projectId),
        [SK]: CHILD_PREFIX[entity.entity] + childId(entity.entity, idOf(entity)),
      };
  }
}

/** Table keys of a record reference. */
function keysOfRef(ref: RecordRef): Key {
  switch (ref.entity) {
    case 'project':
      return { [PK]: projectPk(ref.id), [SK]: PROJECT_SK };
    case 'link':
      return { [PK]: linkPk(ref.linkHash), [SK]: LINK_SK };
    case 'digest':
      return { [PK]: digestPk(ref.date), [SK]: DIGEST_SK };
    case 'removed':
      return { [PK]: projectPk(ref.ref.projectId), [SK]: REMOVED_PREFIX + childSortKey(ref.ref) };
    case 'counter':
      return counterKeys(ref);
    default:
      return { [PK]: projectPk(ref.projectId), [SK]: childSortKey(ref) };
  }
}

/** The sort key of a record within its project. */
function childSortKey(ref: ChildRef): string {
  return CHILD_PREFIX[ref.entity] + childId(ref.entity, ref.id);
}

/**
 * Partition of the portfolio-wide records that belong to no project (the `allocations` counter):
 * no project id, link hash or digest date makes this key, and the active-projects index never
 * lists it (it has no index keys).
 */
export const PORTFOLIO_PK = 'PORTFOLIO';

/** Table keys of a counter: a project's in its partition, a portfolio one in PORTFOLIO_PK. */
function counterKeys(ref: CounterRef): Key {
  return ref.counter === 'allocations'
    ? { [PK]: PORTFOLIO_PK, [SK]: COUNTER_PREFIX + ref.counter }
    : { [PK]: projectPk(ref.projectId), [SK]: COUNTER_PREFIX + ref.counter };
}

/** A counter in words, e.g. `the assignments counter of project acme`. */
export function describeCounter(ref: CounterRef): string {
  return ref.counter === 'allocations'
    ? 'the portfolio allocations counter'
    : `the ${ref.counter} counter of project ${ref.projectId}`;
}

const removalMarkerSchema = z.object({ version: z.int().check(z.minimum(1)) });
const counterSchema = z.object({ value: z.optional(z.int().check(z.minimum(0))) });

/** A stored item of a removal marker or a counter, or MalformedRecordError. */
function parseBookkeeping<T>(schema: z.ZodMiniType<T>, what: string, item: Item): T {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  throw new MalformedRecordError(
    `${what} ${item[PK]}/${item[SK]}`,
    parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

/** What a record reference reads, from its item (undefined: there is none). */
function recordOfRef(ref: RecordRef, item: Item | undefined): unknown {
  if (ref.entity === 'counter') {
    const value = item ? (parseBookkeeping(counterSchema, 'counter', item).value ?? 0) : 0;
    return { ...ref, value };
  }
  if (!item) return undefined;
  if (ref.entity === 'removed') {
    const { version } = parseBookkeeping(removalMarkerSchema, 'removal marker', item);
    return { entity: 'removed', ref: ref.ref, version };
  }
  return parseRecord(ref.entity, item);
}

/** What a moved counter means, for conflict messages. */
export function counterMoved(ref: CounterRef): string {
  return ref.counter === 'allocations'
    ? 'a team member allocation (or a project the capacity counts) changed since it was read'
    : `a task or risk of project ${ref.projectId} was assigned since it was read`;
}

/** The conflict message of a creation whose removal marker moved. */
export function markerMoved(ref: ChildRef): string {
  return `${describeRef(ref)} was removed or created since it was read`;
}

/** Drops undefined values (DynamoDB rejects them), whatever the client's marshall options. */
function clean<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clean) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Item = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = clean(v);
    return out as T;
  }
  return value;
}

/** A stored item as its record type, or MalformedRecordError. */
function parseRecord<K extends RecordKind>(kind: K, item: Item): RecordOf<K> {
  const parsed = recordSchemas[kind].safeParse(item);
  if (parsed.success) return parsed.data as RecordOf<K>;
  throw new MalformedRecordError(
    `${kind} ${item[PK]}/${item[SK]}`,
    parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  );
}

/** A record in words, for conflict messages (`risk data-loss of project acme`). */
export function describeEntity(entity: Entity): string {
  switch (entity.entity) {
    case 'project':
      return `project ${entity.id}`;
    case 'link':
      return 'approval link';
    case 'digest':
      return `portfolio digest of ${entity.date}`;
    default:
      return `${entity.entity} ${idOf(entity)} of project ${entity.projectId}`;
  }
}

/** A record reference in words (`task t1 of project acme`). */
export function describeRef(ref: ChildRef): string {
  return `${ref.entity} ${childId(ref.entity, ref.id)} of project ${ref.projectId}`;
}

/**
 * A time-sortable unique event id: ISO time, a sequence, a random suffix. The sequence is the
 * monotonic clock of this machine (strictly increasing within the process), so events with the
 * same `at` (one commit, or a fake clock in tests) keep the order in which they were committed.
 */
let lastSequence = 0n;
export function eventId(at: string): string {
  const now = process.hrtime.bigint();
  lastSequence = now > lastSequence ? now : lastSequence + 1n;
  return `${at}#${lastSequence.toString(16).padStart(16, '0')}${randomBytes(4).toString('hex')}`;
}

const cursorSchema = z.object({
  /** Index of the partition being read (projects: active, then closed). */
  p: z.int().check(z.minimum(0)),
  /** ExclusiveStartKey within that partition; absent: its beginning. */
  k: z.optional(z.record(z.string(), z.string())),
});
type Cursor = z.infer<typeof cursorSchema>;

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(cursor: string | undefined, valid: (c: Cursor) => boolean): Cursor {
  if (!cursor) return { p: 0 };
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success && valid(parsed.data)) return parsed.data;
  } catch {
    // fall through: not base64url JSON
  }
  throw new ValidationError([{ path: 'cursor', message: 'invalid cursor' }]);
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new ValidationError([{ path: 'limit', message: `must be an integer 1-${MAX_PAGE}` }]);
  }
  return limit;
}

export interface DynamoProjectStoreOptions {
  /** Time of events committed without `at` (defaults to the system time). */
  now?: () => Date;
}

export class DynamoProjectStore implements ProjectStore {
  private readonly now: () => Date;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoProjectStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async getProject(id: string): Promise<Project | undefined> {
    return this.getItem('project', { [PK]: projectPk(id), [SK]: PROJECT_SK });
  }

  async get<E extends ProjectChild>(
    projectId: string,
    entity: E,
    id: string,
  ): Promise<EntityOf<E> | undefined> {
    return this.getItem(entity, {
      [PK]: projectPk(projectId),
      [SK]: CHILD_PREFIX[entity] + childId(entity, id),
    }) as Promise<EntityOf<E> | undefined>;
  }

  async getLink(linkHash: string): Promise<EntityOf<'link'> | undefined> {
    return this.getItem('link', { [PK]: linkPk(linkHash), [SK]: LINK_SK });
  }

  /** BatchGetItem (strongly consistent) of the distinct keys, retrying unprocessed keys. */
  async getRecords<const R extends readonly RecordRef[]>(
    refs: R,
  ): Promise<{ -readonly [K in keyof R]: RecordOfRef<R[K]> | undefined }> {
    const keys = refs.map(keysOfRef);
    const id = (k: Item) => `${k[PK]}|${k[SK]}`;
    const distinct = [...new Map(keys.map((k) => [id(k), k])).values()];
    const found = new Map<string, Item>();
    for (let i = 0; i < distinct.length; i += MAX_BATCH_GET) {
      let pending: Item[] = distinct.slice(i, i + MAX_BATCH_GET);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        const res = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of res.Responses?.[this.tableName] ?? []) found.set(id(item), item);
        pending = res.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return refs.map((ref, i) => recordOfRef(ref, found.get(id(keys[i] as Item)))) as never;
  }

  /**
   * One Query over the sort-key range from `GATE#` upward (every page, 1 MB each: one request for
   * any project whose current records are under 1 MB). Items of kinds this version does not know
   * are left out.
   */
  async getProjectSnapshot(projectId: string): Promise<ProjectSnapshot | undefined> {
    let project: Project | undefined;
    const records = emptySnapshotRecords();
    let start: Item | undefined;
    do {
      const res = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk >= :from',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': projectPk(projectId), ':from': SNAPSHOT_FROM },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) {
        const sk = String(item[SK]);
        if (sk === PROJECT_SK) {
          project = parseRecord('project', item);
          continue;
        }
        const kind = SNAPSHOT_KIND.get(sk.slice(0, sk.indexOf('#') + 1));
        if (kind) (records[kind] as unknown[]).push(parseRecord(kind, item));
      }
      start = res.LastEvaluatedKey;
    } while (start);
    if (!project) return undefined;
    records.stage.sort((a, b) => a.order - b.order);
    return { project, records };
  }

  /** Every record of one kind, in key order (stages in lifecycle order). */
  async list<E extends ProjectChild>(projectId: string, entity: E): Promise<EntityOf<E>[]> {
    const out: EntityOf<E>[] = [];
    let start: Item | undefined;
    do {
      const res = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': projectPk(projectId), ':prefix': CHILD_PREFIX[entity] },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of res.Items ?? []) out.push(parseRecord(entity, item) as EntityOf<E>);
      start = res.LastEvaluatedKey;
    } while (start);
    if (entity === 'stage') {
      (out as EntityOf<'stage'>[]).sort((a, b) => a.order - b.order);
    }
    return out;
  }

  async listEvents(
    projectId: string,
    options: { cursor?: string; limit?: number; newestFirst?: boolean } = {},
  ): Promise<Page<ProjectEvent>> {
    const pk = projectPk(projectId);
    const limit = pageSize(options.limit);
    const cursor = decodeCursor(
      options.cursor,
      (c) => c.p === 0 && (!c.k || (c.k[PK] === pk && (c.k[SK] ?? '').startsWith(EVENT_PREFIX))),
    );
    return this.page(
      'event',
      [
        {
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': pk, ':prefix': EVENT_PREFIX },
          ConsistentRead: true,
          ScanIndexForward: !options.newestFirst,
        },
      ],
      [PK, SK],
      cursor,
      limit,
    );
  }

  /** Active projects (sparse index), or all: the active ones, then the closed, then the archived ones, by id. */
  async listProjects(
    options: { activeOnly?: boolean; cursor?: string; limit?: number } = {},
  ): Promise<Page<Project>> {
    const statuses: ProjectStatus[] = options.activeOnly ? ['active'] : ['active', 'closed', 'archived'];
    const limit = pageSize(options.limit);
    const cursor = decodeCursor(
      options.cursor,
      (c) =>
        c.p < statuses.length &&
        (!c.k || c.k[GSI.partitionKey] === projectsPk(statuses[c.p] as ProjectStatus)),
    );
    return this.page(
      'project',
      statuses.map((status) => ({
        TableName: this.tableName,
        IndexName: GSI.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': GSI.partitionKey },
        ExpressionAttributeValues: { ':pk': projectsPk(status) },
      })),
      [PK, SK, GSI.partitionKey, GSI.sortKey],
      cursor,
      limit,
    );
  }

  async commit(
    changes: Entity[],
    events: NewEvent[] = [],
    removals: Removal[] = [],
    options: CommitOptions = {},
  ): Promise<Entity[]> {
    const { creations = [], bumps = [], checks = [] } = options;
    if (checkedCommitItems(changes, events, removals, options) === 0) return [];
    const above = creationsByKey(creations, changes);
    const stored = changes.map((c) => ({ ...c, version: c.version + 1 }) as Entity);
    const seen = new Set<string>();
    const once = (keys: Key, what: () => string) => {
      const id = `${keys[PK]}|${keys[SK]}`;
      if (seen.has(id)) throw new TransactionTooLargeError(`a commit changes ${what()} twice`);
      seen.add(id);
    };
    const items = stored.map((entity, i): TransactItem => {
      const keys = keysOf(entity);
      once(keys, () => describeEntity(entity));
      const read = changes[i]?.version ?? 0;
      const condition: Omit<NonNullable<TransactItem['Put']>, 'TableName' | 'Item'> = read === 0 ||
      above.has(keyId(keys))
        ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }
        : {
            ConditionExpression: '#v = :v',
            ExpressionAttributeNames: { '#v': 'version' },
            ExpressionAttributeValues: { ':v': read },
          };
      return { Put: { TableName: this.tableName, Item: clean({ ...entity, ...keys }), ...condition } };
    });
    // A delete holds only on the version read: a record changed (or removed) meanwhile stays.
    const deletes = removals.map(({ ref, version }): TransactItem => {
      const keys = keysOfRef(ref);
      once(keys, () => describeRef(ref));
      return {
        Delete: {
          TableName: this.tableName,
          Key: keys,
          ConditionExpression: '#v = :v',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':v': version },
        },
      };
    });
    // Each removal leaves its marker: the version a record created again with its id starts above.
    const markers = removals.map(({ ref, version }): TransactItem => {
      const keys = keysOfRef({ entity: 'removed', ref });
      once(keys, () => `the removal marker of ${describeRef(ref)}`);
      const item = { entity: 'removed', kind: ref.entity, id: childId(ref.entity, ref.id), version };
      return { Put: { TableName: this.tableName, Item: { ...item, ...keys } } };
    });
    // A creation holds only while its id's marker is the one read (a removal meanwhile moves it).
    const markerChecks = creations.map(({ ref, above: version }): TransactItem => {
      const keys = keysOfRef({ entity: 'removed', ref });
      once(keys, () => `the removal marker of ${describeRef(ref)}`);
      const check: TransactCheck =
        version === 0
          ? {
              TableName: this.tableName,
              Key: keys,
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': PK },
            }
          : {
              TableName: this.tableName,
              Key: keys,
              ConditionExpression: '#v = :v',
              ExpressionAttributeNames: { '#v': 'version' },
              ExpressionAttributeValues: { ':v': version },
            };
      return { ConditionCheck: check };
    });
    const bumped = bumps.map((ref): TransactItem => {
      const keys = counterKeys(ref);
      once(keys, () => describeCounter(ref));
      return {
        Update: {
          TableName: this.tableName,
          Key: keys,
          UpdateExpression: 'ADD #value :one',
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':one': 1 },
        },
      };
    });
    const counterChecks = checks.map(({ value, ...ref }): TransactItem => {
      const keys = counterKeys(ref);
      once(keys, () => describeCounter(ref));
      // Never bumped: the item does not exist yet.
      const never = value === 0 ? 'attribute_not_exists(#pk) OR ' : '';
      const check: TransactCheck = {
        TableName: this.tableName,
        Key: keys,
        ConditionExpression: `${never}#value = :value`,
        ExpressionAttributeNames: { '#value': 'value', ...(never ? { '#pk': PK } : {}) },
        ExpressionAttributeValues: { ':value': value },
      };
      return { ConditionCheck: check };
    });
    const fallback = this.now().toISOString();
    const eventItems = events.map((e): TransactItem => {
      const at = e.at ?? fallback;
      const event: ProjectEvent = { ...e, entity: 'event', id: eventId(at), at };
      return {
        Put: {
          TableName: this.tableName,
          Item: clean({ ...event, [PK]: projectPk(e.projectId), [SK]: EVENT_PREFIX + event.id }),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        },
      };
    });
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            ...items,
            ...deletes,
            ...markers,
            ...markerChecks,
            ...bumped,
            ...counterChecks,
            ...eventItems,
          ],
        }),
      );
    } catch (e) {
      // Conflict messages, in the order of the transaction's items (markers and bumps have no condition).
      const conflicts = [
        ...stored.map(
          (entity) =>
            `${describeEntity(entity)} ${entity.version === 1 || above.has(keyId(keysOf(entity))) ? 'already exists' : 'changed since it was read'}`,
        ),
        ...removals.map(({ ref }) => `${describeRef(ref)} changed or was removed since it was read`),
        ...markers.map(() => ''),
        ...creations.map(({ ref }) => markerMoved(ref)),
        ...bumps.map(() => ''),
        ...checks.map(counterMoved),
      ];
      throw this.mapWriteError(e, conflicts);
    }
    return stored;
  }

  private mapWriteError(e: unknown, conflicts: string[]): unknown {
    if (e instanceof ConditionalCheckFailedException) {
      return new ConflictError('a record changed since it was read', { cause: e });
    }
    if (e instanceof TransactionCanceledException) {
      const reasons = e.CancellationReasons ?? [];
      const codes = reasons.map((r) => r.Code);
      const conflict = codes.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict');
      if (!conflict) return e;
      const failed = reasons.flatMap((r, i) => {
        const what = conflicts[i];
        return r.Code === 'ConditionalCheckFailed' && what ? [what] : [];
      });
      const message = failed.length
        ? failed.join('; ')
        : 'a concurrent change conflicted with this one: read again and retry';
      return new ConflictError(message, { cause: e });
    }
    return e;
  }

  private async getItem<K extends RecordKind>(kind: K, key: Key): Promise<RecordOf<K> | undefined> {
    const res = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return res.Item ? parseRecord(kind, res.Item) : undefined;
  }

  /**
   * One page over one or more partitions read in order. Reads one item more than asked for, so
   * the last page carries no cursor.
   */
  private async page<K extends RecordKind>(
    kind: K,
    queries: (QueryCommandInput & { TableName: string })[],
    keyAttributes: string[],
    cursor: Cursor,
    limit: number,
  ): Promise<Page<RecordOf<K>>> {
    const out: Item[] = [];
    let p = cursor.p;
    let start: Item | undefined = cursor.k;
    for (let query = queries[p]; query; query = queries[p]) {
      const room = limit - out.length;
      const res = await this.client.send(
        new QueryCommand({ ...query, Limit: room + 1, ExclusiveStartKey: start }),
      );
      const items = res.Items ?? [];
      if (items.length > room) {
        out.push(...items.slice(0, room));
        const last = items[room - 1];
        const k = last ? pick(last, keyAttributes) : (start as Key | undefined);
        return {
          items: out.map((i) => parseRecord(kind, i)),
          cursor: encodeCursor(k ? { p, k } : { p }),
        };
      }
      out.push(...items);
      if (res.LastEvaluatedKey) {
        start = res.LastEvaluatedKey;
      } else {
        p += 1;
        start = undefined;
      }
    }
    return { items: out.map((i) => parseRecord(kind, i)) };
  }
}

/** The items a commit makes: a removal is two (the Delete and its marker). */
export function commitItems(
  changes: readonly unknown[],
  events: readonly unknown[],
  removals: readonly unknown[],
  options: CommitOptions,
): number {
  const extra =
    (options.creations?.length ?? 0) + (options.bumps?.length ?? 0) + (options.checks?.length ?? 0);
  return changes.length + events.length + 2 * removals.length + extra;
}

/** `commitItems`, refused with TransactionTooLargeError above DynamoDB's limit (both stores call it first). */
export function checkedCommitItems(
  changes: readonly unknown[],
  events: readonly unknown[],
  removals: readonly unknown[],
  options: CommitOptions,
): number {
  const total = commitItems(changes, events, removals, options);
  if (total > MAX_TRANSACTION_ITEMS) {
    throw new TransactionTooLargeError(
      `a commit of ${total} items is more than DynamoDB's ${MAX_TRANSACTION_ITEMS} per transaction: split it`,
    );
  }
  return total;
}

/**
 * The creations of a commit by the table key of their record, each checked against `changes`:
 * a creation names a record of the commit written at its marker's version.
 */
function creationsByKey(creations: readonly Creation[], changes: readonly Entity[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const { ref, above } of creations) {
    const key = keyId(keysOfRef(ref));
    const change = changes.find((c) => keyId(keysOf(c)) === key);
    if (!change || change.version !== above) {
      // The caller built the commit wrong: nothing to retry.
      throw new Error(
        `a creation of ${describeRef(ref)} above version ${above} needs that record in the commit at version ${above}`,
      );
    }
    out.set(key, above);
  }
  return out;
}

const keyId = (keys: Key) => `${keys[PK]}|${keys[SK]}`;

function pick(item: Item, attributes: string[]): Key {
  const out: Key = {};
  for (const a of attributes) if (typeof item[a] === 'string') out[a] = item[a] as string;
  return out;
}
