/**
 * View an approval link (GET /approve/{linkId}). Side-effect free: mail scanners prefetch links,
 * so this reads and never writes.
 *
 * Input: the link id from the URL. Output: what the page shows:
 * - `neutral` for an unknown, malformed, expired, superseded or foreign link (one identical page);
 * - `decided` when this link, or this approver in this round, has decided already;
 * - `self-approval` when the approver submitted the stage themselves (when forbidden);
 * - `confirm` with what is being approved and a fresh CSRF nonce for the form.
 * Steps: hash the id, load the link, its project, stage and gate; check expiry, round, the gate's
 * status and that the link is the approver's current one.
 */
import { hashLinkId, isLinkIdShape } from '../approval-links.js';
import { csrfNonce } from '../csrf.js';
import { describeRule } from '../gate-rules.js';
import type { ApprovalLink, ApproverState, Gate, Project, Stage } from '../model.js';
import type { Clock, Deps } from '../ports.js';
import { type ApprovalContent, type ContentSection, stageType } from '../stages/index.js';

/** What the confirmation page shows about the gate (no link id, no token). */
export interface ApprovalView {
  mspName: string;
  projectName: string;
  customerName: string;
  timezone: string;
  stageKey: string;
  stageName: string;
  /** What is being approved, in words. */
  approves: string;
  /** The document version being approved, when the stage type approves one (the risk stage's plan). */
  documentVersion?: number;
  /** The document being approved (charter, plan, close-out): its id, name, version and SHA-256, for the download link. */
  document?: ApprovalContent['document'];
  /** The substance of the gate (the charter, test results, deployment record...), as the stage type declares it. */
  sections: ContentSection[];
  due?: string;
  rule: string;
  round: number;
  approverName: string;
  approverEmail: string;
}

export interface DecidedView {
  by: string;
  at: string;
  decision: 'approve' | 'reject';
  timezone: string;
}

export type ViewApprovalResult =
  | { kind: 'neutral' }
  | { kind: 'decided'; decided: DecidedView }
  | { kind: 'self-approval'; view: ApprovalView }
  | { kind: 'confirm'; view: ApprovalView; nonce: string };

/** A link that resolved to a live gate round (or to a decision already made in it). */
export interface ApprovalContext {
  link: ApprovalLink;
  project: Project;
  stage: Stage;
  gate: Gate;
  approver: ApproverState;
  view: ApprovalView;
}

export type LoadedApproval =
  | { kind: 'neutral' }
  | { kind: 'decided'; decided: DecidedView; context: ApprovalContext }
  | { kind: 'open'; context: ApprovalContext };

export interface ApprovalOptions {
  /** Refuse a decision by the person who submitted the stage (default true). */
  forbidSelfApproval?: boolean;
  /**
   * Clock of the form's CSRF nonce (issue time, two-hour validity). Real time by default: a person
   * fills in the form in real time even when the domain clock runs accelerated (local demo).
   */
  formClock?: Clock;
}

const realTime: Clock = { now: () => new Date() };

/** The clock the CSRF nonce is issued and checked with. */
export function formClock(options: ApprovalOptions): Clock {
  return options.formClock ?? realTime;
}

const same = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();

/** Loads and checks a link; shared by the page (GET) and the decision (POST). Reads only. */
export async function loadApproval(deps: Deps, linkId: string): Promise<LoadedApproval> {
  const neutral = { kind: 'neutral' } as const;
  if (!isLinkIdShape(linkId)) return neutral;
  const link = await deps.store.getLink(hashLinkId(linkId));
  if (!link) return neutral;
  if (link.expiresAt * 1000 <= deps.clock.now().getTime()) return neutral;

  const project = await deps.store.getProject(link.projectId);
  // An archived project (its spec removed) decides nothing any more.
  if (!project || project.status === 'archived') return neutral;
  const [stage, gate] = await Promise.all([
    deps.store.get(link.projectId, 'stage', link.stage),
    deps.store.get(link.projectId, 'gate', link.stage),
  ]);
  if (!stage || !gate || gate.projectId !== link.projectId || gate.stage !== link.stage) return neutral;
  // A newer round (the PM resubmitted) supersedes every older link, decided or not.
  if (gate.round !== link.round) return neutral;
  const approver = gate.approvers.find((a) => same(a.email, link.approverEmail));
  if (!approver) return neutral;
  // Another link was issued to this approver in this round: only the newest one works.
  if (approver.linkHash && approver.linkHash !== link.linkHash) return neutral;

  const resolved = project.stages.find((s) => s.key === link.stage);
  const content: ApprovalContent = resolved
    ? await stageType(resolved.key).approvalContent({ store: deps.store, project, stage: resolved, gate })
    : { approves: `completion of ${stage.name}` };
  const view: ApprovalView = {
    mspName: project.mspName || deps.config.mspName,
    projectName: project.name,
    customerName: project.customerName,
    timezone: project.timezone,
    stageKey: stage.key,
    stageName: stage.name,
    approves: content.approves,
    ...(content.document ? { documentVersion: content.document.version, document: content.document } : {}),
    sections: content.sections ?? [],
    ...(stage.due ? { due: stage.due } : {}),
    rule: describeRule(gate.rule, gate.approvers.length),
    round: gate.round,
    approverName: approver.name || link.approverName,
    approverEmail: link.approverEmail,
  };
  const context: ApprovalContext = { link, project, stage, gate, approver, view };

  if (link.status === 'decided' && link.decision && link.decidedAt) {
    return {
      kind: 'decided',
      context,
      decided: {
        by: link.approverName,
        at: link.decidedAt,
        decision: link.decision,
        timezone: project.timezone,
      },
    };
  }
  if (approver.decision && approver.decidedAt) {
    return {
      kind: 'decided',
      context,
      decided: {
        by: approver.name,
        at: approver.decidedAt,
        decision: approver.decision,
        timezone: project.timezone,
      },
    };
  }
  // The round was decided without this approver (e.g. a quorum was reached): the link is spent.
  if (gate.status !== 'pending_approval') return neutral;
  return { kind: 'open', context };
}

/**
 * The names a submitter may be known by. Locally the staff API's actor is an email; in AWS it is
 * the IAM caller: an ARN whose last segment is the user name or the role session name (with
 * IAM Identity Center, the person's email), or a caller id `<unique id>:<session name>`.
 */
function submitterNames(submittedBy: string): string[] {
  const names = [submittedBy];
  if (submittedBy.startsWith('arn:')) names.push(submittedBy.slice(submittedBy.lastIndexOf('/') + 1));
  else if (/^[A-Z0-9]+:./.test(submittedBy)) names.push(submittedBy.slice(submittedBy.indexOf(':') + 1));
  return names;
}

/** True when `email` is the person `submittedBy` names (by email or by IAM identity). */
export function isSubmitter(submittedBy: string | undefined, email: string): boolean {
  if (!submittedBy) return false;
  return submitterNames(submittedBy).some((name) => same(name, email));
}

/** True when the approver is the one who submitted the stage (by email or by IAM identity). */
export function isSelfApproval(context: ApprovalContext): boolean {
  return isSubmitter(context.stage.submittedBy, context.link.approverEmail);
}

/** GET /approve/{linkId}: the page to show. Never writes. */
export async function viewApproval(
  deps: Deps,
  linkId: string,
  options: ApprovalOptions = {},
): Promise<ViewApprovalResult> {
  const loaded = await loadApproval(deps, linkId);
  if (loaded.kind === 'neutral') return loaded;
  if (loaded.kind === 'decided') return { kind: 'decided', decided: loaded.decided };
  const { context } = loaded;
  if ((options.forbidSelfApproval ?? true) && isSelfApproval(context)) {
    return { kind: 'self-approval', view: context.view };
  }
  return {
    kind: 'confirm',
    view: context.view,
    nonce: csrfNonce(context.link.csrfSecret, context.link.linkHash, formClock(options).now()),
  };
}
