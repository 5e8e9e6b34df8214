/**
 * What the core needs from the outside world. Adapters (functions/adapters) implement these for
 * AWS and, with endpoint overrides, for the local runtime; tests may pass fakes.
 */
import type { DocumentModel } from './documents/model.js';
import type { Entity, EntityOf, Page, Project, ProjectChild, ProjectEvent } from './model.js';
import type { Notification, Recipient } from './notifications/notification.js';

export type NewEvent = Omit<ProjectEvent, 'entity' | 'id' | 'at'> & { at?: string };

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
  /** The event log, oldest first unless `newestFirst`. */
  listEvents(
    projectId: string,
    options?: { cursor?: string; limit?: number; newestFirst?: boolean },
  ): Promise<Page<ProjectEvent>>;
  /**
   * Writes every change and appends every event in one transaction. Each record's `version` is
   * the version that was read (0: must not exist yet); the stored version becomes version + 1.
   * Throws ConflictError when any record changed meanwhile (nothing is written then).
   * Returns the records as stored (with their new versions).
   */
  commit(changes: Entity[], events?: NewEvent[]): Promise<Entity[]>;
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
 * wired in functions/composition.ts, and no use case changes.
 */
export interface Notifier {
  /**
   * Delivers `notification` to one of its recipients. Throws when the delivery failed after the
   * channel's own retries (the caller records it and goes on). Must never log `Secret` values.
   */
  send(notification: Notification, recipient: Recipient): Promise<void>;
}

/**
 * Where document bytes are kept: S3 in AWS (a versioned bucket), a folder locally. Every version
 * of a document has its own key (`projects/<id>/<documentId>/v<N>.pdf`), so none is overwritten.
 */
export interface DocumentStore {
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** The bytes under `key`, or undefined when there are none. */
  get(key: string): Promise<Uint8Array | undefined>;
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
