/**
 * The notifier of the platform: every notification to each of its recipients by email, and the
 * staff notices (notifications/chat.ts) once more to the Teams or Slack channel when one is
 * configured (the project's own, or the platform's).
 */
import { goesToChat } from '../core/notifications/chat.js';
import type { Notification, Recipient } from '../core/notifications/notification.js';
import type { Notifier } from '../core/ports.js';
import type { WebhookNotifier } from './webhook-notifier.js';

/** Email per recipient, plus a chat post per staff notification. */
export class ChannelsNotifier implements Notifier {
  constructor(
    private readonly email: Notifier,
    private readonly chat: WebhookNotifier,
  ) {}

  send(notification: Notification, recipient: Recipient): Promise<void> {
    return this.email.send(notification, recipient);
  }

  async announce(notification: Notification): Promise<boolean> {
    if (!goesToChat(notification) || !this.chat.hasChannel(notification)) return false;
    return this.chat.post(notification);
  }
}
