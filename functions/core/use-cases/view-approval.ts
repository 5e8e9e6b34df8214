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
 * Requests: the link (GetItem), then its project, stage and gate together (one BatchGetItem). The
 * form posts back which project and stage it was for (`ApprovalHint`), so the decision reads the
 * link and those three, with the document the stage's gate approves (charter, plan, close-out),
 * in one BatchGetItem; the link decides, a hint that does not match it only costs the second read.
 */

import { type ApprovalOptions, formClock, isSubmitter, sameEmail } from '../approval-form.js';
import { hashLinkId, isLinkIdShape } from '../approval-links.js';
import { csrfNonce } from '../csrf.js';
import { describeRule } from '../gate-rules.js';
import type {
  ApprovalLink,
  ApproverState,
  Entity,
  EntityName,
  EntityOf,
  Gate,
  Project,
  Stage,
} from '../model.js';
import type { Deps, EntityRef, ProjectStore } from '../ports.js';
import { type ReadAhead, readAheadStore } from '../read-ahead.js';
import { type Acceptance, type ApprovalContent, type ContentSection, stageType } from '../stages/index.js';
import { viewChangeApproval } from './decide-change-request.js';

// Shared with the change request's page and the decision: kept importable from here.
export { type ApprovalOptions, formClock, isSubmitter };

/** What the confirmation page shows about the gate (no link id, no token). */
export interface ApprovalView {
  /** The project's id: the form posts it back as a read hint (`ApprovalHint`). */
  projectId: string;
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
  /** What an approval accepts explicitly (the QA waivers): each must be ticked to approve. */
  acceptances: Acceptance[];
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
export type LoadedLink =
  | { kind: 'neutral' }
  | {
      kind: 'link';
      link: ApprovalLink;
      project: Project;
      stage?: Stage;
      gate?: Gate;
      /** Records of the link's project read together with it (the document its gate approves). */
      readAhead: ReadAhead[];
    };

/**
 * Which project and stage a link is believed to be for (the form's hidden fields): lets the
 * decision read the link and its records in one request. Never trusted: the link decides.
 */
export interface ApprovalHint {
  projectId: string;
  stage: string;
}

/** Project ids and stage keys as specs allow them (anything else is not used as a key). */
const HINT_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** The hint of a posted form, when it has a well-formed one. */
export function hintOf(form: Record<string, string>): ApprovalHint | undefined {
  const projectId = form['project'];
  const stage = form['stage'];
  if (!projectId || !stage || !HINT_PATTERN.test(projectId) || !HINT_PATTERN.test(stage)) return undefined;
  return { projectId, stage };
}

/** `record` when it is an `entity` (a slot of a batch read may be empty). */
function ofEntity<E extends EntityName>(record: Entity | undefined, entity: E): EntityOf<E> | undefined {
  return record?.entity === entity ? (record as EntityOf<E>) : undefined;
}

/**
 * The project, stage and gate records of a link, and the document its stage's gate approves (the
 * approval content shows its version), in one BatchGetItem; with `linkHash`, the link too.
 */
async function linkRecords(deps: Deps, at: ApprovalHint, linkHash?: string) {
  const documentId = stageType(at.stage).approvalDocument?.id;
  const refs: EntityRef[] = [
    ...(linkHash ? [{ entity: 'link', linkHash } as const] : []),
    { entity: 'project', id: at.projectId },
    { entity: 'stage', projectId: at.projectId, id: at.stage },
    { entity: 'gate', projectId: at.projectId, id: at.stage },
    ...(documentId ? [{ entity: 'document', projectId: at.projectId, id: documentId } as const] : []),
  ];
  const read = await deps.store.getRecords(refs);
  const [link, project, stage, gate, document] = linkHash ? read : [undefined, ...read];
  const readAhead: ReadAhead[] = documentId
    ? [
        {
          entity: 'document',
          projectId: at.projectId,
          id: documentId,
          record: ofEntity(document, 'document'),
        },
      ]
    : [];
  return {
    records: [ofEntity(project, 'project'), ofEntity(stage, 'stage'), ofEntity(gate, 'gate')] as const,
    readAhead,
    link: ofEntity(link, 'link'),
  };
}

/**
 * The link and the records it names: one request with a matching hint, two otherwise (the link,
 * then its records and the document its stage's gate approves).
 */
async function readLink(
  deps: Deps,
  linkHash: string,
  hint: ApprovalHint | undefined,
): Promise<{ link: ApprovalLink; records: LinkRecords; readAhead: ReadAhead[] } | undefined> {
  if (hint) {
    const read = await linkRecords(deps, hint, linkHash);
    if (!read.link) return undefined;
    if (read.link.projectId === hint.projectId && read.link.stage === hint.stage) {
      return { link: read.link, records: read.records, readAhead: read.readAhead };
    }
    const { records, readAhead } = await linkRecords(deps, read.link);
    return { link: read.link, records, readAhead };
  }
  const link = await deps.store.getLink(linkHash);
  if (!link) return undefined;
  const { records, readAhead } = await linkRecords(deps, link);
  return { link, records, readAhead };
}

type LinkRecords = Awaited<ReturnType<typeof linkRecords>>['records'];

/**
 * Finds a link by its id and checks what every kind of link needs: its shape, that it exists and
 * has not expired, and that its project is not archived. Reads the link with its project, stage
 * and gate (a gate link needs them; a change request's link ignores the last two). Reads only.
 */
export async function loadLink(deps: Deps, linkId: string, hint?: ApprovalHint): Promise<LoadedLink> {
  const neutral = { kind: 'neutral' } as const;
  if (!isLinkIdShape(linkId)) return neutral;
  const read = await readLink(deps, hashLinkId(linkId), hint);
  if (!read) return neutral;
  const { link } = read;
  if (link.expiresAt * 1000 <= deps.clock.now().getTime()) return neutral;
  const [project, stage, gate] = read.records;
  // An archived project (its spec removed) decides nothing any more.
  if (!project || project.status === 'archived') return neutral;
  return {
    kind: 'link',
    link,
    project,
    ...(stage ? { stage } : {}),
    ...(gate ? { gate } : {}),
    readAhead: read.readAhead,
  };
}

/** Loads and checks a gate's link; shared by the page (GET) and the decision (POST). Reads only. */
export async function loadApproval(deps: Deps, linkId: string, hint?: ApprovalHint): Promise<LoadedApproval> {
  const found = await loadLink(deps, linkId, hint);
  // A change request's link is not a gate's (see decide-change-request.ts).
  if (found.kind === 'neutral' || found.link.target === 'change') return { kind: 'neutral' };
  return loadGateApproval(deps, found);
}

/**
 * The gate round a found link is for, checked (round, approver, newest link). Reads only: the
 * approval content through `store` (by default the store with the records read with the link).
 */
export async function loadGateApproval(
  deps: Deps,
  found: Extract<LoadedLink, { kind: 'link' }>,
  store: ProjectStore = readAheadStore(deps.store, found.readAhead),
): Promise<LoadedApproval> {
  const neutral = { kind: 'neutral' } as const;
  const { link, project, stage, gate } = found;
  if (!stage || !gate || gate.projectId !== link.projectId || gate.stage !== link.stage) return neutral;
  // A newer round (the PM resubmitted) supersedes every older link, decided or not.
  if (gate.round !== link.round) return neutral;
  // A change request re-baselined the project, or a deployed spec edit changed the document,
  // while this round was out: it is asked again on the new one, and no link of it decides
  // meanwhile (renew-gate-approvals.ts).
  if (gate.rebaselined) return neutral;
  const approver = gate.approvers.find((a) => sameEmail(a.email, link.approverEmail));
  if (!approver) return neutral;
  // Another link was issued to this approver in this round: only the newest one works.
  if (approver.linkHash && approver.linkHash !== link.linkHash) return neutral;

  const resolved = project.stages.find((s) => s.key === link.stage);
  const content: ApprovalContent = resolved
    ? await stageType(resolved.key).approvalContent({
        store,
        project,
        stage: resolved,
        gate,
      })
    : { approves: `completion of ${stage.name}` };
  const view: ApprovalView = {
    projectId: project.id,
    mspName: project.mspName || deps.config.mspName,
    projectName: project.name,
    customerName: project.customerName,
    timezone: project.timezone,
    stageKey: stage.key,
    stageName: stage.name,
    approves: content.approves,
    ...(content.document ? { documentVersion: content.document.version, document: content.document } : {}),
    sections: content.sections ?? [],
    acceptances: content.acceptances ?? [],
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
  const loaded = await loadGateApproval(deps, found);
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
