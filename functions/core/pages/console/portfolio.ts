/**
 * The console's portfolio page (`/`): every project with its stage progress, current stage,
 * status, RAG and whether it waits on the customer (since when, and the project's total wait).
 */
import { formatWaitTotal } from '../../customer-wait.js';
import { html, type SafeHtml } from '../../html.js';
import type { ProjectSummary } from '../../use-cases/staff-list-projects.js';
import { page, ragChip } from './layout.js';

/** The portfolio: every project with its stage progress, current stage, status and RAG. */
export function portfolioPage(rows: ProjectSummary[], now: Date): string {
  const body = rows.length
    ? html`<table>
<thead><tr><th>Project</th><th>Customer</th><th>Progress</th><th>Current stage</th><th>Status</th><th>RAG</th><th>Waiting on the customer</th></tr></thead>
<tbody>${rows.map(
        (r) => html`<tr>
<td><a href="/projects/${encodeURIComponent(r.id)}">${r.name}</a><div class="muted small">${r.id}</div></td>
<td>${r.customer}</td>
<td>${progressBar(r.completedStages, r.totalStages)} <span class="small">${r.completedStages}/${r.totalStages} stages</span></td>
<td>${r.currentStageName}</td>
<td class="status">${r.status}</td>
<td>${ragChip(r.rag)}</td>
<td>${r.waitingOnCustomerSince ? html`since ${r.waitingOnCustomerSince.slice(0, 10)}` : html`<span class="muted">no</span>`}<div class="small muted">${formatWaitTotal(r.customerWaitMs)}</div></td>
</tr>`,
      )}</tbody></table>`
    : html`<p>No projects yet: add a spec file to the projects folder and restart.</p>`;
  return page(
    'Portfolio',
    html`<h1>Portfolio</h1><p class="muted small">Clock: ${now.toISOString()}</p><section>${body}</section>`,
  );
}

function progressBar(done: number, total: number): SafeHtml {
  const pct = total ? Math.round((done / total) * 100) : 0;
  return html`<svg class="bar" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label="${pct}% of stages completed"><rect width="100" height="6" fill="#e4e7eb"/><rect width="${pct}" height="6" fill="#2f855a"/></svg>`;
}
