/**
 * What the core needs from the outside world. Adapters (functions/adapters) implement these for
 * AWS and, with endpoint overrides, for the local runtime; tests may pass fakes.
 */
import type { DocumentModel } from './documents/model.js';
import type { Entity, EntityName, EntityOf, Page, Project, ProjectChild, ProjectEvent } from './model.js';
import type { Notification, Recipient } from './notifications/notification.js';
import type { ProjectSnapshot } from './snapshot.js';

export type NewEvent = Omit<ProjectEvent, 'entity' | 'id' | 'at'> & { at?: string };

/** A record within a project, by its id there (task id, member email...). */
export interface ChildRef {
  entity: ProjectChild;
  projectId: string;
  id: string;
}

/**
 * What a removal leaves behind (`ProjectStore.commit`): the last version of the record it deleted.
 * A record created again with the same id is created above it (`Creation`), so no version of a
 * removed incarnation ever names the new one. A later removal of the same id overwrites it.
 */
export interface RemovalMarker {
  entity: 'removed';
  ref: ChildRef;
  /** The removed record's last version. */
  version: number;
}

/**
 * Counters that writes bump without changing any record's version: change tokens that other
 * writes condition on.
 * - `assignments` (one per project): bumped by every write that gives an open task or risk to
 *   someone (an assignee or owner set or changed, or a closed one opened again: assignments.ts);
 *   a team member's removal checks it unchanged since it read the tasks and risks
 *   (staff-remove-record.ts).
 * - `allocations` (one for the whole portfolio, no project): bumped by every write that changes
 *   what the cross-project capacity criterion reads (allocation-order.ts); a resourcing gate's
 *   passing commit checks it unchanged since before it read the other projects' members.
 */
export type Counter = CounterRef['counter'];

/** A counter by its name (and its project, for a per-project one). */
export type CounterRef =
  | { counter: 'assignments'; projectId: string }
  | { counter: 'allocations'; projectId?: undefined };

/** A counter's value as read (0: never bumped). */
export type CounterValue = CounterRef & { entity: 'counter'; value: number };

/** A counter that a commit requires to still hold `value` (0: never bumped). */
export type CounterCheck = CounterRef & { value: number };

/**
 * One record by its key: a project, an approval link, a day's portfolio digest claim, a record
 * within a project, the removal marker of a record's id (`RemovalMarker`, undefined: never
 * removed) or a counter (always answered: 0 when never bumped).
 */
export type RecordRef =
  | EntityRef
  | { entity: 'removed'; ref: ChildRef }
  | ({ entity: 'counter' } & CounterRef);

/** A reference to a record of the model (an `Entity`): a project, a link, a digest claim, a project's record. */
export type EntityRef =
  | { entity: 'project'; id: string }
  | { entity: 'link'; linkHash: string }
  | { entity: 'digest'; date: string }
  | ChildRef;

/**
 * A record to delete in a commit, with the version that was read (the delete holds only while it
 * is still stored). The same transaction writes its `RemovalMarker` (one more item).
 */
export interface Removal {
  ref: ChildRef;
  version: number;
}

/**
 * A record of a commit's `changes` created where a removed record with the same id may have been:
 * its `version` is `above`, the version of its removal marker as read with it (0: no marker). It
 * is written at `above + 1` on the conditions that it does not exist and that the marker still
 * says `above` (one more item: a ConditionCheck), so a removal or creation of the same id in
 * between makes the commit conflict.
 */
export interface Creation {
  ref: ChildRef;
  above: number;
}

/** What a commit does besides its changes, removals and events (each entry one more item). */
export interface CommitOptions {
  /** Records of `changes` created above their removal marker. */
  creations?: Creation[];
  /** Counters to add one to (created at 1). */
  bumps?: CounterRef[];
  /** Counters that must still hold the value read (0: never bumped), or the commit conflicts. */
  checks?: CounterCheck[];
}

/** The record type a RecordRef names. */
export type RecordOfRef<R extends RecordRef> = R extends { entity: 'removed' }
  ? RemovalMarker
  : R extends { entity: 'counter' }
    ? CounterValue
    : R extends { entity: infer E extends EntityName }
      ? EntityOf<E>
      : never;

export interface ProjectStore {
  getProject(id: string): Promise<Project | undefined>;
  /** Projects by id; `activeOnly` reads the sparse active-projects index (never a Scan). */
  listProjects(options?: { activeOnly?: boolean; cursor?: string; limit?: number }): Promise<Page<Project>>;
  /** One record of a project by its id within the project (stage key, gate stage, task id, member email...). */
  get<E extends ProjectChild>(projectId: string, entity: E, id: string): Promise<EntityOf<E> | undefined>;
  /** Every record of one kind in a project (all pages read). */
  list<E extends ProjectChild>(projectId: string, entity: E): Promise<EntityOf<E>[]>;
  /** An approval link by the SHA-256 of its id. */
  getLink(linkHash: string): Promise<EntityOf<'link'> | undefined>;
  /**
   * Several records by key in one request (strongly consistent), in the order asked; a record
   * that does not exist is undefined. At most 100 refs, no ref twice.
   */
  getRecords<const R extends readonly RecordRef[]>(
    refs: R,
  ): Promise<{ -readonly [K in keyof R]: RecordOfRef<R[K]> | undefined }>;
  /**
   * The project and its current records (every kind in `SNAPSHOT_CHILDREN`, core/snapshot.ts) in
   * one request, however long its event log: the sort-key range from `GATE#` upward. Events,
   * documents, deployments and other records outside the range are not in it. Undefined when
   * the project does not exist.
   */
  getProjectSnapshot(projectId: string): Promise<ProjectSnapshot | undefined>;
  /** The event log, oldest first unless `newestFirst`. */
  listEvents(
    projectId: string,
    options?: { cursor?: string; limit?: number; newestFirst?: boolean },
  ): Promise<Page<ProjectEvent>>;
  /**
   * Writes every change, deletes every removal (leaving its `RemovalMarker`) and appends every
   * event in one transaction, with the creations' marker checks and the counters' bumps and
   * checks of `options`. Each record's `version` is the version that was read (0: must not exist
   * yet; a `Creation`: its marker's version); the stored version becomes version + 1. A removal
   * deletes its record only while the stored version is still the one given. Throws
   * ConflictError when any record changed (or a removed one is gone), a marker or a checked
   * counter moved meanwhile (nothing is written then). At most 100 items in all (a removal counts
   * two). Returns the records as stored (with their new versions; removals are not in it).
   */
  commit(
    changes: Entity[],
    events?: NewEvent[],
    removals?: Removal[],
    options?: CommitOptions,
  ): Promise<Entity[]>;
}

/** The workflow engine (Step Functions): callbacks to waiting gate tasks and new executions. */
export interface Workflow {
  /** Resolves a waiting task. Throws TaskTokenGoneError when the task timed out or the token is invalid. */
  sendTaskSuccess(taskToken: string, output: unknown): Promise<void>;
  /** Fails a waiting task with an error name (e.g. GateRejected) and a cause. */
  sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void>;
  /** Starts an execution of a project's state machine; idempotent by `name`. */
  startExecution(projectId: string, name: string, input: unknown): Promise<void>;
  /**
   * Stops every running execution of a project's state machine (archive, a changed lifecycle);
   * `cause` says why. Returns how many were stopped; none running is not an error.
   */
  stopExecutions(projectId: string, cause: string): Promise<number>;
}

/**
 * Delivers notifications on one channel. Use cases say what happened and to whom (a
 * `Notification`: kind, recipients, content model); the notifier decides how it looks and how it
 * travels. Email is the channel today (functions/adapters/email-notifier.ts renders the content
 * and sends it through SES); a new channel (Teams, Slack) is one more adapter of this port,
 * built in functions/composition/notifier.ts, and no use case changes.
 */
export interface Notifier {
  /**
   * Delivers `notification` to one of its recipients. Throws when the delivery failed after the
   * channel's own retries (the caller records it and goes on). Must never log `Secret` values.
   */
  send(notification: Notification, recipient: Recipient): Promise<void>;
  /**
   * Delivers `notification` once to the channels that are not a person (a Teams or Slack channel),
   * when the notifier has any and the kind goes there; resolves to whether it was posted. Throws
   * when the delivery failed after the channel's own retries. Optional: an email-only notifier has none.
   */
  announce?(notification: Notification): Promise<boolean>;
}

/**
 * Where document bytes are kept: S3 in AWS (a versioned bucket), a folder locally. Every version
 * of a document has its own key (`projects/<id>/<documentId>/v<N>.pdf`), and every write of a key
 * its own storage version: two writes of one key (two publishes racing, or a retry after a failed
 * commit) never replace each other's bytes, and a reader that names the version gets exactly them.
 */
export interface DocumentStore {
  /** Stores `body` under `key` as a new version; returns what identifies exactly these bytes. */
  put(key: string, body: Uint8Array, contentType: string): Promise<StoredDocument>;
  /**
   * The bytes of `versionId` under `key` (those `put` answered with), or the key's latest bytes
   * when no version is given (records of earlier releases); undefined when there are none.
   */
  get(key: string, versionId?: string): Promise<Uint8Array | undefined>;
}

/** What identifies one write of a document's bytes. */
export interface StoredDocument {
  /** The storage version of the write (S3 `x-amz-version-id`); absent from a store without versions. */
  versionId?: string;
}

/**
 * Lays a document model out as a file (a PDF). In AWS the lifecycle, schedule and HTTP functions
 * reach the `documents` function through a Lambda adapter; locally and in tests it runs in process.
 */
export interface DocumentRenderer {
  render(doc: DocumentModel): Promise<Uint8Array>;
}

export interface Clock {
  now(): Date;
}

/** A logger that never receives secrets (task tokens, link ids): callers pass only safe fields. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface AppConfig {
  /** Base URL of the approval pages and API, e.g. https://abc.execute-api.eu-west-2.amazonaws.com */
  publicBaseUrl: string;
  /** The From address of every email (an SES verified identity in AWS). */
  senderEmail: string;
  /** Shown in emails when a spec has no msp.name. */
  mspName: string;
  /** Days an approval link stays valid. */
  linkTtlDays: number;
  /**
   * The MSP's delivery manager (a platform setting): told about budget threshold crossings and
   * gets the daily portfolio digest (none: no digest is sent).
   */
  deliveryManagerEmail?: string;
  /** The platform's IANA time zone: the digest's day. @default UTC */
  platformTimezone?: string;
}

/** Everything a use case may use; built once per process by a composition module. */
export interface Deps {
  store: ProjectStore;
  workflow: Workflow;
  notifier: Notifier;
  documents: DocumentStore;
  renderer: DocumentRenderer;
  clock: Clock;
  log: Logger;
  config: AppConfig;
}
