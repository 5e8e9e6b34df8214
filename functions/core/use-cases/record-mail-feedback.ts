/**
 * Record a bounce or a complaint that SES reported for an email milepost sent.
 * Input: the kind (`bounce` | `complaint`), the addresses it concerns, when SES reported it, SES's
 * detail (bounce type/subtype or complaint feedback type), whether the bounce is permanent, and
 * the SES message id. Output: the people it was recorded against (project id, email, role).
 * Steps: for every active project (read through the active-projects index, never a Scan) and
 * every address, find the stakeholder and the team member with that email; set their `delivery`
 * and append an `email_bounced` / `email_complained` event, in one version-checked commit per
 * person. A report of the same message already recorded on that person changes nothing (SES and
 * EventBridge deliver at least once). Addresses that are nobody's in an active project are only
 * counted: a person of a closed project receives no more emails.
 */

import { withConflictRetry } from '../events.js';
import type { MailDelivery, Stakeholder, TeamMember } from '../model.js';
import type { Deps } from '../ports.js';

export interface MailFeedback {
  kind: 'bounce' | 'complaint';
  /** Addresses SES names as bounced or complaining. */
  recipients: string[];
  /** When SES reported it (ISO time). */
  at: string;
  detail: string;
  permanent: boolean;
  messageId: string;
}

export interface MailFeedbackResult {
  recorded: { projectId: string; email: string; role: 'stakeholder' | 'member' }[];
  /** Addresses no active project knows. */
  unknown: string[];
}

const EVENT_TYPE = { bounce: 'email_bounced', complaint: 'email_complained' } as const;

export async function recordMailFeedback(deps: Deps, feedback: MailFeedback): Promise<MailFeedbackResult> {
  const emails = [...new Set(feedback.recipients.map((r) => r.trim().toLowerCase()).filter(Boolean))];
  const delivery: MailDelivery = {
    status: feedback.kind === 'bounce' ? 'bounced' : 'complained',
    at: feedback.at,
    detail: feedback.detail,
    permanent: feedback.permanent,
    messageId: feedback.messageId,
  };
  const result: MailFeedbackResult = { recorded: [], unknown: [] };
  const found = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await deps.store.listProjects({ activeOnly: true, ...(cursor ? { cursor } : {}) });
    for (const project of page.items) {
      for (const email of emails) {
        for (const entity of ['stakeholder', 'member'] as const) {
          const saved = await withConflictRetry(async () => {
            const person = await deps.store.get(project.id, entity, email);
            if (!person) return false;
            found.add(email);
            if (sameReport(person.delivery, delivery)) return false;
            const updated: Stakeholder | TeamMember = { ...person, delivery };
            await deps.store.commit(
              [updated],
              [
                {
                  projectId: project.id,
                  stage: project.currentStage,
                  type: EVENT_TYPE[feedback.kind],
                  actor: 'system',
                  at: deps.clock.now().toISOString(),
                  summary: summaryOf(feedback, person.name, email, entity),
                  data: { email, role: entity, detail: feedback.detail, permanent: feedback.permanent },
                },
              ],
            );
            return true;
          });
          if (saved) result.recorded.push({ projectId: project.id, email, role: entity });
        }
      }
    }
    cursor = page.cursor;
  } while (cursor);
  result.unknown = emails.filter((e) => !found.has(e));
  // Addresses are personal data: the log gets counts, the project's events get the details.
  deps.log.info('mail feedback recorded', {
    kind: feedback.kind,
    recorded: result.recorded.length,
    unknown: result.unknown.length,
  });
  return result;
}

function sameReport(previous: MailDelivery | undefined, next: MailDelivery): boolean {
  return previous?.messageId === next.messageId && previous.status === next.status;
}

function summaryOf(
  feedback: MailFeedback,
  name: string,
  email: string,
  role: 'stakeholder' | 'member',
): string {
  const who = `${role === 'stakeholder' ? 'stakeholder' : 'team member'} ${name} <${email}>`;
  if (feedback.kind === 'complaint') {
    return `Email to ${who} was reported as spam (${feedback.detail}); check with them before sending more`;
  }
  return feedback.permanent
    ? `Email to ${who} bounced permanently (${feedback.detail}); SES will not deliver to this address: correct it in the spec`
    : `Email to ${who} bounced (${feedback.detail}); SES may deliver later`;
}
