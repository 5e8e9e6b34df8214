/**
 * The records milepost keeps (one DynamoDB table in AWS). Plain data: the core computes new
 * records and hands them to `ProjectStore.commit`, which writes them with optimistic locking.
 *
 * `version` is the version that was read: 0 for a record that does not exist yet. The store
 * writes `version + 1` on the condition that the stored version is still `version`.
 *
 * Each record type has a zod schema (`recordSchemas`, end of file) that the store parses every item
 * it reads with; a compile-time check keeps each schema and its type the same.
 */
import type { GateRule, StakeholderRole } from './spec/lifecycle.js';
import type { ProjectSpec, ResolvedStage } from './spec/schema.js';

export interface Versioned {
  version: number;
}

/** active: its workflow runs; closed: every stage completed; archived: its spec was removed (records kept). */
export type ProjectStatus = 'active' | 'closed' | 'archived';

export interface Project extends Versioned {
  entity: 'project';
  id: string;
  name: string;
  customerName: string;
  timezone: string;
  mspName: string;
  /** The validated spec the project was registered with. */
  spec: ProjectSpec;
  /** The spec's stages with every default applied, in order. */
  stages: ResolvedStage[];
  status: ProjectStatus;
  /** Key of the stage in progress (the last stage once closed). */
  currentStage: string;
  /** Counts continue-as-new restarts of the workflow; part of the execution name. */
  generation: number;
  /** Name of the workflow execution that drives the project now. */
  executionName?: string;
  /**
   * Who claimed the current generation: the start time of the execution that asked to continue
   * as new (its retried steps find it here and do not count up again).
   */
  continuedFrom?: string;
  /** Latest version of the project plan document, once generated. */
  planVersion?: number;
  createdAt: string;
  updatedAt: string;
  closedAt?: string;
  /** When the project was archived because its spec was removed (status `archived`). */
  archivedAt?: string;
  /** Result of the latest scheduled monitoring check (absent before the first one). */
  monitoring?: ProjectMonitoring;
  /**
   * Version of the baseline (scope, deliverables, budget, timeline, stage due dates) in `spec`:
   * absent = 1, the registered spec; each approved change request adds one.
   */
  baseline?: number;
}

/** What the monitoring check keeps on the project between runs. */
export interface ProjectMonitoring {
  checkedAt: string;
  rag: 'green' | 'amber' | 'red';
  spi: number;
  cpi: number;
  reasons: string[];
  /** Keys of the deviations recorded and still present (e.g. `spi`, `overdue-stage:qa`): not recorded again. */
  openDeviations: string[];
  /** The corrective action recorded for an open deviation, by its key (dropped once it clears). */
  correctiveActions?: Record<string, CorrectiveAction>;
  /**
   * The RAG the PM was last told about (alerts.ts): a change from it is notified once, in the same
   * write that records it. Absent: nothing was notified yet (green is assumed).
   */
  notifiedRag?: 'green' | 'amber' | 'red';
  /** What each open deviation is, in words, by its key (for the PM's alerts and the digest). */
  deviationSummaries?: Record<string, string>;
}

/** What the PM decided to do about a deviation (Monitoring & Control). */
export interface CorrectiveAction {
  action: string;
  by: string;
  at: string;
}

export type StageStatus = 'pending' | 'active' | 'awaiting_approval' | 'rework' | 'completed';

export interface Stage extends Versioned {
  entity: 'stage';
  projectId: string;
  key: string;
  name: string;
  order: number;
  status: StageStatus;
  due?: string;
  startedAt?: string;
  completedAt?: string;
  submittedAt?: string;
  submittedBy?: string;
  reworkCount: number;
  /** For the support stage: when the hypercare period ends. */
  supportUntil?: string;
}

/**
 * waiting: the gate task waits for its criteria (or for the PM to submit);
 * pending_approval: approval links are out; approved / rejected: the round is decided.
 */
export type GateStatus = 'waiting' | 'pending_approval' | 'approved' | 'rejected';

export interface ApproverState {
  email: string;
  name: string;
  /** SHA-256 (base64url) of this approver's link in the current round. */
  linkHash?: string;
  decision?: 'approve' | 'reject';
  comment?: string;
  decidedAt?: string;
  /** What this approver accepted explicitly with their approval (the QA waivers), as shown to them. */
  accepted?: AcceptedItem[];
}

/** One thing an approver accepted explicitly with an approval (a waived test case and its reason). */
export interface AcceptedItem {
  key: string;
  label: string;
  detail: string;
}

export interface Gate extends Versioned {
  entity: 'gate';
  projectId: string;
  stage: string;
  /** Increments each time approval requests are sent; older links are superseded. */
  round: number;
  status: GateStatus;
  rule: GateRule;
  /** The current task token of the waiting gate task. Never leaves the backend. */
  taskToken?: string;
  approvers: ApproverState[];
  openedAt: string;
  requestedAt?: string;
  remindedAt?: string;
  reminders: number;
  /**
   * SHA-256 (base64url) of the task token whose timeout was last reminded: a retried reminder
   * step for the same timeout finds it and sends nothing again.
   */
  remindedFor?: string;
  escalatedAt?: string;
  decidedAt?: string;
  /** For the risk stage: the plan document version being approved. */
  documentVersion?: number;
  /**
   * Set when a rejected round went to rework: the gate waits for the PM to resubmit the stage
   * (its criteria holding is not enough to send new approval requests). Cleared by the submit.
   */
  awaitingResubmission?: boolean;
  /**
   * Milliseconds the gate waited on the customer in rounds that are over (from each round's
   * request to its decision or withdrawal). The open round's time is added on read (`gateWaitMs`).
   */
  customerWaitMs?: number;
  /**
   * Set, in the same commit, by a change request approved while this gate's approval requests
   * were out, or by a deployed spec edit that changed the document the round approves: the round
   * was asked on what the project said before, so none of its links decides any more and none of
   * its decisions counts until the round is asked again (renew-gate-approvals.ts; cleared by the
   * next request or withdrawal).
   */
  rebaselined?: GateRebaselined;
  /**
   * The gate version written by the step that found the stage's exit criteria holding, after
   * reading the gate at the version before (the approval requests of this round, or a decision
   * that left the round open). While the gate's version is still this one, no write that could
   * change the criteria landed since (gate-guard.ts: every such write commits the open gate), so
   * a decision that passes the gate may rely on that check instead of reading the records again,
   * for a stage type whose criteria depend on the project only (`StageType.criteriaDependOnlyOnProject`).
   */
  criteriaHeldAt?: number;
}

/** What made a gate's round stale while it was out: change requests, deployed spec edits, or both. */
export interface GateRebaselined {
  /**
   * What marked the round last: an approved change request, or a deployed spec edit that changed
   * the document under approval. Absent in marks stored before spec edits set one: a change request.
   */
  reason?: 'change_request' | 'spec';
  /** The change request approved last while the round waited (absent when only spec edits marked it). */
  changeId?: string;
  /** The baseline version in force when the round was marked last. */
  baseline: number;
  at: string;
  /**
   * Change requests approved before it while the same round waited to be asked again (oldest
   * first): the renewal names every change since the round was asked, not only the latest.
   */
  earlier?: string[];
  /** The deployed spec edits that changed the document under approval since the round was asked. */
  spec?: GateSpecEdit;
}

/**
 * What deployed spec edits changed in the document a gate's round approves, merged over the
 * deploys since the round was asked: the spec fields the document shows that changed, and, for
 * the baseline fields among them, the values (first old, latest new).
 */
export interface GateSpecEdit {
  /** Spec field paths (`budget.amount`, `objectives`, `stages.qa.due`), in the spec's order. */
  fields: string[];
  /** The baseline fields among `fields`, old → new (customer-facing values only). */
  changes: BaselineChange[];
}

export type LinkStatus = 'pending' | 'decided';

/**
 * What a link decides: a stage gate (the default, also of links stored before there were other
 * kinds) or a change request.
 */
export type LinkTarget = 'gate' | 'change';

/** One approver's single-use link. Keyed by the SHA-256 of the link id; the id itself is never stored. */
export interface ApprovalLink extends Versioned {
  entity: 'link';
  linkHash: string;
  projectId: string;
  /** Absent: `gate`. */
  target?: LinkTarget;
  /** The change request a `change` link decides. */
  changeId?: string;
  /** The gate's stage; for a `change` link, the stage the project was at when it was raised. */
  stage: string;
  /** The gate round; 1 for a `change` link. */
  round: number;
  approverEmail: string;
  approverName: string;
  status: LinkStatus;
  /** Server-side secret for the CSRF nonce of this link's form. */
  csrfSecret: string;
  createdAt: string;
  /** Epoch seconds; also the table's TTL attribute. */
  expiresAt: number;
  decision?: 'approve' | 'reject';
  comment?: string;
  decidedAt?: string;
}

/**
 * The claim of one day's portfolio digest (send-portfolio-digest.ts): a platform item, outside any
 * project. It is written (new, or over an unsent or abandoned claim at the version read) before
 * anything is sent, so duplicated or concurrent invocations of the daily schedule send one digest.
 */
export interface DigestRun extends Versioned {
  entity: 'digest';
  /** The digest's day: YYYY-MM-DD in the platform's time zone. */
  date: string;
  /**
   * sending: an invocation claimed the day and is sending; sent: at least one channel got it;
   * unsent: no channel got it (a later invocation of the same day may claim it again).
   */
  status: 'sending' | 'sent' | 'unsent';
  /** When the latest attempt claimed the day. */
  claimedAt: string;
  /** How many invocations claimed the day (1 unless an attempt failed or was abandoned). */
  attempts: number;
  /** When the digest went out (status sent). */
  sentAt?: string;
  /** What the latest attempt did: projects in the digest, emailed, posted, deliveries that failed. */
  projects?: number;
  emailed?: boolean;
  posted?: boolean;
  failed?: number;
  /** Epoch seconds; the table's TTL attribute (the claim is kept a while as a record of the runs). */
  expiresAt: number;
}

/**
 * What SES last reported about delivering to a person: a bounce or a complaint (spam report).
 * Recorded by record-mail-feedback so the PM sees that emails to them do not arrive.
 */
export interface MailDelivery {
  status: 'bounced' | 'complained';
  /** When SES reported it (ISO time). */
  at: string;
  /** SES's words: bounce type and subtype, or the complaint's feedback type. */
  detail: string;
  /** A permanent bounce (the address does not exist): SES suppresses the address from then on. */
  permanent: boolean;
  /** The SES message id the report is about (a repeated report of it records nothing new). */
  messageId: string;
}

export interface Stakeholder extends Versioned {
  entity: 'stakeholder';
  projectId: string;
  email: string;
  name: string;
  role: StakeholderRole;
  /** The last bounce or complaint SES reported for this address, when there was one. */
  delivery?: MailDelivery;
}

export interface TeamMember extends Versioned {
  entity: 'member';
  projectId: string;
  email: string;
  name: string;
  role: string;
  skills: string[];
  /** Percent of this person's time on the project. */
  allocation: number;
  /** The last bounce or complaint SES reported for this address, when there was one. */
  delivery?: MailDelivery;
}

export interface Resource extends Versioned {
  entity: 'resource';
  projectId: string;
  id: string;
  kind: 'software' | 'hardware' | 'tool' | 'service';
  name: string;
  quantity: number;
  cost: number;
}

export type RiskStatus = 'open' | 'mitigated' | 'closed';

export interface Risk extends Versioned {
  entity: 'risk';
  projectId: string;
  id: string;
  title: string;
  likelihood: number;
  impact: number;
  owner?: string;
  mitigation?: string;
  status: RiskStatus;
  reviewBy?: string;
}

/** `waived`: will not be done, with a `waiverReason` (e.g. a test case the customer waived). */
export type TaskStatus = 'todo' | 'in_progress' | 'done' | 'waived';

/** Done, or waived with a reason: nothing is left to do for it. */
export function isTaskClosed(t: { status: TaskStatus; waiverReason?: string }): boolean {
  return t.status === 'done' || (t.status === 'waived' && Boolean(t.waiverReason));
}

/** A task or a deliverable (deliverables come from the spec; tasks are added by the PM). */
export interface Task extends Versioned {
  entity: 'task';
  projectId: string;
  id: string;
  type: 'task' | 'deliverable';
  name: string;
  stage: string;
  status: TaskStatus;
  estimateHours: number;
  actualHours: number;
  assignee?: string;
  acceptance?: string;
  due?: string;
  /** Why the task was waived (required with status `waived`). */
  waiverReason?: string;
  /** What shows the work is done: a note or a link (shown to the approver of the stage). */
  evidence?: string;
}

/** Kinds of test the QA stage records. */
export const TEST_CATEGORIES = [
  'functional',
  'integration',
  'security',
  'performance',
  'user_acceptance',
] as const;
export type TestCategory = (typeof TEST_CATEGORIES)[number];

/** `not_run` until the test is run; `waived` needs a `waiverReason` (the customer agreed to skip it). */
export const TEST_RESULTS = ['not_run', 'passed', 'failed', 'waived'] as const;
export type TestResult = (typeof TEST_RESULTS)[number];

/** A test case of the QA stage: what is tested, how, what is expected and what happened. */
export interface TestCase extends Versioned {
  entity: 'test_case';
  projectId: string;
  id: string;
  name: string;
  category: TestCategory;
  /** What the tester does, in order. */
  steps: string[];
  expectedResult: string;
  result: TestResult;
  /** Why the test is waived (required with result `waived`). */
  waiverReason?: string;
  /** A note or a link showing the result (a screenshot, a report). */
  evidence?: string;
  /** Who ran the test. */
  tester?: string;
  /** When the result was recorded (ISO time; absent while `not_run`). */
  testedAt?: string;
}

/** How a deployment ended; absent while it is planned. */
export const DEPLOYMENT_RESULTS = ['succeeded', 'failed', 'rolled_back'] as const;
export type DeploymentResult = (typeof DEPLOYMENT_RESULTS)[number];

/** A deployment (go-live, cut-over) of the deployment stage. */
export interface DeploymentRecord extends Versioned {
  entity: 'deployment';
  projectId: string;
  id: string;
  name: string;
  /** The change window (ISO times). */
  windowStart?: string;
  windowEnd?: string;
  steps: string[];
  rollbackPlan?: string;
  result?: DeploymentResult;
  /** What happened, in words (notes on the result). */
  resultNotes?: string;
  deployedBy?: string;
}

/** A training session of the deployment stage. */
export interface TrainingSession extends Versioned {
  entity: 'training_session';
  projectId: string;
  id: string;
  title: string;
  /** The day it takes (or took) place, YYYY-MM-DD. */
  date: string;
  /** Who it is for, in words (e.g. front-desk staff). */
  audience: string;
  /** Who attended (names or emails). */
  attendees: string[];
  /** Handouts, recordings, links. */
  materials: string[];
  trainer?: string;
}

/**
 * Time a team member spent on the project: who, which day, how many hours, on which task. The
 * rates of the person's role are kept as they were when the time was recorded (a later rate card
 * does not rewrite past costs). Internal: never shown to customer stakeholders.
 */
export interface TimeEntry extends Versioned {
  entity: 'time_entry';
  projectId: string;
  /** `<date>.<random>`: entries list by the day worked. */
  id: string;
  /** The team member's email (lower case). */
  person: string;
  /** The member's role when the time was recorded (what the rate card priced). */
  role: string;
  /** The day worked, YYYY-MM-DD (project time zone). */
  date: string;
  hours: number;
  /** The task or deliverable the time went to, when given. */
  task?: string;
  note?: string;
  /** Internal cost per hour of the role (0 without a rate card). */
  costRate: number;
  /** Billed per hour (absent: not billed). */
  billingRate?: number;
  /** hours x costRate, and hours x billingRate (0 when not billed). */
  cost: number;
  billable: number;
  recordedBy: string;
  recordedAt: string;
}

/** A cost of the project that is neither time nor a listed resource (travel, a licence bought on the way). */
export interface Expense extends Versioned {
  entity: 'expense';
  projectId: string;
  /** `<date>.<random>`. */
  id: string;
  date: string;
  description: string;
  amount: number;
  /** Passed on to the customer at cost (default true). */
  billable: boolean;
  recordedBy: string;
  recordedAt: string;
}

/**
 * The running money totals of a project, updated in the same transaction as each time entry and
 * expense, so the gate criteria and the monitoring check read one record instead of every entry.
 * Resources are not summed here: they are records of their own, read with the project.
 */
export interface Ledger extends Versioned {
  entity: 'ledger';
  projectId: string;
  /** Always `budget`: one ledger per project. */
  id: string;
  /** Hours recorded, their internal cost and their billable value. */
  hours: number;
  timeCost: number;
  timeBillable: number;
  /** Expenses recorded, and the part of them passed on to the customer. */
  expenses: number;
  billableExpenses: number;
  entries: number;
  /**
   * The budget thresholds (percent) the burn is at or past, each alerted once when it was crossed.
   * A threshold the burn falls below again (the budget was raised) is dropped, so a new crossing alerts again.
   */
  crossed: number[];
  updatedAt: string;
}

/** Kinds of generated document. */
export const DOCUMENT_KINDS = ['charter', 'plan', 'status', 'closeout'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** One stored version of a document: its bytes are under `key` in the document store. */
export interface DocumentVersion {
  docVersion: number;
  key: string;
  /**
   * The document store's version of the bytes under `key` (absent on versions of earlier
   * releases: those read the key's latest bytes). Reads pass it, so they serve exactly the bytes
   * `sha256` describes even when another write of `key` lost its commit.
   */
  storageVersion?: string;
  /** SHA-256 (hex) of the stored bytes. */
  sha256: string;
  /** Size of the stored bytes. */
  size: number;
  /** Media type of the bytes (`application/pdf`; documents of earlier releases were HTML). */
  contentType: string;
  createdAt: string;
}

/**
 * A generated document (charter, plan, status report, close-out); the bytes live in the document
 * store, every version under its own key. The top-level fields describe the latest version;
 * `versions` lists every one (oldest first), so an older version stays downloadable.
 */
export interface DocumentRecord extends Versioned {
  entity: 'document';
  projectId: string;
  /** e.g. `charter`, `plan`, `status-2026-12-04`, `closeout`. */
  id: string;
  kind: DocumentKind;
  docVersion: number;
  title: string;
  key: string;
  /** The document store's version of the latest version's bytes (absent on earlier releases). */
  storageVersion?: string;
  /** SHA-256 (hex) of the latest version's bytes. */
  sha256: string;
  /** Size of the latest version's bytes (absent on documents of earlier releases). */
  size?: number;
  /** Media type of the latest version (absent: HTML, as earlier releases stored). */
  contentType?: string;
  /** SHA-256 of what the latest version says (its model without version and date): unchanged content is not published again. */
  contentSha256?: string;
  createdAt: string;
  /** Every version, oldest first (absent on documents of earlier releases: only the latest then). */
  versions?: DocumentVersion[];
}

/** Whether a lesson is worth repeating or something to do differently. */
export const LESSON_KINDS = ['repeat', 'change'] as const;
export type LessonKind = (typeof LESSON_KINDS)[number];

/** A lesson learned, recorded by the PM for the close-out report. */
export interface Lesson extends Versioned {
  entity: 'lesson';
  projectId: string;
  id: string;
  title: string;
  /** What happened, in a few sentences. */
  whatHappened: string;
  /** `repeat` (it went well: do it again) or `change` (do it differently next time). */
  kind: LessonKind;
  /** What to repeat or what to change, concretely. */
  recommendation: string;
  /** The stage it is about, when it is about one. */
  stage?: string;
  /** Who recorded it. */
  recordedBy?: string;
}

/**
 * A value of the baseline as a change request records it: a number (budget), a date or null
 * (a stage without a due date), a list of items (scope) or the deliverables.
 */
export type BaselineValue = number | string | null | string[] | BaselineDeliverable[];

/** A deliverable as the spec declares it. */
export interface BaselineDeliverable {
  id: string;
  name: string;
  stage: string;
  acceptance: string;
}

/**
 * One change of a change request: the baseline field (`budget.amount`, `budget.hours`,
 * `timeline.end`, `scope.in`, `scope.out`, `deliverables`, `stages.<key>.due`), its value when the
 * request was raised and the value asked for.
 */
export interface BaselineChange {
  field: string;
  old: BaselineValue;
  new: BaselineValue;
}

/**
 * pending: the sponsor's links are out; approved: the baseline was changed; rejected: nothing
 * changed; superseded: the baseline moved since it was raised (an old value no longer holds), so
 * it can no longer be approved.
 */
export type ChangeRequestStatus = 'pending' | 'approved' | 'rejected' | 'superseded';

/** A request to change the project's baseline, decided by the sponsor through emailed links. */
export interface ChangeRequest extends Versioned {
  entity: 'change_request';
  projectId: string;
  /** `cr-<n>`, numbered per project. */
  id: string;
  /** Its number within the project (orders the list). */
  number: number;
  status: ChangeRequestStatus;
  changes: BaselineChange[];
  reason: string;
  impact: string;
  raisedBy: string;
  raisedAt: string;
  /** The baseline version it was raised against. */
  baseline: number;
  /** Who decides it (the project's sponsors when it was raised); the first decision counts. */
  approvers: { email: string; name: string }[];
  decision?: 'approve' | 'reject';
  decidedBy?: string;
  decidedByName?: string;
  decidedAt?: string;
  comment?: string;
  /** The baseline version its approval made. */
  appliedBaseline?: number;
  /** Why it was superseded: the fields whose value moved since it was raised. */
  staleFields?: string[];
}

/** An immutable entry of the project's event log. */
export interface ProjectEvent {
  entity: 'event';
  projectId: string;
  /** Time-sortable unique id (ISO time + random suffix). */
  id: string;
  at: string;
  type: string;
  stage?: string;
  /** Who did it: an email, `system` or `scheduler`. */
  actor: string;
  summary: string;
  data?: Record<string, unknown>;
}

export type Entity =
  | Project
  | Stage
  | Gate
  | ApprovalLink
  | DigestRun
  | Stakeholder
  | TeamMember
  | Resource
  | Risk
  | Task
  | TestCase
  | DeploymentRecord
  | TrainingSession
  | TimeEntry
  | Expense
  | Ledger
  | Lesson
  | DocumentRecord
  | ChangeRequest;

export type EntityName = Entity['entity'];
export type EntityOf<E extends EntityName> = Extract<Entity, { entity: E }>;
/** Entities that live inside a project and are listed per project. */
export type ProjectChild = Exclude<EntityName, 'project' | 'link' | 'digest'>;

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  cursor?: string;
}
