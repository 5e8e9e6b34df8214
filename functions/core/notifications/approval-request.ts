/**
 * The approval request (and its reminder) sent to one approver: what is being approved, for
 * which project and stage, the due date, the gate rule in words, and the personal link. The link
 * is the one action of the notification, marked secret: a channel shows it once (the email's
 * button and its plain-text line) and nothing else ever sees it.
 */

import type { GateRule } from '../spec/lifecycle.js';
import type { ContentSection } from '../stages/index.js';
import { formatDay, formatTime, ruleInWords, subject } from './format.js';
import { type Block, type Notification, type NotificationContext, Secret } from './notification.js';

export interface ApprovalRequestInput {
  ctx: NotificationContext;
  to: string;
  approverName: string;
  stageName: string;
  /** What is being approved, e.g. `project plan document v3`. */
  approves: string;
  /** The document under approval (charter, plan, close-out): its version, SHA-256 and download link. */
  document?: ApprovalDocumentLink;
  /** What the approver decides on (the charter, the test results...): shown after the facts. */
  sections?: ContentSection[];
  /** The stage's due date (YYYY-MM-DD). */
  due?: string;
  rule: GateRule;
  approverCount: number;
  /** The approver's personal approval page URL (contains the link id). */
  url: string;
  /** When the link expires (epoch seconds). */
  expiresAt: number;
  /** Set for a reminder: how many reminders were sent before this one, plus one. */
  reminder?: number;
  /** For a reminder: since when the request has waited for a decision (ISO). */
  waitingSince?: string;
}

/** The document an approval request links: downloaded with the approver's own link (so it is secret too). */
export interface ApprovalDocumentLink {
  name: string;
  version: number;
  sha256?: string;
  /** The approver's approval page URL with `?document=<id>`. */
  url: string;
}

/** The approval URL that downloads the gate's document with the same link credential. */
export function documentUrl(approvalPageUrl: string, documentId: string): string {
  return `${approvalPageUrl}?document=${encodeURIComponent(documentId)}`;
}

/** The `document` of an approval request or reminder: the gate's document, if any, behind the approver's link. */
export function documentLinkOf(
  approvalPageUrl: string,
  document: { id: string; name: string; version: number; sha256?: string } | undefined,
): { document?: ApprovalDocumentLink } {
  if (!document) return {};
  return {
    document: {
      name: document.name,
      version: document.version,
      ...(document.sha256 ? { sha256: document.sha256 } : {}),
      url: documentUrl(approvalPageUrl, document.id),
    },
  };
}

/** The approval request (or reminder) for one approver. */
export function approvalRequest(input: ApprovalRequestInput): Notification {
  const { ctx } = input;
  const reminder = input.reminder !== undefined;
  const title = reminder
    ? `Reminder: your approval is needed for ${input.stageName}`
    : `Your approval is needed for ${input.stageName}`;
  const rows: [string, string | undefined][] = [
    ['Project', ctx.projectName],
    ['Customer', ctx.customerName],
    ['Stage', input.stageName],
    ['To approve', input.approves],
    ['Due', formatDay(input.due)],
    ['Rule', ruleInWords(input.rule, input.approverCount)],
    ...(input.document
      ? ([
          ['Document', `${input.document.name}, version ${input.document.version} (PDF)`],
          ['SHA-256', input.document.sha256],
        ] as [string, string | undefined][])
      : []),
  ];
  const expires = formatTime(new Date(input.expiresAt * 1000).toISOString(), ctx.timezone);
  const intro = `Hello ${input.approverName}, ${ctx.mspName} asks you to approve or reject ${input.approves} for ${ctx.projectName}.`;
  const note = `The link is personal to you: please do not forward it. It opens a page where you confirm your decision; opening it alone changes nothing. It works until ${expires}.`;
  const reminderNote = reminder
    ? `You have not decided yet${input.waitingSince ? `: the request has waited for your decision since ${formatTime(input.waitingSince, ctx.timezone)}` : ''}. Links in earlier emails about this request still work.`
    : undefined;

  const blocks: Block[] = [
    { type: 'paragraph', text: intro },
    ...(reminderNote ? [{ type: 'paragraph' as const, text: reminderNote }] : []),
    { type: 'facts', rows },
    ...sectionBlocks(input.sections ?? []),
    {
      type: 'action',
      label: 'Review and decide',
      hint: 'Review and decide (approve or reject)',
      url: new Secret(input.url),
    },
    // The decision first (the one thing to do); the document the decision is about after it.
    ...(input.document
      ? [
          {
            type: 'action' as const,
            label: `Download the ${input.document.name} (PDF)`,
            hint: `Download the ${input.document.name} (PDF, version ${input.document.version})`,
            url: new Secret(input.document.url),
          },
        ]
      : []),
    { type: 'paragraph', text: note, fine: true },
  ];
  return {
    kind: reminder ? 'approval-reminder' : 'approval-request',
    to: [{ email: input.to, name: input.approverName }],
    context: ctx,
    content: {
      subject: subject(
        ctx,
        `${reminder ? 'Reminder: approval' : 'Approval'} needed: ${ctx.projectName} - ${input.stageName}`,
      ),
      title,
      blocks,
    },
  };
}

/** Each section as a heading and a list: `label: detail; detail` per item. */
function sectionBlocks(sections: ContentSection[]): Block[] {
  return sections.flatMap((s): Block[] => [
    { type: 'heading', text: s.title },
    {
      type: 'list',
      items: s.items.map((i) => (i.detail?.length ? `${i.label}: ${i.detail.join('; ')}` : i.label)),
      ...(s.empty ? { empty: s.empty } : {}),
    },
  ]);
}
