/**
 * The mail feedback Lambda: SES publishes the bounces and complaints of the configuration set's
 * emails to EventBridge, and a rule sends them here. It parses the SES event (zod) and records it
 * against the stakeholder or team member it concerns (record-mail-feedback). A malformed event is
 * rejected with a ValidationError: Lambda tries it twice more, then keeps it with the error in the
 * mail feedback failures queue (infra/constructs/failed-invocations.ts).
 */
import * as z from 'zod/mini';
import '../core/zod-english.js';
import { lambdaDeps } from '../composition/deps.js';
import { dynamoStore } from '../composition/store.js';
import { ValidationError } from '../core/errors.js';
import type { Deps } from '../core/ports.js';
import {
  type MailFeedback,
  type MailFeedbackResult,
  recordMailFeedback,
} from '../core/use-cases/record-mail-feedback.js';

const filled = () => z.string().check(z.minLength(1));
const recipient = z.object({ emailAddress: filled() });
const mail = z.object({ messageId: filled(), timestamp: z.optional(z.string()) });

/** The `detail` of an SES event on EventBridge (only what milepost reads). */
export const sesFeedbackEventSchema = z.object({
  detail: z.discriminatedUnion('eventType', [
    z.object({
      eventType: z.literal('Bounce'),
      mail,
      bounce: z.object({
        bounceType: z.string(),
        bounceSubType: z.optional(z.string()),
        bouncedRecipients: z.array(recipient).check(z.minLength(1)),
        timestamp: z.string(),
      }),
    }),
    z.object({
      eventType: z.literal('Complaint'),
      mail,
      complaint: z.object({
        complainedRecipients: z.array(recipient).check(z.minLength(1)),
        complaintFeedbackType: z.optional(z.string()),
        timestamp: z.string(),
      }),
    }),
  ]),
});

/** The use case's input from a parsed SES event. */
export function feedbackOf(event: z.infer<typeof sesFeedbackEventSchema>): MailFeedback {
  const d = event.detail;
  if (d.eventType === 'Bounce') {
    return {
      kind: 'bounce',
      recipients: d.bounce.bouncedRecipients.map((r) => r.emailAddress),
      at: d.bounce.timestamp,
      detail: [d.bounce.bounceType, d.bounce.bounceSubType].filter(Boolean).join(' / '),
      // SES suppresses an address after a permanent bounce; transient ones may still deliver.
      permanent: d.bounce.bounceType === 'Permanent',
      messageId: d.mail.messageId,
    };
  }
  return {
    kind: 'complaint',
    recipients: d.complaint.complainedRecipients.map((r) => r.emailAddress),
    at: d.complaint.timestamp,
    detail: d.complaint.complaintFeedbackType ?? 'complaint',
    permanent: false,
    messageId: d.mail.messageId,
  };
}

/** Parses `event` and records its feedback with `deps`. Throws ValidationError for a malformed event. */
export async function handleMailFeedback(deps: Deps, event: unknown): Promise<MailFeedbackResult> {
  const parsed = sesFeedbackEventSchema.safeParse(event);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    deps.log.error('mail feedback event rejected', { issues: issues.map((i) => i.path) });
    throw new ValidationError(issues);
  }
  return recordMailFeedback(deps, feedbackOf(parsed.data));
}

/** Bounces and complaints are recorded against the person: the store only. */
const functionDeps = lambdaDeps({ store: dynamoStore });

/** Lambda entry point. */
export const handler = (event: unknown): Promise<MailFeedbackResult> =>
  handleMailFeedback(functionDeps(), event);
