/**
 * The email rendering of a notification: subject, HTML body and plain-text body. The HTML is the
 * house layout (email/layout.ts) with every value escaped; the text is the summary when the
 * content has one, else the same blocks in plain words. Every kind shares one look (headings and
 * tables included); the reports' stored documents hold the same HTML as their emails.
 */
import { html, raw, type SafeHtml } from '../../html.js';
import type {
  Block,
  Notification,
  NotificationContent,
  NotificationContext,
  NotificationKind,
  Recipient,
} from '../notification.js';
import {
  badge,
  bullets,
  button,
  dataTable,
  facts,
  factsText,
  finePrint,
  heading,
  layout,
  para,
  quote,
  textFrame,
} from './layout.js';

/** One email as the transport sends it. */
export interface EmailMessage {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** The notification kind, kept with the send record; never contains link ids or tokens. */
  tag?: string;
}

function blockHtml(block: Block): SafeHtml {
  switch (block.type) {
    case 'paragraph':
      // An empty paragraph says nothing (a report keeps its place for an optional line).
      if (block.text === '') return raw('');
      return block.fine ? finePrint(block.text) : para(block.text);
    case 'facts':
      return facts(block.rows);
    case 'list': {
      const lead = block.lead !== undefined ? para(block.lead) : '';
      if (block.items.length > 0) return html`${lead}${bullets(block.items)}`;
      return html`${lead}${block.empty !== undefined ? para(block.empty) : ''}`;
    }
    case 'quote':
      return quote(block.label, block.text);
    case 'action':
      return button(block.url.reveal(), block.label);
    case 'status':
      return badge(block.label, block.tone);
    case 'heading':
      return heading(block.text);
    case 'table':
      return block.rows.length === 0 && block.empty !== undefined
        ? para(block.empty)
        : dataTable(block.columns, block.rows);
  }
}

function blockText(block: Block): string {
  switch (block.type) {
    case 'paragraph':
      return block.text;
    case 'facts':
      return factsText(block.rows);
    case 'list': {
      const body = block.items.length > 0 ? block.items.map((i) => `- ${i}`).join('\n') : (block.empty ?? '');
      return block.lead !== undefined ? `${block.lead}\n${body}` : body;
    }
    case 'quote':
      return `${block.label}:\n${block.text}`;
    case 'action':
      return `${block.hint}:\n${block.url.reveal()}`;
    case 'status':
      return block.label;
    case 'heading':
      return block.text;
    case 'table':
      return block.rows.length > 0
        ? block.rows.map((r) => `- ${r.join(', ')}`).join('\n')
        : (block.empty ?? '');
  }
}

/**
 * The preview line mail clients show after the subject: the first paragraph (never the action,
 * which holds the personal link).
 */
function preheaderOf(content: NotificationContent): string {
  const first = content.blocks.find((b) => b.type === 'paragraph' && b.text !== '');
  const text = first?.type === 'paragraph' ? first.text : '';
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

/** The complete HTML document of a notification (also what a report document stores). */
export function emailHtml(
  _kind: NotificationKind,
  ctx: NotificationContext,
  content: NotificationContent,
): string {
  const body = content.blocks.map((b) => blockHtml(b).toString()).join('\n');
  return layout(ctx, content.title, raw(body), preheaderOf(content));
}

/** The plain-text body: the summary when there is one, else every block. */
export function emailText(ctx: NotificationContext, content: NotificationContent): string {
  const blocks = content.summary ?? content.blocks;
  return textFrame(
    ctx,
    content.title,
    blocks
      .map(blockText)
      .filter((t) => t !== '')
      .join('\n\n'),
  );
}

/** The email of `notification` for one recipient. */
export function renderEmail(notification: Notification, to: Recipient): EmailMessage {
  const { kind, context, content } = notification;
  return {
    to: [to.email],
    subject: content.subject,
    html: emailHtml(kind, context, content),
    text: emailText(context, content),
    tag: kind,
  };
}
