/**
 * Sends notifications through the notifier, one recipient at a time, then once to its chat
 * channels (Teams, Slack) when it has any. A delivery that fails (after
 * the channel's own retries) is logged and recorded as an `email_failed` event with the recipient
 * and subject only, and does not stop the others: nothing secret (link ids, tokens) reaches an
 * event or a log line.
 */
import { recordEvent } from '../events.js';
import type { Deps } from '../ports.js';
import type { Notification } from './notification.js';

/**
 * Sends each notification to each of its recipients; a failed delivery is recorded as an
 * `email_failed` event and never thrown. Returns how many deliveries succeeded and how many failed.
 */
export async function notify(
  deps: Deps,
  projectId: string,
  stage: string | undefined,
  notifications: Notification[],
): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  for (const notification of notifications) {
    const { kind, content } = notification;
    for (const recipient of notification.to) {
      try {
        await deps.notifier.send(notification, recipient);
        sent++;
      } catch (error) {
        failed++;
        deps.log.warn('email failed', {
          projectId,
          stage,
          tag: kind,
          error: error instanceof Error ? error.name : 'unknown',
        });
        await recordEvent(deps, {
          projectId,
          ...(stage ? { stage } : {}),
          type: 'email_failed',
          actor: 'system',
          summary: `Email to ${recipient.email} failed: ${content.subject}`,
          data: { to: [recipient.email], subject: content.subject, tag: kind },
        });
      }
    }
    await announce(deps, projectId, stage, notification);
  }
  return { sent, failed };
}

/**
 * Posts a notification once to the chat channels (Teams, Slack) when the notifier has them; a
 * failure is logged and recorded as a `webhook_failed` event (kind and subject only: never the URL).
 */
async function announce(
  deps: Deps,
  projectId: string,
  stage: string | undefined,
  notification: Notification,
): Promise<void> {
  if (!deps.notifier.announce) return;
  try {
    await deps.notifier.announce(notification);
  } catch (error) {
    deps.log.warn('webhook failed', {
      projectId,
      stage,
      tag: notification.kind,
      error: error instanceof Error ? error.message : 'unknown',
    });
    await recordEvent(deps, {
      projectId,
      ...(stage ? { stage } : {}),
      type: 'webhook_failed',
      actor: 'system',
      summary: `Chat post failed: ${notification.content.subject}`,
      data: { subject: notification.content.subject, tag: notification.kind },
    });
  }
}
