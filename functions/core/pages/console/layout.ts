/**
 * The frame of the console pages (portfolio, project, forms, outbox, sign-in): server-rendered
 * HTML, no scripts, no build step, one inline stylesheet allowed by its hash. Every value goes
 * through the escaping `html` template. Usable at 375 px: tables scroll inside their section,
 * forms stack. Focus is always visible; text colours keep a contrast of at least 4.5:1.
 */
import { createHash } from 'node:crypto';
import { html, raw, type SafeHtml } from '../../html.js';

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;background:#f4f5f7}
header{background:#102a43;color:#fff;padding:.6rem 1.25rem;display:flex;gap:1.25rem;align-items:baseline;flex-wrap:wrap}
header a{color:#fff;text-decoration:none}header strong{font-size:1.1rem;margin-right:1rem}
main{max-width:72rem;margin:0 auto;padding:1.25rem}
section{background:#fff;border-radius:.5rem;padding:1rem 1.25rem;margin:0 0 1rem;box-shadow:0 1px 3px rgba(0,0,0,.12);overflow-x:auto}
h1{font-size:1.4rem;margin:.2rem 0 .6rem}h2{font-size:1.1rem;margin:.2rem 0 .6rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e4e7eb;vertical-align:top}
th{color:#52606d;font-weight:600}
.rag{display:inline-block;padding:0 .55rem;border-radius:1rem;color:#fff;font-weight:600;font-size:.85rem}
.rag-green{background:#2f855a}.rag-amber{background:#b7791f}.rag-red{background:#c53030}
.status{font-weight:600}.muted{color:#52606d}.small{font-size:.85rem}.hash{overflow-wrap:anywhere;font-size:.8rem}
.bar{display:inline-block;width:8rem;height:.6rem;background:#e4e7eb;border-radius:.3rem;overflow:hidden;vertical-align:middle}
.heat td{width:3.2rem;height:2.6rem;text-align:center;border:2px solid #fff;color:#102a43;font-weight:600;white-space:nowrap}.heat thead th{white-space:nowrap}
.email{border:1px solid #e4e7eb;border-radius:.4rem;padding:.6rem .8rem;margin:0 0 1rem}
.email iframe{width:100%;height:22rem;border:1px solid #e4e7eb;border-radius:.3rem;background:#fff}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dt{color:#52606d}dd{margin:0}
ul{margin:.2rem 0;padding-left:1.2rem}
a{color:#0b5cad}header a{color:#fff}header nav{display:flex;gap:1rem}
:focus-visible{outline:3px solid #f0b429;outline-offset:2px}
.who{margin-left:auto;display:flex;gap:.6rem;align-items:center;flex-wrap:wrap}
.who form{margin:0}
button,.button{font:inherit;padding:.4rem .9rem;border-radius:.35rem;border:1px solid #0b5cad;background:#0b5cad;color:#fff;cursor:pointer}
button.danger{background:#fff;color:#b42318;border-color:#b42318}
header button{background:transparent;border-color:#fff;padding:.15rem .6rem}
form.stack{display:grid;gap:.75rem;max-width:40rem}
.field{display:grid;gap:.2rem}.field label{font-weight:600}
.field input,.field select,.field textarea{font:inherit;padding:.35rem .5rem;border:1px solid #7b8794;border-radius:.3rem;width:100%;max-width:40rem;background:#fff;color:#1f2933}
.field .hint{color:#52606d;font-size:.85rem}
.choice{display:flex;gap:.6rem;align-items:baseline;margin:.5rem 0}.choice input{margin:0;flex:none}
.field .error,.error-summary{color:#b42318;font-weight:600}
.field [aria-invalid=true]{border:2px solid #b42318}
.error-summary{border:2px solid #b42318;border-radius:.4rem;padding:.5rem .8rem;background:#fff5f5}
.notice{border-left:4px solid #2f855a;background:#f0fff4;padding:.5rem .8rem;margin:0 0 1rem}
.inline{display:inline}
caption{text-align:left}details{margin:.5rem 0}summary{cursor:pointer;font-weight:600;color:#0b5cad}
`;
const STYLE_HASH = createHash('sha256').update(STYLE, 'utf8').digest('base64');

/**
 * Headers of every dashboard page. Style attributes are allowed so the emails of the outbox
 * render as sent (they cannot run code); frames only for the emails' srcdoc documents.
 */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; style-src-attr 'unsafe-inline'; img-src data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
});

/** The signed-in person of a page and the CSRF token of its forms. */
export interface PageSession {
  name: string;
  email: string;
  csrf: string;
  /** The local runtime's outbox exists (a link in the header). */
  outbox?: boolean;
}

/** The hidden CSRF field every console form carries. */
export function csrfField(session: PageSession): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${session.csrf}">`;
}

/** A whole console document around `body`; with a session, the header names the person and offers sign-out. */
export function page(title: string, body: SafeHtml, session?: PageSession): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · milepost</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<header><strong><a href="/">milepost</a></strong>${
    session
      ? html`<nav aria-label="Console"><a href="/">Portfolio</a> <a href="/capacity">Capacity</a>${session.outbox ? html` <a href="/outbox">Outbox</a>` : ''}</nav>
<div class="who"><span>${session.name}</span><form method="post" action="/auth/sign-out">${csrfField(session)}<button type="submit">Sign out</button></form></div>`
      : ''
  }</header>
<main>${body}</main>
</body>
</html>
`.value;
}

/** `2 Jan 2027, 09:30` in the project's time zone. */
export function formatTime(iso: string | undefined, timeZone: string): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(
      date,
    );
  } catch {
    return date.toISOString().slice(0, 16).replace('T', ' ');
  }
}

/** The RAG status as a coloured chip. */
export function ragChip(rag: string): SafeHtml {
  return html`<span class="rag rag-${rag}">${rag.toUpperCase()}</span>`;
}

/** The page for a path the console does not have. */
export function notFoundPage(session?: PageSession): string {
  return page('Not found', html`<h1>Not found</h1><p><a href="/">Back to the portfolio</a></p>`, session);
}

/** A refusal: what was refused and why, in a sentence (403). */
export function refusedPage(message: string, session?: PageSession, back = '/'): string {
  return page(
    'Not allowed',
    html`<h1>Not allowed</h1><p role="alert">${message}</p><p><a href="${back}">Back</a></p>`,
    session,
  );
}
