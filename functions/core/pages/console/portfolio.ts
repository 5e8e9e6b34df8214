/**
 * The console's portfolio page (`/`): every project with its current stage and progress, RAG and
 * the reasons for it, whether it waits on the customer (and since when), what is overdue and the
 * next due date. One row per project; each cell is one column so that more figures can be added
 * as columns.
 */
import { formatWaitTotal } from '../../customer-wait.js';
import { html, type SafeHtml } from '../../html.js';
import type { ProjectSummary } from '../../use-cases/staff-list-projects.js';
import { type PageSession, page, ragChip } from './layout.js';

/** The portfolio: one row per project. */
export function portfolioPage(rows: ProjectSummary[], now: Date, session?: PageSession): string {
  const body = rows.length
    ? html`<table>
<caption class="muted small">Every project, with what needs attention.</caption>
<thead><tr><th scope="col">Project</th><th scope="col">Stage</th><th scope="col">RAG and why</th><th scope="col">Waiting on the customer</th><th scope="col">Overdue</th><th scope="col">Next due</th></tr></thead>
<tbody>${rows.map(
        (r) => html`<tr>
<td><a href="/projects/${encodeURIComponent(r.id)}">${r.name}</a><div class="muted small">${r.customer} · ${r.id}</div></td>
<td>${r.currentStageName}<div class="small">${progressBar(r.completedStages, r.totalStages)} ${r.completedStages}/${r.totalStages} stages</div>${
          r.status === 'closed' ? html`<div class="status">closed</div>` : ''
        }</td>
<td>${ragChip(r.rag)}${r.reasons.length ? html`<ul class="small">${r.reasons.map((x) => html`<li>${x}</li>`)}</ul>` : ''}</td>
<td>${r.waitingOnCustomerSince ? html`since ${r.waitingOnCustomerSince.slice(0, 10)}` : html`<span class="muted">no</span>`}<div class="small muted">${formatWaitTotal(r.customerWaitMs)}</div></td>
<td>${r.overdue.length ? html`<ul class="small">${r.overdue.map((x) => html`<li>${x}</li>`)}</ul>` : html`<span class="muted">nothing</span>`}</td>
<td>${r.nextDue ? html`${r.nextDue.date}<div class="small muted">${r.nextDue.what}</div>` : html`<span class="muted">none</span>`}</td>
</tr>`,
      )}</tbody></table>`
    : html`<p>No projects yet: add a spec file to the projects folder and restart.</p>`;
  return page(
    'Portfolio',
    html`<h1 id="portfolio-h">Portfolio</h1><p class="muted small">Clock: ${now.toISOString()}</p><section tabindex="0" aria-labelledby="portfolio-h">${body}</section>`,
    session,
  );
}

function progressBar(done: number, total: number): SafeHtml {
  const pct = total ? Math.round((done / total) * 100) : 0;
  return html`<svg class="bar" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label="${pct}% of stages completed"><rect width="100" height="6" fill="#e4e7eb"/><rect width="${pct}" height="6" fill="#2f855a"/></svg>`;
}
