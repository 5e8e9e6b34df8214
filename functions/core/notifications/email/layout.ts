/**
 * The shared frame of every milepost email, built to render alike in Outlook (Word engine, on
 * Windows), Gmail and Apple Mail, and the matching plain-text frame.
 *
 * Why it looks the way it does:
 * - Layout is tables only (`role="presentation"`, so screen readers do not announce them): a
 *   600 px container table, fixed for Outlook through an MSO-only wrapper table (Outlook ignores
 *   `max-width`), fluid elsewhere (`width:100%;max-width:600px`) so it fits a phone.
 * - Every style is inline; the one `<style>` block only adds the dark-mode colours for clients that
 *   honour `prefers-color-scheme` (Apple Mail), and an MSO-only block pins the font (Outlook falls
 *   back to Times New Roman on an unknown font stack). Nothing depends on `<style>` for layout.
 * - Every coloured area sets its colour twice (`bgcolor` attribute and `background-color`), and
 *   every text sets its colour on a cell with its own background: a client that inverts colours
 *   in dark mode (Outlook, Gmail apps) inverts both, so no text vanishes on its background.
 *   No images at all (so no white-on-transparent logo either).
 * - Buttons are "bulletproof": a VML roundrect inside `<!--[if mso]>` for Outlook, and a padded
 *   table cell with the link for everyone else (inside `<!--[if !mso]><!-->`). Corners are square
 *   where `border-radius` is not supported; nothing relies on it.
 * Every value is escaped by the `html` tag (also inside the conditional comments); only the
 * fragments built here with `html` are nested as markup.
 */
import { html, raw, type SafeHtml } from '../../html.js';
import type { Fact, NotificationContext, Tone } from '../notification.js';

/** The width of the container in Outlook, and its largest width elsewhere. */
export const EMAIL_WIDTH = 600;

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/** The palette: page, card, text, muted text, rules, the button. */
const C = {
  page: '#f4f5f7',
  card: '#ffffff',
  text: '#1f2933',
  muted: '#52606d',
  faint: '#616e7c',
  rule: '#e4e7eb',
  strongRule: '#cbd2d9',
  button: '#1f5fc4',
  buttonText: '#ffffff',
  quoteBg: '#fdf2f2',
  quoteRule: '#d64545',
} as const;

/**
 * Dark-mode colours for clients that apply `prefers-color-scheme` (Apple Mail, iOS Mail, some
 * others). The classes only recolour; every element keeps its inline light colours as well.
 */
const DARK_STYLE = raw(`<style>
:root{color-scheme:light dark;supported-color-schemes:light dark;}
@media (prefers-color-scheme: dark){
.mp-page{background-color:#0f1419 !important;}
.mp-card{background-color:#1b222b !important;}
.mp-text{color:#e4e7eb !important;}
.mp-muted{color:#b3bcc6 !important;}
.mp-quote{background-color:#3a1f22 !important;color:#f5d6d6 !important;}
.mp-rule{border-color:#3a4450 !important;}
}
</style>`);

/** Outlook only: the DPI fix for VML and a font it has (it ignores the stack otherwise). */
const MSO_HEAD = raw(`<!--[if mso]>
<noscript><xml><o:OfficeDocumentSettings><o:AllowPNG/><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml></noscript>
<style>body,table,td,th,p,a,h1,h2,li,span{font-family:'Segoe UI',Arial,sans-serif !important;}</style>
<![endif]-->`);

/** A complete HTML document around `body`, with the MSP and project in the header. */
export function layout(ctx: NotificationContext, title: string, body: SafeHtml, preheader = ''): string {
  return html`<!doctype html>
<html lang="en" xmlns="http://www.w3.org/1999/xhtml" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="x-apple-disable-message-reformatting">
<meta name="format-detection" content="telephone=no, date=no, address=no, email=no">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${title}</title>
${MSO_HEAD}
${DARK_STYLE}
</head>
<body class="mp-page" style="margin:0;padding:0;width:100%;background-color:${C.page};-webkit-text-size-adjust:100%;-ms-text-size-adjust:100%;">
${preheader ? html`<div style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all;">${preheader}</div>` : ''}
<table role="presentation" class="mp-page" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="${C.page}" style="width:100%;border-collapse:collapse;background-color:${C.page};">
<tr>
<td align="center" style="padding:16px 8px;">
<!--[if mso]><table role="presentation" align="center" width="${EMAIL_WIDTH}" cellpadding="0" cellspacing="0" border="0" style="width:${EMAIL_WIDTH}px;"><tr><td><![endif]-->
<table role="presentation" align="center" width="${EMAIL_WIDTH}" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:${EMAIL_WIDTH}px;border-collapse:collapse;margin:0 auto;">
<tr>
<td class="mp-muted" style="padding:0 4px 8px;font-family:${FONT};font-size:13px;line-height:18px;color:${C.muted};">${ctx.mspName} &middot; ${ctx.projectName} for ${ctx.customerName}</td>
</tr>
<tr>
<td class="mp-card mp-text" bgcolor="${C.card}" style="padding:24px 20px;background-color:${C.card};font-family:${FONT};font-size:16px;line-height:24px;color:${C.text};word-break:break-word;overflow-wrap:anywhere;">
<h1 class="mp-text" style="margin:0 0 12px;font-family:${FONT};font-size:20px;line-height:26px;font-weight:700;color:${C.text};mso-line-height-rule:exactly;">${title}</h1>
${body}
</td>
</tr>
<tr>
<td class="mp-muted" style="padding:12px 4px 0;font-family:${FONT};font-size:12px;line-height:16px;color:${C.faint};">Sent by milepost for ${ctx.mspName}.</td>
</tr>
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td>
</tr>
</table>
</body>
</html>
`.toString();
}

function shown(rows: Fact[]): [string, string][] {
  return rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
}

/** A presentation table at full width of the card. */
function block(inner: SafeHtml | SafeHtml[], margin = '0 0 16px'): SafeHtml {
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;margin:${margin};">${inner}</table>`;
}

/** Label/value rows (values escaped). */
export function facts(rows: Fact[]): SafeHtml {
  return block(
    shown(rows).map(
      ([label, value]) =>
        html`<tr><td class="mp-muted" valign="top" style="padding:4px 12px 4px 0;font-family:${FONT};font-size:15px;line-height:22px;color:${C.muted};vertical-align:top;width:35%;">${label}</td><td class="mp-text" valign="top" style="padding:4px 0;font-family:${FONT};font-size:15px;line-height:22px;color:${C.text};vertical-align:top;">${value}</td></tr>`,
    ),
  );
}

/** The same rows as plain text lines. */
export function factsText(rows: Fact[]): string {
  return shown(rows)
    .map(([label, value]) => `${label}: ${value}`)
    .join('\n');
}

/** A paragraph. */
export function para(text: string): SafeHtml {
  return html`<p class="mp-text" style="margin:0 0 12px;font-family:${FONT};font-size:16px;line-height:24px;color:${C.text};">${text}</p>`;
}

/** Small print under the main content. */
export function finePrint(text: string): SafeHtml {
  return html`<p class="mp-muted" style="margin:0 0 12px;font-family:${FONT};font-size:13px;line-height:19px;color:${C.muted};">${text}</p>`;
}

/**
 * A bulleted list, as table rows with a bullet cell: `<ul>` indents differ between Outlook,
 * Gmail and Apple Mail, a table does not.
 */
export function bullets(items: string[]): SafeHtml {
  return block(
    items.map(
      (i) =>
        html`<tr><td class="mp-text" valign="top" width="18" style="width:18px;padding:2px 0;font-family:${FONT};font-size:16px;line-height:24px;color:${C.text};vertical-align:top;">&bull;</td><td class="mp-text" valign="top" style="padding:2px 0;font-family:${FONT};font-size:16px;line-height:24px;color:${C.text};vertical-align:top;">${i}</td></tr>`,
    ),
    '0 0 12px',
  );
}

/** Width of the Outlook (VML) button: VML does not size to its text. */
function buttonWidth(label: string): number {
  return Math.min(EMAIL_WIDTH - 40, Math.max(200, label.length * 10 + 48));
}

/**
 * A bulletproof button: a VML roundrect for Outlook on Windows (which neither pads links nor
 * draws backgrounds on inline elements), a padded table cell with the link elsewhere. `href` is
 * escaped as an attribute value in both.
 */
export function button(href: string, label: string): SafeHtml {
  const width = buttonWidth(label);
  return html`<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;margin:16px 0;"><tr><td>
<!--[if mso]><v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" xmlns:w="urn:schemas-microsoft-com:office:word" href="${href}" style="height:46px;v-text-anchor:middle;width:${width}px;" arcsize="9%" strokecolor="${C.button}" fillcolor="${C.button}"><w:anchorlock/><center style="color:${C.buttonText};font-family:'Segoe UI',Arial,sans-serif;font-size:16px;font-weight:bold;">${label}</center></v:roundrect><![endif]-->
<!--[if !mso]><!--><table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:separate;"><tr><td bgcolor="${C.button}" style="background-color:${C.button};border:1px solid ${C.button};border-radius:6px;padding:12px 22px;"><a href="${href}" target="_blank" style="display:inline-block;font-family:${FONT};font-size:16px;line-height:20px;font-weight:700;color:${C.buttonText};text-decoration:none;">${label}</a></td></tr></table><!--<![endif]-->
</td></tr></table>`;
}

/** A labelled quotation (a rejection comment), whitespace kept. */
export function quote(label: string, text: string): SafeHtml {
  return html`<p class="mp-muted" style="margin:0 0 4px;font-family:${FONT};font-size:13px;line-height:19px;color:${C.muted};">${label}</p>${block(
    html`<tr><td class="mp-quote" bgcolor="${C.quoteBg}" style="padding:8px 12px;border-left:3px solid ${C.quoteRule};background-color:${C.quoteBg};font-family:${FONT};font-size:15px;line-height:22px;color:${C.text};white-space:pre-wrap;">${text}</td></tr>`,
    '0 0 12px',
  )}`;
}

const TONE_COLOUR: Record<Tone, string> = { good: '#1b7f3b', warning: '#8a5300', bad: '#c62828' };

/** A coloured status badge: a table cell with its own background, so its white text keeps its contrast. */
export function badge(label: string, tone: Tone): SafeHtml {
  return html`<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;margin:0 0 12px;"><tr><td bgcolor="${TONE_COLOUR[tone]}" style="padding:4px 10px;background-color:${TONE_COLOUR[tone]};font-family:${FONT};font-size:15px;line-height:20px;font-weight:700;color:#ffffff;">${label}</td></tr></table>`;
}

/** A section heading. */
export function heading(text: string): SafeHtml {
  return html`<h2 class="mp-text" style="margin:20px 0 8px;font-family:${FONT};font-size:17px;line-height:23px;font-weight:700;color:${C.text};mso-line-height-rule:exactly;">${text}</h2>`;
}

/** A data table with a header row (a report's stages, tasks, risks, approvals). */
export function dataTable(columns: string[], rows: string[][]): SafeHtml {
  // The font is inherited from the card (and pinned for Outlook in the head): a report can have
  // many rows, and every byte of a repeated style counts against Gmail's 102 KB clipping limit.
  const cell = 'font-size:14px;line-height:20px;text-align:left;vertical-align:top;padding:6px 8px 6px 0;';
  return block(
    html`<tr>${columns.map(
      (h) =>
        html`<th class="mp-muted mp-rule" align="left" valign="top" style="${cell}font-weight:700;color:${C.muted};border-bottom:2px solid ${C.strongRule};">${h}</th>`,
    )}</tr>${rows.map(
      (r) =>
        html`<tr>${r.map(
          (c) =>
            html`<td class="mp-text mp-rule" valign="top" style="${cell}color:${C.text};border-bottom:1px solid ${C.rule};">${c}</td>`,
        )}</tr>`,
    )}`,
    '0 0 12px',
  );
}

/** The plain-text frame around `body`. */
export function textFrame(ctx: NotificationContext, title: string, body: string): string {
  return `${ctx.mspName} · ${ctx.projectName} for ${ctx.customerName}\n\n${title}\n\n${body.trim()}\n\n-- \nSent by milepost for ${ctx.mspName}.\n`;
}
