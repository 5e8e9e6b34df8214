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

import { type ApprovalOptions, formClock, isSubmitter, sameEmail } from '../approval-form.js';
import { hashLinkId, isLinkIdShape } from '../approval-links.js';
import { csrfNonce } from '../csrf.js';
import { describeRule } from '../gate-rules.js';
import type { ApprovalLink, ApproverState, Gate, Project, Stage } from '../model.js';
import type { Deps } from '../ports.js';
import { type ApprovalContent, type ContentSection, stageType } from '../stages/index.js';
import { viewChangeApproval } from './decide-change-request.js';

// Shared with the change request's page and the decision: kept importable from here.
export { type ApprovalOptions, formClock, isSubmitter };

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
  /** The substance of the gate (the charter, test results, deployment record...), as the stage type declares it. */
  sections: ContentSection[];
  due?: string;
  rule: string;
  round: number;
  approverName: string;
  approverEmail: string;
  /** Set for a change request's link: the page names the request, not a stage. */
  target?: 'change';
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

/** A link that exists, has not expired and belongs to a project that is not archived. */
export type LoadedLink = { kind: 'neutral' } | { kind: 'link'; link: ApprovalLink; project: Project };

/**
 * Finds a link by its id and checks what every kind of link needs: its shape, that it exists and
 * has not expired, and that its project is not archived. Reads only.
 */
export async function loadLink(deps: Deps, linkId: string): Promise<LoadedLink> {
  const neutral = { kind: 'neutral' } as const;
  if (!isLinkIdShape(linkId)) return neutral;
  const link = await deps.store.getLink(hashLinkId(linkId));
  if (!link) return neutral;
  if (link.expiresAt * 1000 <= deps.clock.now().getTime()) return neutral;
  const project = await deps.store.getProject(link.projectId);
  // An archived project (its spec removed) decides nothing any more.
  if (!project || project.status === 'archived') return neutral;
  return { kind: 'link', link, project };
}

/** Loads and checks a gate's link; shared by the page (GET) and the decision (POST). Reads only. */
export async function loadApproval(deps: Deps, linkId: string): Promise<LoadedApproval> {
  const found = await loadLink(deps, linkId);
  // A change request's link is not a gate's (see decide-change-request.ts).
  if (found.kind === 'neutral' || found.link.target === 'change') return { kind: 'neutral' };
  return loadGateApproval(deps, found.link, found.project);
}

/** The gate round a found link is for, checked (round, approver, newest link). Reads only. */
export async function loadGateApproval(
  deps: Deps,
  link: ApprovalLink,
  project: Project,
): Promise<LoadedApproval> {
  const neutral = { kind: 'neutral' } as const;
  const [stage, gate] = await Promise.all([
    deps.store.get(link.projectId, 'stage', link.stage),
    deps.store.get(link.projectId, 'gate', link.stage),
  ]);
  if (!stage || !gate || gate.projectId !== link.projectId || gate.stage !== link.stage) return neutral;
  // A newer round (the PM resubmitted) supersedes every older link, decided or not.
  if (gate.round !== link.round) return neutral;
  const approver = gate.approvers.find((a) => sameEmail(a.email, link.approverEmail));
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
    ...(content.document ? { documentVersion: content.document.version } : {}),
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
  const found = await loadLink(deps, linkId);
  if (found.kind === 'neutral') return found;
  if (found.link.target === 'change') return viewChangeApproval(deps, found.link, found.project, options);
  const loaded = await loadGateApproval(deps, found.link, found.project);
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
