/**
 * The outbox port: the emails sent, as the console's outbox page and `GET /api/outbox` show them.
 * Only the local runtime has one (its SES server keeps every email); in AWS the port is absent and
 * so are those routes.
 */

/** One email as sent. */
export interface OutboxEmail {
  messageId: string;
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
