/**
 * The outbox port: the emails sent and the chat posts made, as the console's outbox page and
 * `GET /api/outbox` show them. Only the local runtime has one (its SES server keeps every email,
 * its capture server every Teams or Slack post); in AWS the port is absent and so are those routes.
 */

/** One email as sent, or one post to a chat channel (`channel` teams or slack). */
export interface OutboxEmail {
  messageId: string;
  /** Where it went: an email, or a Teams or Slack channel (its incoming webhook). */
  channel: 'email' | 'teams' | 'slack';
  /** For a chat post: the notification kind and the post as sent. */
  kind?: string;
  payload?: unknown;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

/** Where the sent emails can be read back, oldest first. */
export interface Outbox {
  list(): Promise<OutboxEmail[]>;
}
