/**
 * The frame of every server-rendered page: one inline stylesheet (allowed by its hash in the
 * CSP), no scripts, mobile-friendly, and the security headers every page carries.
 */
import { createHash } from 'node:crypto';
import { html, raw, type SafeHtml } from '../html.js';

/** A rendered page: status and the whole document. */
export interface HtmlPage {
  status: number;
  html: string;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;background:#f4f5f7}
main{max-width:40rem;margin:0 auto;padding:1.25rem}
.card{background:#fff;border-radius:.5rem;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12);overflow-wrap:break-word}
h1{font-size:1.35rem;margin:.2rem 0 1rem}
.msp{color:#52606d;font-size:.9rem;margin:0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0 0 1rem}
dt{color:#52606d}dd{margin:0;overflow-wrap:anywhere}
fieldset{border:0;padding:0;margin:0 0 1rem}
label{display:block;margin:.4rem 0}
textarea{width:100%;min-height:6rem;font:inherit;padding:.5rem;border:1px solid #9aa5b1;border-radius:.35rem}
button{font:inherit;font-weight:600;padding:.75rem 1.25rem;border:0;border-radius:.35rem;background:#1f6feb;color:#fff;width:100%}
.error{background:#fde8e8;color:#9b1c1c;padding:.6rem .8rem;border-radius:.35rem}
.note{color:#52606d;font-size:.9rem}
.hash{overflow-wrap:anywhere;font-size:.8rem}
@media (min-width:36rem){button{width:auto}}
`;

const STYLE_HASH = createHash('sha256').update(STYLE, 'utf8').digest('base64');

/** Headers on every HTML page (approval pages, not-found pages). */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // Browsers keep to HTTPS for this host from then on (API Gateway serves HTTPS only; browsers
  // ignore the header over plain HTTP, as on the local runtime).
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
});

/** A whole HTML document around `body`. */
export function renderPage(status: number, title: string, body: SafeHtml): HtmlPage {
  const doc = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${title}</title>
<style>${raw(STYLE)}</style>
</head>
<body><main>${body}</main></body>
</html>
`;
  return { status, html: doc.value };
}
