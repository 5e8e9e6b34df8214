/**
 * What every kind of approval link's page and decision share: the options (self-approval, the
 * form's clock), who counts as the submitter, and the decision form with its CSRF check. Gate
 * links (view-approval.ts, decide-approval.ts) and change request links
 * (decide-change-request.ts) use the same code, so the two cannot drift apart.
 */
import * as z from 'zod/mini';
import './zod-english.js';
import { csrfNonce, verifyCsrfNonce } from './csrf.js';
import type { ApprovalLink } from './model.js';
import type { Clock } from './ports.js';

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

/** Two emails (or names) that are the same, ignoring case and surrounding spaces. */
export const sameEmail = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();

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
  return submitterNames(submittedBy).some((name) => sameEmail(name, email));
}

export const MAX_COMMENT_LENGTH = 2000;

/** The approval form. */
export const decisionFormSchema = z
  .object({
    decision: z.enum(['approve', 'reject'], { error: 'choose approve or reject' }),
    // Browsers send a textarea's line breaks as CR LF but count them as one character against
    // its maxlength: normalize before the limit, so a comment the page accepted is not refused.
    comment: z._default(
      z.pipe(
        z.pipe(
          z.string(),
          z.transform((c: string) => c.replace(/\r\n?/g, '\n').trim()),
        ),
        z.string().check(z.maxLength(MAX_COMMENT_LENGTH, `at most ${MAX_COMMENT_LENGTH} characters`)),
      ),
      '',
    ),
    csrf: z._default(z.string().check(z.maxLength(200)), ''),
  })
  .check(
    z.refine((f) => f.decision !== 'reject' || f.comment.length > 0, {
      path: ['comment'],
      message: 'a comment is required to reject',
    }),
  );

export type DecisionForm = z.infer<typeof decisionFormSchema>;

/**
 * The posted form, validated and its CSRF nonce checked against the link's secret: the form, or
 * the issues to show with a fresh nonce.
 */
export function checkDecisionForm(
  link: ApprovalLink,
  form: Record<string, string>,
  options: ApprovalOptions,
):
  | { ok: true; form: DecisionForm }
  | { ok: false; nonce: string; issues: { path: string; message: string }[] } {
  const formNow = formClock(options).now();
  const nonce = () => csrfNonce(link.csrfSecret, link.linkHash, formNow);
  const parsed = decisionFormSchema.safeParse(form);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    return { ok: false, nonce: nonce(), issues };
  }
  if (!verifyCsrfNonce(link.csrfSecret, link.linkHash, parsed.data.csrf, formNow)) {
    return {
      ok: false,
      nonce: nonce(),
      issues: [{ path: 'csrf', message: 'this form has expired; please review and submit it again' }],
    };
  }
  return { ok: true, form: parsed.data };
}
