/**
 * The console's outbox page (`/outbox`, local runtime only): every email sent and every Teams or
 * Slack post made, newest first, each email rendered in a sandboxed frame with its links listed
 * as clickable anchors, each chat post as its text.
 */
import { html } from '../../html.js';
import type { OutboxEmail } from '../../outbox.js';
import { type PageSession, page } from './layout.js';

/** The URLs an email links to (from its HTML anchors and its text), without repeats. */
export function emailLinks(email: Pick<OutboxEmail, 'html' | 'text'>): string[] {
  const found: string[] = [];
  const decode = (s: string) =>
    s
      .replace(/&amp;/g, '&')
      .replace(/&#x2F;/gi, '/')
      .replace(/&#x3D;/gi, '=')
      .replace(/&quot;/g, '"');
  for (const m of email.html.matchAll(/href\s*=\s*"([^"]+)"/gi)) found.push(decode(m[1]!));
  for (const m of email.text.matchAll(/https?:\/\/[^\s<>"]+/g)) found.push(m[0]);
  return [...new Set(found.filter((u) => /^https?:\/\//.test(u)))];
}

/** The outbox: every email, newest first, rendered in a sandboxed frame, with its links clickable. */
export function outboxPage(emails: OutboxEmail[], session?: PageSession): string {
  const items = [...emails].reverse().map((e) => {
    const links = emailLinks(e);
    return html`<article class="email">
<h2>${e.subject}</h2>
<dl><dt>Channel</dt><dd>${e.channel === 'email' ? 'email' : `${e.channel} (${e.kind ?? 'post'})`}</dd>${
      e.channel === 'email' ? html`<dt>To</dt><dd>${e.to.join(', ')}</dd>` : ''
    }<dt>From</dt><dd>${e.from}</dd><dt>Sent</dt><dd>${e.sentAt}</dd></dl>
${
  links.length
    ? html`<p><strong>Links:</strong></p><ul>${links.map((u) => html`<li><a href="${u}" rel="noreferrer">${u}</a></li>`)}</ul>`
    : ''
}
${
  e.html
    ? html`<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer" title="${e.subject}" srcdoc="${e.html}"></iframe>`
    : html`<pre>${e.text}</pre>`
}
</article>`;
  });
  return page(
    'Outbox',
    html`<h1>Outbox</h1><p class="muted">Every email milepost sent and every chat post it made (${emails.length}). JSON: <a href="/api/outbox">/api/outbox</a>.</p><section>${
      items.length ? items : html`<p>No emails yet.</p>`
    }</section>`,
    session,
  );
}
