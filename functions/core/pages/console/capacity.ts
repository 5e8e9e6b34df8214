/**
 * The console's capacity page (`/capacity`): one row per person, one column per ISO week, each
 * cell the person's allocation over the active projects that week (above 100 % marked in words,
 * not by colour alone), and under the grid the projects behind every week that is over.
 */

import type { CapacityWeek } from '../../capacity.js';
import { html, type SafeHtml } from '../../html.js';
import type { CapacityReport } from '../../use-cases/staff-get-capacity.js';
import { type PageSession, page } from './layout.js';

/** A cell's background by load: none, light, full, over. */
function shade(total: number): string {
  if (total === 0) return 'background:#f4f5f7';
  if (total <= 80) return 'background:#e3f8ec';
  if (total <= 100) return 'background:#c6f0d6';
  return 'background:#fde2e1';
}

function contributions(week: CapacityWeek): string {
  return week.projects.map((p) => `${p.projectId} ${p.allocation} % (${p.stages.join(', ')})`).join('; ');
}

function cell(week: CapacityWeek): SafeHtml {
  const title = week.projects.length ? contributions(week) : 'not allocated';
  return html`<td style="${shade(week.total)}" title="${title}">${week.total ? `${week.total} %` : html`<span class="muted">-</span>`}${
    week.over ? html`<div class="small">over</div>` : ''
  }</td>`;
}

/** The capacity grid and the over-allocated weeks explained. */
export function capacityPage(report: CapacityReport, session?: PageSession): string {
  const over = report.people.flatMap((p) =>
    p.weeks.filter((w) => w.over).map((w) => ({ person: p, week: w })),
  );
  const last = report.weeks[report.weeks.length - 1];
  const grid = report.people.length
    ? html`<table class="heat">
<caption class="muted small">Allocation per week (Monday shown) over every active project, summed by email. Hover a cell for the projects.</caption>
<thead><tr><th scope="col">Person</th><th scope="col">Peak</th>${report.weeks.map((w) => html`<th scope="col">${w.slice(5)}</th>`)}</tr></thead>
<tbody>${report.people.map(
        (p) =>
          html`<tr><th scope="row">${p.name}<div class="muted small">${p.email}</div></th><td>${p.peak} %</td>${p.weeks.map(cell)}</tr>`,
      )}</tbody></table>`
    : html`<p>Nobody is allocated to an active project.</p>`;
  const explained = over.length
    ? html`<ul>${over.map(
        ({ person, week }) =>
          html`<li><strong>${person.email}</strong>: ${week.total} % in week ${week.week} (${week.isoWeek}): ${contributions(week)}</li>`,
      )}</ul>`
    : html`<p>Nobody is above 100 % in these weeks.</p>`;
  const prev = report.weeks[0] ? addWeeks(report.weeks[0], -report.weeks.length) : '';
  const next = last ? addWeeks(last, 1) : '';
  return page(
    'Capacity',
    html`<h1 id="capacity-h">Capacity</h1>
<p class="muted small">Weeks ${report.from} to ${last ?? report.from}. <a href="/capacity?from=${prev}&amp;weeks=${String(report.weeks.length)}">Earlier</a> · <a href="/capacity?from=${next}&amp;weeks=${String(report.weeks.length)}">Later</a></p>
<section tabindex="0" aria-labelledby="capacity-h">${grid}</section>
<section aria-labelledby="over-h"><h2 id="over-h">Over 100 %</h2>${explained}</section>`,
    session,
  );
}

function addWeeks(monday: string, n: number): string {
  return new Date(Date.parse(`${monday}T00:00:00Z`) + n * 7 * 86_400_000).toISOString().slice(0, 10);
}
