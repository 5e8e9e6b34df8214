/**
 * The chat channel of notifications (Teams and Slack incoming webhooks): which kinds go there and
 * what a post looks like. Only staff notices go to a chat channel: alerts, the digest, escalations
 * and stage notices. Approval requests, reminders and withdrawals (personal links), status reports
 * and close-out reports (the customer's documents) never do. An `action` block (a personal link)
 * is never rendered here, whatever the kind.
 */
import type { Block, Notification } from './notification.js';

/** The notification kinds a project's or the platform's chat channel receives. */
export const CHAT_KINDS: ReadonlySet<Notification['kind']> = new Set<Notification['kind']>([
  'health-changed',
  'deviation-opened',
  'portfolio-digest',
  'gate-escalation',
  'gate-waiting',
  'stage-rework',
  'stage-completed',
]);

/** Whether a notification of this kind goes to chat channels. */
export function goesToChat(notification: Notification): boolean {
  return CHAT_KINDS.has(notification.kind);
}

/** A block as plain lines (no markup); `mark` formats emphasis for the channel. */
function blockLines(block: Block, mark: (s: string) => string): string[] {
  switch (block.type) {
    case 'paragraph':
      return block.text ? [block.text] : [];
    case 'facts':
      return block.rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${mark(k)}: ${v}`);
    case 'list':
      return [
        ...(block.lead ? [block.lead] : []),
        ...(block.items.length ? block.items.map((i) => `- ${i}`) : block.empty ? [block.empty] : []),
      ];
    case 'quote':
      return [`${mark(block.label)}: ${block.text}`];
    case 'action':
      // A personal link never goes to a shared channel.
      return [];
    case 'status':
      return [mark(block.label)];
    case 'heading':
      return [mark(block.text)];
    case 'table':
      return block.rows.length
        ? block.rows.map((r) => `- ${r.filter((c) => c !== '').join(', ')}`)
        : block.empty
          ? [block.empty]
          : [];
  }
}

/** Slack's mrkdwn escapes only these three characters. */
function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Sections of at most this many characters (Slack refuses a section text over 3000). */
const SLACK_SECTION_MAX = 2900;

/** The JSON body of a Slack incoming-webhook post: `text` (the notification preview) and blocks. */
export function slackPayload(notification: Notification): Record<string, unknown> {
  const { content, context } = notification;
  const lines = content.blocks.flatMap((b) => blockLines(b, (s) => `*${s}*`)).map(slackEscape);
  const sections: string[] = [];
  let current = '';
  for (const line of lines) {
    const next = current ? `${current}\n${line}` : line;
    if (next.length > SLACK_SECTION_MAX && current) {
      sections.push(current);
      current = line.slice(0, SLACK_SECTION_MAX);
    } else current = next.slice(0, SLACK_SECTION_MAX);
  }
  if (current) sections.push(current);
  return {
    text: content.subject,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: content.title.slice(0, 150) } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: slackEscape(`${context.mspName} · ${context.projectName}`) }],
      },
      ...sections.slice(0, 45).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } })),
    ],
  };
}

/**
 * The JSON body of a Teams incoming-webhook post (Teams Workflows and the older connectors both
 * take it): a message with one Adaptive Card. In its TextBlocks the characters of emphasis, code
 * and links are escaped, so a project's data cannot become formatting or a disguised link.
 */
export function teamsPayload(notification: Notification): Record<string, unknown> {
  const { content, context } = notification;
  const plain = (s: string) => s.replace(/([\\`*_[\]~])/g, '\\$1');
  const text = (s: string, extra: Record<string, unknown> = {}) => ({
    type: 'TextBlock',
    text: plain(s),
    wrap: true,
    ...extra,
  });
  const body = [
    text(content.title, { size: 'Large', weight: 'Bolder' }),
    text(`${context.mspName} · ${context.projectName}`, { isSubtle: true, spacing: 'None' }),
    ...content.blocks.flatMap((b) => blockLines(b, (s) => s)).map((line) => text(line, { spacing: 'Small' })),
  ];
  return {
    type: 'message',
    summary: content.subject,
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
        },
      },
    ],
  };
}

/** A post for the given kind of channel. */
export function chatPayload(kind: 'teams' | 'slack', notification: Notification): Record<string, unknown> {
  return kind === 'teams' ? teamsPayload(notification) : slackPayload(notification);
}
