/**
 * The approval request (and its reminder) sent to one approver: what is being approved, for
 * which project and stage, the due date, the gate rule in words, and the personal link. The link
 * appears exactly once in each body (the HTML button, the plain-text line) and nowhere else.
 */

import { html } from '../html.js';
import type { EmailMessage } from '../ports.js';
import type { GateRule } from '../spec/lifecycle.js';
import {
  button,
  type EmailContext,
  facts,
  factsText,
  formatDay,
  formatTime,
  layout,
  para,
  ruleInWords,
  subject,
  textFrame,
} from './layout.js';

export interface ApprovalRequestInput {
  ctx: EmailContext;
  to: string;
  approverName: string;
  stageName: string;
  /** What is being approved, e.g. `project plan document v3`. */
  approves: string;
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
}

/** Builds the approval request email for one approver. */
export function approvalRequestEmail(input: ApprovalRequestInput): EmailMessage {
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
  ];
  const expires = formatTime(new Date(input.expiresAt * 1000).toISOString(), ctx.timezone);
  const intro = `Hello ${input.approverName}, ${ctx.mspName} asks you to approve or reject ${input.approves} for ${ctx.projectName}.`;
  const note = `The link is personal to you: please do not forward it. It opens a page where you confirm your decision; opening it alone changes nothing. It works until ${expires}.`;
  const reminderNote = reminder
    ? 'You have not decided yet. Links in earlier emails about this request still work.'
    : undefined;

  const body = html`${para(intro)}${reminderNote ? para(reminderNote) : ''}${facts(rows)}${button(
    input.url,
    'Review and decide',
  )}${html`<p style="margin:0;font-size:13px;color:#52606d;">${note}</p>`}`;
  const text = [
    intro,
    reminderNote,
    factsText(rows),
    `Review and decide (approve or reject):\n${input.url}`,
    note,
  ]
    .filter(Boolean)
    .join('\n\n');

  return {
    to: [input.to],
    subject: subject(
      ctx,
      `${reminder ? 'Reminder: approval' : 'Approval'} needed: ${ctx.projectName} - ${input.stageName}`,
    ),
    html: layout(ctx, title, body),
    text: textFrame(ctx, title, text),
    tag: reminder ? 'approval-reminder' : 'approval-request',
  };
}
