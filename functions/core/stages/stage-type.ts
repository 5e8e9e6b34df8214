/**
 * What a stage type is: everything the system knows about one kind of stage, declared in one
 * module (`initiation.ts`, `risk.ts`, ..., `custom.ts`) and looked up by key through the index.
 * Use cases, the lifecycle builder and the local runtime ask the type; none of them compares a
 * stage key with a literal. The one thing kept apart is how the document a gate approves is
 * generated (documents.ts): the type names the document, and only opening or submitting a gate
 * generates it.
 */
import { versionsOf } from '../documents/model.js';
import type { Gate, Project, Stage } from '../model.js';
import type { Deps, ProjectStore } from '../ports.js';
import type { GateRule } from '../spec/lifecycle.js';
import type { ResolvedStage } from '../spec/schema.js';

/** The defaults of a standard stage that a project spec may override (name and gate). */
export interface StageDefaults {
  /** The stage's name when the spec does not rename it. */
  name: string;
  /** What the system checks before the gate may pass, in words (documentation and the README table). */
  exitCriteria: string;
  /** Approver roles (stakeholder roles) of the default gate. */
  approvers: string[];
  rule: GateRule;
  /** What the approvers are asked to approve, shown in emails and on the approval page. */
  approves: string;
  /** Approval requests wait for the PM's submit, not only for the criteria. */
  submit?: boolean;
}

/** What the exit criteria of a stage are evaluated on. */
export interface CriteriaInput {
  store: ProjectStore;
  project: Project;
  /** The stage's key (a custom type serves many keys). */
  stageKey: string;
  now: Date;
}

/** Fields a stage type records on the stage when it is entered (and in the `stage_entered` event). */
export type StageEntry = Partial<Pick<Stage, 'supportUntil'>>;

/**
 * A versioned document that the gate of a stage approves in one exact version. How it is brought
 * up to date before approvals are requested is apart, in documents.ts: only the functions that
 * open or submit a gate generate documents.
 */
export interface ApprovalDocument {
  /** The document's id within its project (the approval page links to it as `?document=<id>`). */
  id: string;
  /** The document in words, e.g. `project plan document`. */
  name: string;
}

/** The version of a stage's document that approvals requested now ask about: its latest. */
export async function currentDocumentVersion(
  store: ProjectStore,
  project: Project,
  document: ApprovalDocument,
): Promise<number | undefined> {
  return (await store.get(project.id, 'document', document.id))?.docVersion;
}

/**
 * The document under approval at `gate` (its recorded version, with that version's SHA-256 and
 * size), or undefined when the gate records none.
 */
export async function documentUnderApproval(
  store: ProjectStore,
  project: Project,
  document: ApprovalDocument,
  gate: Pick<Gate, 'documentVersion'>,
): Promise<ApprovalContent['document']> {
  if (gate.documentVersion === undefined) return undefined;
  const record = await store.get(project.id, 'document', document.id);
  const version = record ? versionsOf(record).find((v) => v.docVersion === gate.documentVersion) : undefined;
  return {
    id: document.id,
    name: document.name,
    version: gate.documentVersion,
    ...(version ? { sha256: version.sha256, size: version.size } : {}),
  };
}

/** One thing the approver sees: a name and the facts about it (each a short line of text). */
export interface ContentItem {
  label: string;
  detail?: string[];
}

/** A titled part of what the approver sees (the objectives, the test cases of one category...). */
export interface ContentSection {
  title: string;
  items: ContentItem[];
  /** Said instead of the items when there are none (without it an empty section is left out). */
  empty?: string;
  /**
   * The section lists the content's `acceptances`: emails show it as it is, the approval page
   * asks for each item in the form instead.
   */
  acceptance?: true;
}

/**
 * Something the approver accepts explicitly as part of an approval (a waived test case): the
 * approval page lists each with a checkbox, and an approval without every one ticked is refused.
 */
export interface Acceptance {
  /**
   * Identifies the thing accepted in its current form (a waiver's test case and reason): when it
   * changes after the page was shown, the old tick no longer counts.
   */
  key: string;
  /** What is accepted, e.g. the test case's name. */
  label: string;
  /** Why, e.g. the waiver's reason. */
  detail: string;
}

/**
 * What an approval request shows about the thing to approve: the approval request email and its
 * reminders show `approves` (with the document version when there is one) and the sections, the
 * approval page shows the same and links the document. Plain text: every channel escapes it.
 */
export interface ApprovalContent {
  /** What is being approved, in words (the gate's `approves`). */
  approves: string;
  /** The document version under approval, when the stage approves one (with its bytes' SHA-256 and size). */
  document?: { id: string; name: string; version: number; sha256?: string; size?: number };
  /** The substance of the gate (the charter, the test results, the deployment record...). */
  sections?: ContentSection[];
  /** What an approval accepts explicitly, each ticked on the approval page (the QA waivers). */
  acceptances?: Acceptance[];
}

/** What the approval content of a stage is built from. */
export interface ApprovalContentInput {
  store: ProjectStore;
  project: Project;
  stage: ResolvedStage;
  gate: Pick<Gate, 'documentVersion'>;
}

/** One kind of stage: its defaults, exit criteria, hooks and what its approval request shows. */
export interface StageType {
  /** The stage key of a standard type; `custom` for the type that serves every other key. */
  readonly key: string;
  /** Defaults of a standard stage; a custom stage takes its name and gate from the spec. */
  readonly defaults?: StageDefaults;
  /**
   * What the workflow waits for between entering the stage and opening its gate: `period` waits
   * until the time the enter step returns (`waitUntil`, the hypercare end).
   */
  readonly waitsFor?: 'period';
  /** A document the gate approves in an exact version (the risk stage's project plan). */
  readonly approvalDocument?: ApprovalDocument;
  /** The exit criteria that do not hold, one short sentence each; none means the gate may pass. */
  unmetCriteria(input: CriteriaInput): Promise<string[]>;
  /**
   * True when the exit criteria read only this project: its spec and its own records, every write
   * of which commits the open gate (gate-guard.ts), and the clock only in ways that, once met, stay
   * met (a period that is over, a session delivered). A decision that passes the gate then relies
   * on the check made when the round was requested, while the gate has not been written since
   * (`Gate.criteriaHeldAt`), and reads no records. False when they read anything else (another
   * project's allocations): every decision that passes the gate evaluates them again.
   */
  readonly criteriaDependOnlyOnProject: boolean;
  /** Fields to record when the stage is entered (e.g. the end of the hypercare period). */
  enter?(input: { project: Project; now: Date }): StageEntry;
  /** Runs once after the stage is completed (none of the standard types needs it yet). */
  complete?(deps: Deps, input: { project: Project; stage: Stage }): Promise<void>;
  /** What the approval request of this stage's gate shows (read when the request is sent and when the page is opened). */
  approvalContent(input: ApprovalContentInput): Promise<ApprovalContent>;
}

/** A standard stage type: it always declares its defaults. */
export interface StandardStageType extends StageType {
  readonly defaults: StageDefaults;
}

/** What is being approved in one phrase, as the approval request email says it (`project plan document v3`). */
export function approvesInWords(content: ApprovalContent): string {
  return content.document ? `${content.document.name} v${content.document.version}` : content.approves;
}

/** The approval content of a stage that shows nothing but the gate's `approves`. */
export async function metadataOnlyContent(input: { stage: ResolvedStage }): Promise<ApprovalContent> {
  return { approves: input.stage.gate.approves };
}

/** The name of the stage with `key` in `project` (its key when the project has no such stage). */
export function stageName(project: Pick<Project, 'stages'>, key: string): string {
  return project.stages.find((s) => s.key === key)?.name ?? key;
}

/** The evidence line of a record, when it has evidence (a note or a link). */
export function evidenceItems(evidence: string | undefined): string[] {
  return evidence?.trim() ? [`Evidence: ${evidence.trim()}`] : [];
}

/** An amount of money in words (`£2,640.00`; the code after the number for an unknown currency). */
export { money } from '../money.js';

/** Drops sections with neither items nor an `empty` sentence. */
export function presentSections(sections: ContentSection[]): ContentSection[] {
  return sections.filter((s) => s.items.length > 0 || s.empty);
}
