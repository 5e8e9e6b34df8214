/**
 * What a use case says when something happened: a notification has a kind, its recipients, the
 * project it is about and a content model of plain data (title, blocks of paragraphs, facts,
 * lists, tables, actions). It holds no markup and names no channel: a notifier per channel (email
 * first) decides how it looks. Secrets (the personal approval link) are wrapped in `Secret`, so a
 * log line or an event that serialises a notification never shows them.
 */

/** What happened; the email channel keeps it as the message tag. */
export type NotificationKind =
  | 'approval-request'
  | 'approval-reminder'
  | 'approval-withdrawn'
  | 'change-request'
  | 'gate-escalation'
  | 'gate-waiting'
  | 'stage-entered'
  | 'stage-completed'
  | 'stage-rework'
  | 'status-report'
  | 'closeout'
  | 'budget-threshold'
  /** Staff alerts (notifications/alerts.ts): the RAG changed, a deviation opened; the daily digest. */
  | 'health-changed'
  | 'deviation-opened'
  | 'portfolio-digest';

/** One person who receives a notification (each recipient gets their own copy). */
export interface Recipient {
  email: string;
  name?: string;
}

/** Who sends and what it is about: the header of every notification. */
export interface NotificationContext {
  mspName: string;
  projectName: string;
  customerName: string;
  /** The customer's IANA time zone, for times in the body. */
  timezone: string;
  /** The project's own chat channel (spec `notifications.webhook`), for staff alerts; its URL is secret. */
  webhook?: WebhookTarget;
}

/** A Teams or Slack incoming webhook: where a chat channel's posts go. */
export interface WebhookTarget {
  kind: 'teams' | 'slack';
  /** The incoming-webhook URL: whoever has it can post to the channel. */
  url?: Secret;
  /** Or the Secrets Manager secret whose value is that URL (read by the notifier). */
  secretName?: string;
}

/**
 * A value that must reach the recipient and nothing else (a URL with a link id). It serialises,
 * prints and inspects as `[secret]`; only a channel that delivers it calls `reveal()`.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The value itself, for the channel that delivers it. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[secret]';
  }
}

/** A label and its value; rows without a value are left out by every channel. */
export type Fact = [label: string, value: string | undefined];

/** How a status block reads at a glance. */
export type Tone = 'good' | 'warning' | 'bad';

/** One piece of a notification's body, in reading order. */
export type Block =
  /** A paragraph (empty: nothing is shown); `fine` is small print (how a link works, when it expires). */
  | { type: 'paragraph'; text: string; fine?: boolean }
  /** Label/value rows. */
  | { type: 'facts'; rows: Fact[] }
  /** Items, optionally after a lead-in line; `empty` is said when there are no items. */
  | { type: 'list'; lead?: string; items: string[]; empty?: string }
  /** Someone's words quoted under a label (a rejection comment). */
  | { type: 'quote'; label: string; text: string }
  /** The one thing to do: a button in rich channels; `hint` introduces the bare link in plain text. */
  | { type: 'action'; label: string; hint: string; url: Secret }
  /** A status badge (the RAG of a report). */
  | { type: 'status'; label: string; tone: Tone }
  /** A section heading. */
  | { type: 'heading'; text: string }
  /** A table; `empty` is said instead when there are no rows (without it the header stays). */
  | { type: 'table'; columns: string[]; rows: string[][]; empty?: string };

/** The channel-neutral content of a notification. */
export interface NotificationContent {
  /** One line naming the MSP and what happened (an email's subject, a chat message's preview). */
  subject: string;
  /** The heading of the body. */
  title: string;
  /** The full body. */
  blocks: Block[];
  /**
   * A shorter body for plain-text renderings, when the full one is a report with tables (the
   * status report, the close-out). Channels that render `blocks` richly ignore it.
   */
  summary?: Block[];
}

/** Something that happened, for whom, and what to tell them. */
export interface Notification {
  kind: NotificationKind;
  /** Each recipient gets their own copy. */
  to: Recipient[];
  context: NotificationContext;
  content: NotificationContent;
}
