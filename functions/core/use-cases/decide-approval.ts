/**
 * Decide an approval link (POST /approve/{linkId}, form-urlencoded).
 *
 * Input: the link id from the URL, the form fields (`decision`, `comment`, `csrf`) and the
 * request's Origin / Sec-Fetch-Site headers. Output: the page to show.
 * Steps:
 * 1. refuse cross-site requests (Origin other than the public base URL, Sec-Fetch-Site other
 *    than same-origin/none);
 * 2. load the link like the GET page does (neutral / already decided / self-approval);
 * 3. validate the form (zod) and the CSRF nonce; a bad form shows the page again with the error;
 * 4. one `store.commit`: the link pending -> decided and the gate with this approver's decision
 *    (and its outcome by the gate rule), both version-checked, with `approval_decided` (and
 *    `gate_approved` / `gate_rejected`) events. On a conflict, re-read and retry (bounded,
 *    jittered): a concurrent click then sees the link decided;
 *    A decision that would pass the gate is accepted only if the stage's exit criteria hold
 *    now: otherwise the round is withdrawn (withdrawApprovals) and the page is the neutral one;
 * 5. only the request whose commit decided the gate calls the workflow: SendTaskSuccess, or
 *    SendTaskFailure(GateRejected, comment). A task that is gone (timed out meanwhile) is
 *    recorded as an event: the reopened gate delivers the stored decision.
 */
import * as z from 'zod';
import { evaluateCriteria } from '../criteria.js';
import { csrfNonce, isCrossSite, verifyCsrfNonce } from '../csrf.js';
import { closeWaitRound } from '../customer-wait.js';
import { ConflictError, TaskTokenGoneError } from '../errors.js';
import { gateOutcome } from '../gate-rules.js';
import type { ApprovalLink, Gate } from '../model.js';
import type { Deps, NewEvent } from '../ports.js';
import { jitteredBackoff, retry } from '../retry.js';
import { GATE_REJECTED, type GatePassed } from '../workflow-contract.js';
import {
  type ApprovalOptions,
  type ApprovalView,
  type DecidedView,
  formClock,
  isSelfApproval,
  loadApproval,
} from './view-approval.js';
import { withdrawApprovals } from './withdraw-approvals.js';

export const MAX_COMMENT_LENGTH = 2000;

/** The approval form. */
export const decisionFormSchema = z
  .object({
    decision: z.enum(['approve', 'reject'], { error: 'choose approve or reject' }),
    // Browsers send a textarea's line breaks as CR LF but count them as one character against
    // its maxlength: normalize before the limit, so a comment the page accepted is not refused.
    comment: z
      .string()
      .transform((c) => c.replace(/\r\n?/g, '\n').trim())
      .pipe(z.string().max(MAX_COMMENT_LENGTH, `at most ${MAX_COMMENT_LENGTH} characters`))
      .default(''),
    csrf: z.string().max(200).default(''),
  })
  .refine((f) => f.decision !== 'reject' || f.comment.length > 0, {
    path: ['comment'],
    message: 'a comment is required to reject',
  });

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
  | Exclude<DecideApprovalResult, { kind: 'recorded' | 'busy' | 'forbidden' }>
  | {
      kind: 'committed';
      link: ApprovalLink;
      change: DecisionChange;
      form: z.infer<typeof decisionFormSchema>;
      view: ApprovalView;
    }
> {
  const loaded = await loadApproval(deps, input.linkId);
  if (loaded.kind === 'neutral') return loaded;
  if (loaded.kind === 'decided') return { kind: 'decided', decided: loaded.decided };
  const { context } = loaded;
  const { link, gate, view } = context;
  if ((options.forbidSelfApproval ?? true) && isSelfApproval(context)) return { kind: 'self-approval', view };

  const now = deps.clock.now();
  const formNow = formClock(options).now();
  const freshNonce = () => csrfNonce(link.csrfSecret, link.linkHash, formNow);
  const parsed = decisionFormSchema.safeParse(input.form);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    return { kind: 'invalid', view, nonce: freshNonce(), issues };
  }
  const form = parsed.data;
  if (!verifyCsrfNonce(link.csrfSecret, link.linkHash, form.csrf, formNow)) {
    return {
      kind: 'invalid',
      view,
      nonce: freshNonce(),
      issues: [{ path: 'csrf', message: 'this form has expired; please review and submit it again' }],
    };
  }

  const change = decide(link, gate, form.decision, form.comment, now.toISOString());
  if (change.outcome === 'approved') {
    // The gate passes only if the stage is really done now, not when the requests went out.
    const criteria = await evaluateCriteria(deps.store, context.project, gate.stage, now);
    if (!criteria.met) {
      await withdrawApprovals(deps, context.project, gate, criteria.unmet, 'system');
      return { kind: 'neutral' };
    }
  }
  const events = decisionEvents(change, view, form.comment);
  try {
    await deps.store.commit([change.link, change.gate], events);
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
): DecisionChange {
  const email = link.approverEmail.toLowerCase();
  const approvers = gate.approvers.map((a) =>
    a.email.toLowerCase() === email ? { ...a, decision, ...(comment ? { comment } : {}), decidedAt: at } : a,
  );
  const outcome = gateOutcome(gate.rule, approvers);
  return {
    link: { ...link, status: 'decided', decision, ...(comment ? { comment } : {}), decidedAt: at },
    gate: {
      ...gate,
      approvers,
      ...(outcome !== 'pending'
        ? { status: outcome, decidedAt: at, customerWaitMs: closeWaitRound(gate, at) }
        : {}),
    },
    outcome,
    decision,
  };
}

function decisionEvents(change: DecisionChange, view: ApprovalView, comment: string): NewEvent[] {
  const { link, gate } = change;
  const base = { projectId: link.projectId, stage: link.stage, at: link.decidedAt };
  const verb = change.decision === 'approve' ? 'approved' : 'rejected';
  const events: NewEvent[] = [
    {
      ...base,
      type: 'approval_decided',
      actor: link.approverEmail,
      summary: `${view.approverName} ${verb} ${view.stageName} (round ${gate.round})`,
      data: { round: gate.round, decision: change.decision, ...(comment ? { comment } : {}) },
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
