/**
 * The shared frame of every milepost email: a short, phone-friendly HTML layout (one column,
 * inline styles, no images or scripts) and the matching plain-text frame. Every value is escaped
 * by the `html` tag; only the fragments built here with `html` are nested as markup.
 */
import { html, type SafeHtml } from '../html.js';
import type { GateRule } from '../spec/lifecycle.js';

/** Who sends and what it is about: the header line of every email. */
export interface EmailContext {
  mspName: string;
  projectName: string;
  customerName: string;
  /** The customer's IANA time zone, for times in the body. */
  timezone: string;
}

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/** A complete HTML document around `body`, with the MSP and project in the header. */
export function layout(ctx: EmailContext, title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
</head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:${FONT};color:#1f2933;">
<div style="max-width:560px;margin:0 auto;padding:16px;">
<p style="margin:0 0 8px;font-size:13px;color:#52606d;">${ctx.mspName} &middot; ${ctx.projectName} for ${ctx.customerName}</p>
<div style="background:#ffffff;border-radius:8px;padding:20px;font-size:16px;line-height:1.5;">
<h1 style="margin:0 0 12px;font-size:20px;line-height:1.3;">${title}</h1>
${body}
</div>
<p style="margin:12px 0 0;font-size:12px;color:#7b8794;">Sent by milepost for ${ctx.mspName}.</p>
</div>
</body>
</html>
`.toString();
}

/** A definition list of label/value rows (values escaped). */
export function facts(rows: [string, string | undefined][]): SafeHtml {
  const shown = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  return html`<table role="presentation" style="border-collapse:collapse;width:100%;margin:0 0 16px;font-size:15px;">${shown.map(
    ([label, value]) =>
      html`<tr><td style="padding:4px 12px 4px 0;color:#52606d;vertical-align:top;white-space:nowrap;">${label}</td><td style="padding:4px 0;vertical-align:top;">${value}</td></tr>`,
  )}</table>`;
}

/** The same rows as plain text lines. */
export function factsText(rows: [string, string | undefined][]): string {
  return rows
    .filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '')
    .map(([label, value]) => `${label}: ${value}`)
    .join('\n');
}

/** A paragraph. */
export function para(text: string): SafeHtml {
  return html`<p style="margin:0 0 12px;">${text}</p>`;
}

/** A bulleted list. */
export function bullets(items: string[]): SafeHtml {
  return html`<ul style="margin:0 0 12px;padding-left:20px;">${items.map((i) => html`<li>${i}</li>`)}</ul>`;
}

/** A large tap-friendly button link. `href` is escaped as an attribute value. */
export function button(href: string, label: string): SafeHtml {
  return html`<p style="margin:16px 0;"><a href="${href}" style="display:inline-block;background:#1f6feb;color:#ffffff;text-decoration:none;font-weight:600;padding:12px 20px;border-radius:6px;">${label}</a></p>`;
}

/** The plain-text frame around `body`. */
export function textFrame(ctx: EmailContext, title: string, body: string): string {
  return `${ctx.mspName} · ${ctx.projectName} for ${ctx.customerName}\n\n${title}\n\n${body.trim()}\n\n-- \nSent by milepost for ${ctx.mspName}.\n`;
}

/** A subject line: one line, no control characters, prefixed with the MSP name. */
export function subject(ctx: EmailContext, text: string): string {
  const oneLine = Array.from(`[${ctx.mspName}] ${text}`, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 || code === 0x7f ? ' ' : c;
  }).join('');
  return oneLine.replace(/ {2,}/g, ' ').slice(0, 250);
}

/** A gate rule in words, for `count` approvers. */
export function ruleInWords(rule: GateRule, count: number): string {
  if (rule === 'auto') return 'passes automatically when the exit criteria hold';
  if (rule === 'any') return count > 1 ? `one approval of the ${count} approvers is enough` : 'your approval';
  if (rule === 'all') {
    return count > 1 ? `all ${count} approvers must approve` : 'your approval is the only one needed';
  }
  return `${rule.quorum} of the ${count} approvers must approve`;
}

/** A calendar date (YYYY-MM-DD) in words, e.g. `Fri 4 Dec 2026`. */
export function formatDay(day: string | undefined): string | undefined {
  if (!day) return undefined;
  const d = new Date(`${day.slice(0, 10)}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return day;
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(d);
}

/** A point in time in the customer's time zone, e.g. `4 Dec 2026, 14:05 (Europe/London)`. */
export function formatTime(iso: string | undefined, timezone: string): string | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  let tz = timezone;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    tz = 'UTC';
  }
  const s = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: tz,
  }).format(d);
  return `${s} (${tz})`;
}
