/**
 * Decide an approval link (POST /approve/{linkId}, form-urlencoded).
 *
 * Input: the link id from the URL, the form fields (`decision`, `comment`, `csrf`) and the
 * request's Origin / Sec-Fetch-Site headers. Output: the page to show.
 * Steps:
 * 1. refuse cross-site requests (Origin other than the public base URL, Sec-Fetch-Site other
 *    than same-origin/none);
 * 2. load the link like the GET page does (neutral / already decided / self-approval), with
 *    the link and its project, stage and gate in one read when the form's hint matches the link;
 * 3. validate the form (zod) and the CSRF nonce; a bad form shows the page again with the error;
 *    an approval must tick every acceptance the stage asks for (each QA waiver, as it is now):
 *    otherwise the page again, naming what was not accepted, and nothing is recorded;
 * 4. one `store.commit`: the link pending -> decided and the gate with this approver's decision
 *    (and what they accepted, also in the event), and its outcome by the gate rule, both
 *    version-checked, with `approval_decided` (and
 *    `gate_approved` / `gate_rejected`) events. On a conflict, re-read and retry (bounded,
 *    jittered): a concurrent click then sees the link decided;
 *    A decision that would pass the gate is accepted only if the stage's exit criteria hold
 *    now (on the project's current records, read with one Query, see criteriaNow): otherwise
 *    the round is withdrawn (withdrawApprovals) and the page is the neutral one. No Query when
 *    the gate was not written since the step that found them holding (criteriaStillHold). A
 *    gate whose criteria read other projects (resourcing) reads the portfolio's allocations
 *    counter before them and the commit holds only while it is unchanged (allocation-order.ts);
 * 5. only the request whose commit decided the gate calls the workflow: SendTaskSuccess, or
 *    SendTaskFailure(GateRejected, comment). A task that is gone (timed out meanwhile) is
 *    recorded as an event: the reopened gate delivers the stored decision.
 * A link whose target is a change request takes step 4 in decide-change-request.ts (same link
 * checks, form and CSRF nonce, same retry; no workflow call). An approved change request that
 * marked the current stage's gate (its approval requests were out) is followed by
 * renewGateApprovals: the gate's approvers are asked again on the new baseline. A link of a
 * marked round (a change request, or a deployed spec edit that changed the document the round
 * approves: register-project.ts) decides nothing: it runs that renewal (if still undone) and
 * shows the neutral page.
 */

import { readAllocationsOrder } from '../allocation-order.js';
import {
  checkDecisionForm,
  type DecisionForm,
  decisionFormSchema,
  formClock,
  MAX_COMMENT_LENGTH,
} from '../approval-form.js';
import { type CriteriaResult, evaluateCriteria } from '../criteria.js';
import { csrfNonce, isCrossSite } from '../csrf.js';
import { closeWaitRound } from '../customer-wait.js';
import { ConflictError, TaskTokenGoneError } from '../errors.js';
import { carriedCriteriaMark } from '../gate-guard.js';
import { gateOutcome } from '../gate-rules.js';
import type { AcceptedItem, ApprovalLink, Gate } from '../model.js';
import type { CounterCheck, Deps, NewEvent, ProjectStore } from '../ports.js';
import { lazySnapshotStore, readAheadStore } from '../read-ahead.js';
import { jitteredBackoff, retry } from '../retry.js';
import { stageType } from '../stages/index.js';
import { GATE_REJECTED, type GatePassed } from '../workflow-contract.js';
import { attemptChangeDecision } from './decide-change-request.js';
import { awaitsRenewal, renewGateApprovals } from './renew-gate-approvals.js';
import {
  type ApprovalOptions,
  type ApprovalView,
  type DecidedView,
  hintOf,
  isSelfApproval,
  loadGateApproval,
  loadLink,
} from './view-approval.js';
import { withdrawApprovals } from './withdraw-approvals.js';

// The form is shared with change request links; kept importable from here.
export { decisionFormSchema, MAX_COMMENT_LENGTH };

/** The value of a ticked acceptance checkbox. */
export const ACCEPTED = 'yes';

/** The form field of one acceptance (a waiver): `accept:<key>`. */
export function acceptanceField(key: string): string {
  return `accept:${key}`;
}

export interface DecideApprovalInput {
  linkId: string;
  form: Record<string, string>;
  /** The request's Origin header, when sent. */
  origin?: string;
  /** The request's Sec-Fetch-Site header, when sent. */
  secFetchSite?: string;
}

export type DecideApprovalResult =
  | { kind: 'forbidden' }
  | { kind: 'neutral' }
  | { kind: 'decided'; decided: DecidedView }
  | { kind: 'self-approval'; view: ApprovalView }
  | { kind: 'invalid'; view: ApprovalView; nonce: string; issues: { path: string; message: string }[] }
  | { kind: 'recorded'; decision: 'approve' | 'reject'; view: ApprovalView }
  /** A change request whose old values no longer hold: nothing changed (HTTP 409). */
  | { kind: 'stale'; view: ApprovalView; fields: string[] }
  | { kind: 'busy' };

const MAX_ATTEMPTS = 8;

/** POST /approve/{linkId}: records the decision exactly once and tells the workflow when the gate is decided. */
export async function decideApproval(
  deps: Deps,
  input: DecideApprovalInput,
  options: ApprovalOptions = {},
): Promise<DecideApprovalResult> {
  if (isCrossSite(deps.config.publicBaseUrl, input.origin, input.secFetchSite)) return { kind: 'forbidden' };

  let attempted: Awaited<ReturnType<typeof attemptDecision>>;
  try {
    attempted = await retry(
      {
        attempts: MAX_ATTEMPTS,
        retryOn: (err) => err instanceof ConflictError,
        delayMs: jitteredBackoff(10, 40),
      },
      (attempt) => attemptDecision(deps, input, options, attempt),
    );
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    deps.log.warn('approval decision gave up after repeated conflicts', { attempts: MAX_ATTEMPTS });
    return { kind: 'busy' };
  }
  if (attempted.kind === 'rebaselined') {
    // A click on a round that a change request made stale: it finishes asking again (a crash
    // after the change request's commit left it undone), and the link is spent.
    await renewAfterChange(deps, attempted.projectId);
    return { kind: 'neutral' };
  }
  if (
    attempted.kind === 'recorded' &&
    attempted.view.target === 'change' &&
    attempted.decision === 'approve'
  ) {
    // The approved change may have made a waiting gate's round stale: ask it again now.
    await renewAfterChange(deps, attempted.view.projectId);
  }
  if (attempted.kind !== 'committed') return attempted;
  const { link, change, form, view } = attempted;
  deps.log.info('approval decided', {
    projectId: link.projectId,
    stage: link.stage,
    round: link.round,
    approver: link.approverEmail,
    decision: form.decision,
    outcome: change.outcome,
  });
  if (change.outcome !== 'pending') await notifyWorkflow(deps, change.gate, change.outcome, form.comment);
  return { kind: 'recorded', decision: form.decision, view };
}

/**
 * One read-decide-commit of a decision: a page to show, or the committed change. A commit that
 * lost a race with a concurrent click throws ConflictError (the caller reads again).
 */
async function attemptDecision(
  deps: Deps,
  input: DecideApprovalInput,
  options: ApprovalOptions,
  attempt: number,
): Promise<
  | Exclude<DecideApprovalResult, { kind: 'busy' | 'forbidden' }>
  | {
      kind: 'committed';
      link: ApprovalLink;
      change: DecisionChange;
      form: DecisionForm;
      view: ApprovalView;
    }
  | { kind: 'rebaselined'; projectId: string }
> {
  // The form says which project and stage it was for: the link and its records in one read.
  const found = await loadLink(deps, input.linkId, hintOf(input.form));
  if (found.kind === 'neutral') return found;
  if (found.link.target === 'change')
    return attemptChangeDecision(deps, found.link, found.project, input, options);
  if (
    awaitsRenewal(found.gate) &&
    found.gate.round === found.link.round &&
    found.gate.stage === found.link.stage
  ) {
    return { kind: 'rebaselined', projectId: found.link.projectId };
  }
  // What else the decision reads of the link's project (the approval content, the criteria of a
  // decision that passes the gate) comes from the records read with the link, then from one
  // Query of the project's current records, made when first needed.
  const reads = lazySnapshotStore(readAheadStore(deps.store, found.readAhead), found.link.projectId);
  const loaded = await loadGateApproval(deps, found, reads);
  if (loaded.kind === 'neutral') return loaded;
  if (loaded.kind === 'decided') return { kind: 'decided', decided: loaded.decided };
  const { context } = loaded;
  const { link, gate, view } = context;
  if ((options.forbidSelfApproval ?? true) && isSelfApproval(context)) return { kind: 'self-approval', view };

  const now = deps.clock.now();
  const checked = checkDecisionForm(link, input.form, options);
  if (!checked.ok) return { kind: 'invalid', view, nonce: checked.nonce, issues: checked.issues };
  const { form } = checked;

  // An approval accepts each waiver explicitly: every one ticked, as it is now (a tick of a
  // waiver whose reason changed since the page was shown does not count). A reject needs none.
  let accepted: AcceptedItem[] = [];
  if (form.decision === 'approve' && view.acceptances.length > 0) {
    const missing = view.acceptances.filter((a) => input.form[acceptanceField(a.key)] !== ACCEPTED);
    if (missing.length > 0) {
      return {
        kind: 'invalid',
        view,
        nonce: csrfNonce(link.csrfSecret, link.linkHash, formClock(options).now()),
        issues: [
          {
            path: 'accept',
            message: `To approve, accept each waiver by ticking it (not accepted: ${missing
              .map((a) => `"${a.label}"`)
              .join(', ')}). Nothing was recorded. Or reject with a comment.`,
          },
        ],
      };
    }
    accepted = view.acceptances.map((a) => ({ key: a.key, label: a.label, detail: a.detail }));
  }

  const change = decide(link, gate, form.decision, form.comment, now.toISOString(), accepted);
  let order: CounterCheck[] = [];
  if (change.outcome === 'approved' && !criteriaStillHold(gate)) {
    // Before the criteria read the other projects' members (a resourcing gate): an allocation
    // written after this read makes the commit below conflict and this decision read again.
    order = await readAllocationsOrder(deps.store, gate.stage);
    // The gate passes only if the stage is really done now, not when the requests went out.
    const criteria = await criteriaNow(reads, link.projectId, gate.stage, now);
    if (!criteria) return { kind: 'neutral' };
    if (!criteria.met) {
      await withdrawApprovals(deps, context.project, gate, criteria.unmet, 'system');
      return { kind: 'neutral' };
    }
  }
  const events = decisionEvents(change, view, form.comment, accepted);
  try {
    await deps.store.commit([change.link, change.gate], events, [], { checks: order });
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    deps.log.info('approval decision conflicted; re-reading', {
      projectId: link.projectId,
      stage: link.stage,
      attempt,
    });
    throw err;
  }
  return { kind: 'committed', link, change, form, view };
}

/**
 * True when the criteria found holding at `gate.criteriaHeldAt` still hold: the gate was not
 * written since (no write that could change them landed: gate-guard.ts), and the stage type's
 * criteria depend on this project only. The decision's commit is conditioned on this version,
 * so a write that lands before it makes it conflict, and the retry reads the criteria.
 */
function criteriaStillHold(gate: Gate): boolean {
  return gate.criteriaHeldAt === gate.version && stageType(gate.stage).criteriaDependOnlyOnProject;
}

/**
 * The exit criteria of the stage as they hold now, on the project and its current records as
 * `reads` (a lazySnapshotStore) has them: read in this request, by one Query (or none more, when
 * the approval content read them already). Undefined when the project is gone or archived.
 */
async function criteriaNow(
  reads: ProjectStore,
  projectId: string,
  stageKey: string,
  now: Date,
): Promise<CriteriaResult | undefined> {
  const project = await reads.getProject(projectId);
  // Archived meanwhile (its spec removed): it decides nothing any more, as loadLink says.
  if (!project || project.status === 'archived') return undefined;
  return evaluateCriteria(reads, project, stageKey, now);
}

interface DecisionChange {
  link: ApprovalLink;
  gate: Gate;
  outcome: 'approved' | 'rejected' | 'pending';
  decision: 'approve' | 'reject';
}

/** The link and gate after this approver's decision; the gate's status follows its rule. */
function decide(
  link: ApprovalLink,
  gate: Gate,
  decision: 'approve' | 'reject',
  comment: string,
  at: string,
  accepted: AcceptedItem[],
): DecisionChange {
  const email = link.approverEmail.toLowerCase();
  const approvers = gate.approvers.map((a) =>
    a.email.toLowerCase() === email
      ? {
          ...a,
          decision,
          ...(comment ? { comment } : {}),
          decidedAt: at,
          ...(accepted.length ? { accepted } : {}),
        }
      : a,
  );
  const outcome = gateOutcome(gate.rule, approvers);
  return {
    link: { ...link, status: 'decided', decision, ...(comment ? { comment } : {}), decidedAt: at },
    gate: {
      ...gate,
      approvers,
      // A decision changes no record the criteria read: a check that still held, holds after it.
      ...carriedCriteriaMark(gate),
      ...(outcome !== 'pending'
        ? { status: outcome, decidedAt: at, customerWaitMs: closeWaitRound(gate, at) }
        : {}),
    },
    outcome,
    decision,
  };
}

function decisionEvents(
  change: DecisionChange,
  view: ApprovalView,
  comment: string,
  accepted: AcceptedItem[],
): NewEvent[] {
  const { link, gate } = change;
  const base = { projectId: link.projectId, stage: link.stage, at: link.decidedAt };
  const verb = change.decision === 'approve' ? 'approved' : 'rejected';
  const events: NewEvent[] = [
    {
      ...base,
      type: 'approval_decided',
      actor: link.approverEmail,
      summary: `${view.approverName} ${verb} ${view.stageName} (round ${gate.round})${
        accepted.length ? `, accepting ${accepted.length} waiver(s)` : ''
      }`,
      data: {
        round: gate.round,
        decision: change.decision,
        ...(comment ? { comment } : {}),
        ...(accepted.length ? { accepted } : {}),
      },
    },
  ];
  if (change.outcome !== 'pending') {
    events.push({
      ...base,
      type: change.outcome === 'approved' ? 'gate_approved' : 'gate_rejected',
      actor: link.approverEmail,
      summary: `Gate of ${view.stageName} ${change.outcome} (round ${gate.round})`,
      data: { round: gate.round },
    });
  }
  return events;
}

/**
 * Asks a gate's approvers again after a change request re-baselined the project. The change
 * request's decision is committed and the gate is marked: a failure here (the document could not
 * be rendered) is logged and left to the next run (progressGate, the reminder step, a click).
 */
async function renewAfterChange(deps: Deps, projectId: string): Promise<void> {
  try {
    await renewGateApprovals(deps, projectId, 'system');
  } catch (err) {
    deps.log.error('could not ask the gate again after a change request; the next gate check does', {
      projectId,
      error: err instanceof Error ? err.name : 'unknown',
    });
  }
}

/** Resolves the waiting gate task. A gone task is recorded, never shown to the approver as an error. */
async function notifyWorkflow(
  deps: Deps,
  gate: Gate,
  outcome: 'approved' | 'rejected',
  comment: string,
): Promise<void> {
  const where = { projectId: gate.projectId, stage: gate.stage, round: gate.round, outcome };
  const record = async (type: string, summary: string) => {
    try {
      await deps.store.commit(
        [],
        [
          {
            projectId: gate.projectId,
            stage: gate.stage,
            type,
            actor: 'system',
            summary,
            data: { round: gate.round, outcome },
          },
        ],
      );
    } catch (err) {
      // The error's name only: a store error message may quote keys (link hashes) or values.
      deps.log.error('could not record workflow callback event', {
        ...where,
        type,
        error: err instanceof Error ? err.name : 'unknown',
      });
    }
  };
  if (!gate.taskToken) {
    deps.log.warn('gate decided without a waiting task; the next gate opening delivers it', where);
    await record(
      'gate_callback_deferred',
      'No gate task was waiting; the decision is delivered when the gate reopens',
    );
    return;
  }
  try {
    if (outcome === 'approved') {
      const output: GatePassed = { stage: gate.stage, round: gate.round, decision: 'approved' };
      await deps.workflow.sendTaskSuccess(gate.taskToken, output);
    } else {
      await deps.workflow.sendTaskFailure(gate.taskToken, GATE_REJECTED, comment || 'Rejected');
    }
  } catch (err) {
    if (err instanceof TaskTokenGoneError) {
      deps.log.info('gate task no longer waiting; the reopened gate delivers the decision', where);
      await record(
        'gate_callback_deferred',
        'The gate task had timed out; the decision is delivered when the gate reopens',
      );
      return;
    }
    deps.log.error('could not notify the workflow of the gate decision', {
      ...where,
      error: err instanceof Error ? err.name : 'unknown',
    });
    await record(
      'gate_callback_failed',
      'The workflow could not be told of the decision; it is delivered when the gate reopens',
    );
  }
}
