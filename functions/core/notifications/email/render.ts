/**
 * The email rendering of a notification: subject, HTML body and plain-text body. The HTML is the
 * house layout (email/layout.ts) with every value escaped; the text is the summary when the
 * content has one, else the same blocks in plain words. The two reports keep their own heading
 * and table look, and the same HTML is what their stored documents hold.
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
  facts,
  factsText,
  finePrint,
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

/** How headings and tables look, and how blocks are laid out in the HTML source. */
interface Look {
  open: string;
  separator: string;
  heading(text: string): SafeHtml;
  table(columns: string[], rows: string[][]): SafeHtml;
}

const CELL = 'padding:4px 8px 4px 0;vertical-align:top;border-bottom:1px solid #e4e7eb;';

const REPORT: Look = {
  open: '\n',
  separator: '\n',
  heading: (text) => html`<h2 style="margin:20px 0 8px;font-size:17px;">${text}</h2>`,
  table: (columns, rows) =>
    html`<table role="presentation" style="border-collapse:collapse;width:100%;margin:0 0 12px;font-size:14px;"><tr>${columns.map(
      (h) => html`<th style="${CELL}text-align:left;color:#52606d;font-weight:600;">${h}</th>`,
    )}</tr>${rows.map((r) => html`<tr>${r.map((c) => html`<td style="${CELL}">${c}</td>`)}</tr>`)}</table>`,
};

const TABLE = 'border-collapse:collapse;width:100%;margin:0 0 16px;font-size:14px;';
const TH = 'text-align:left;border-bottom:2px solid #cbd2d9;padding:6px 8px 6px 0;';
const TD = 'border-bottom:1px solid #e4e7eb;padding:6px 8px 6px 0;vertical-align:top;';

const CLOSEOUT: Look = {
  open: '',
  separator: '\n',
  heading: (text) => html`<h2 style="font-size:17px;margin:16px 0 8px;">${text}</h2>`,
  table: (columns, rows) =>
    html`<div style="overflow-x:auto;"><table style="${TABLE}"><thead><tr>${columns.map(
      (h) => html`<th style="${TH}">${h}</th>`,
    )}</tr></thead><tbody>${rows.map(
      (r) => html`<tr>${r.map((c) => html`<td style="${TD}">${c}</td>`)}</tr>`,
    )}</tbody></table></div>`,
};

/** Notices are short: blocks follow each other directly. */
const NOTICE: Look = { ...REPORT, open: '', separator: '' };

const LOOKS: Partial<Record<NotificationKind, Look>> = { 'status-report': REPORT, closeout: CLOSEOUT };

function blockHtml(block: Block, look: Look): SafeHtml {
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
      return look.heading(block.text);
    case 'table':
      return block.rows.length === 0 && block.empty !== undefined
        ? para(block.empty)
        : look.table(block.columns, block.rows);
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

/** The complete HTML document of a notification (also what a report document stores). */
export function emailHtml(
  kind: NotificationKind,
  ctx: NotificationContext,
  content: NotificationContent,
): string {
  const look = LOOKS[kind] ?? NOTICE;
  const body = content.blocks.map((b) => blockHtml(b, look).toString()).join(look.separator);
  return layout(ctx, content.title, raw(look.open + body));
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
