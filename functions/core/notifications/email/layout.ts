/**
 * The shared frame of every milepost email: a short, phone-friendly HTML layout (one column,
 * inline styles, no images or scripts) and the matching plain-text frame. Every value is escaped
 * by the `html` tag; only the fragments built here with `html` are nested as markup.
 */
import { html, type SafeHtml } from '../../html.js';
import type { Fact, NotificationContext, Tone } from '../notification.js';

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/** A complete HTML document around `body`, with the MSP and project in the header. */
export function layout(ctx: NotificationContext, title: string, body: SafeHtml): string {
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

function shown(rows: Fact[]): [string, string][] {
  return rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
}

/** A definition list of label/value rows (values escaped). */
export function facts(rows: Fact[]): SafeHtml {
  return html`<table role="presentation" style="border-collapse:collapse;width:100%;margin:0 0 16px;font-size:15px;">${shown(
    rows,
  ).map(
    ([label, value]) =>
      html`<tr><td style="padding:4px 12px 4px 0;color:#52606d;vertical-align:top;white-space:nowrap;">${label}</td><td style="padding:4px 0;vertical-align:top;">${value}</td></tr>`,
  )}</table>`;
}

/** The same rows as plain text lines. */
export function factsText(rows: Fact[]): string {
  return shown(rows)
    .map(([label, value]) => `${label}: ${value}`)
    .join('\n');
}

/** A paragraph. */
export function para(text: string): SafeHtml {
  return html`<p style="margin:0 0 12px;">${text}</p>`;
}

/** Small print under the main content. */
export function finePrint(text: string): SafeHtml {
  return html`<p style="margin:0;font-size:13px;color:#52606d;">${text}</p>`;
}

/** A bulleted list. */
export function bullets(items: string[]): SafeHtml {
  return html`<ul style="margin:0 0 12px;padding-left:20px;">${items.map((i) => html`<li>${i}</li>`)}</ul>`;
}

/** A large tap-friendly button link. `href` is escaped as an attribute value. */
export function button(href: string, label: string): SafeHtml {
  return html`<p style="margin:16px 0;"><a href="${href}" style="display:inline-block;background:#1f6feb;color:#ffffff;text-decoration:none;font-weight:600;padding:12px 20px;border-radius:6px;">${label}</a></p>`;
}

/** A labelled quotation (a rejection comment), whitespace kept. */
export function quote(label: string, text: string): SafeHtml {
  return html`<p style="margin:0 0 4px;color:#52606d;">${label}</p><blockquote style="margin:0 0 12px;padding:8px 12px;border-left:3px solid #d64545;background:#fdf2f2;white-space:pre-wrap;">${text}</blockquote>`;
}

const TONE_COLOUR: Record<Tone, string> = { good: '#1b7f3b', warning: '#b26a00', bad: '#c62828' };

/** A coloured status badge. */
export function badge(label: string, tone: Tone): SafeHtml {
  return html`<p style="margin:0 0 12px;"><span style="display:inline-block;padding:4px 10px;border-radius:12px;color:#ffffff;background:${TONE_COLOUR[tone]};font-weight:600;">${label}</span></p>`;
}

/** The plain-text frame around `body`. */
export function textFrame(ctx: NotificationContext, title: string, body: string): string {
  return `${ctx.mspName} · ${ctx.projectName} for ${ctx.customerName}\n\n${title}\n\n${body.trim()}\n\n-- \nSent by milepost for ${ctx.mspName}.\n`;
}
