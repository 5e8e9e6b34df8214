/**
 * The email channel of the Notifier port: renders a notification for one recipient (subject,
 * HTML and text in the house layout) and hands it to an email transport (SES in AWS, the SES
 * local server locally, a recording fake in tests). Another channel is another adapter like this.
 */
import { type EmailMessage, renderEmail } from '../core/notifications/email/render.js';
import type { Notification, Recipient } from '../core/notifications/notification.js';
import type { Notifier } from '../core/ports.js';

/** Sends one rendered email; throws when it failed after the transport's own retries. */
export interface EmailTransport {
  send(message: EmailMessage): Promise<{ messageId: string }>;
}

/** Notifier that emails every notification through `transport`. */
export class EmailNotifier implements Notifier {
  constructor(private readonly transport: EmailTransport) {}

  async send(notification: Notification, recipient: Recipient): Promise<void> {
    await this.transport.send(renderEmail(notification, recipient));
  }
}
