/**
 * The console's project page (`/projects/{id}`): health, exit criteria, deviations, the stage
 * timeline picture (planned against actual), gates and approvals, the risk heat map and the latest
 * events. It renders the staff API's read model (getProjectDetail), so the page and
 * `GET /api/projects/{id}` cannot disagree. Gates arrive without task tokens and link hashes.
 */
import { formatWaited, formatWaitTotal } from '../../customer-wait.js';
import { html, type SafeHtml } from '../../html.js';
import type { ProjectEvent, Risk } from '../../model.js';
import type { ProjectDetail, StageView } from '../../use-cases/staff-get-project.js';
import { formatTime, page, ragChip } from './layout.js';

export interface ProjectPageInput {
  /** The project as the staff API reads it (stages, gates, risks, health, criteria, deviations). */
  detail: ProjectDetail;
  /** The latest events, newest first. */
  events: ProjectEvent[];
  now: Date;
}

/** A project: health, stage timeline (planned vs actual), gates and approvals, risks, latest events. */
export function projectPage({ detail, events, now }: ProjectPageInput): string {
  const { health, criteria, deviations } = detail;
  const project = detail;
  const tz = project.timezone;
  const current = project.stages.find((s) => s.key === project.currentStage);
  const body = html`<h1>${project.name}</h1>
<section><dl>
<dt>Customer</dt><dd>${project.customerName}</dd>
<dt>Status</dt><dd class="status">${project.status}</dd>
<dt>Current stage</dt><dd>${current?.name ?? project.currentStage}</dd>
${
  criteria
    ? html`<dt>Exit criteria</dt><dd>${
        criteria.met
          ? 'hold'
          : html`not yet:<ul class="unmet">${criteria.unmet.map((u) => html`<li>${u}</li>`)}</ul>`
      }</dd>`
    : ''
}
<dt>Health</dt><dd>${ragChip(health.rag)} SPI ${health.spi.toFixed(2)} · CPI ${health.cpi.toFixed(2)}${
    health.reasons.length ? html`<ul>${health.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''
  }</dd>
<dt>Timeline</dt><dd>${project.spec.timeline.start} to ${project.spec.timeline.end}</dd>
<dt>Waiting on the customer</dt><dd>${
    project.customerWait.waitingSince
      ? html`now, since ${formatTime(project.customerWait.waitingSince, tz)}; `
      : ''
  }${formatWaitTotal(project.customerWait.totalMs)}; forecast end ${health.forecastEnd}</dd>
<dt>Clock</dt><dd>${formatTime(now.toISOString(), tz)} (${tz})</dd>
</dl></section>
<section><h2>Stage timeline</h2>${timelineSvg(detail, now)}
<table><thead><tr><th>Stage</th><th>Status</th><th>Due</th><th>Started</th><th>Completed</th><th>Rework</th></tr></thead>
<tbody>${detail.stages.map(
    (s) =>
      html`<tr><td>${s.name}</td><td class="status">${s.status}</td><td>${s.due ?? ''}</td><td>${formatTime(
        s.startedAt,
        tz,
      )}</td><td>${formatTime(s.completedAt, tz)}</td><td>${s.reworkCount || ''}</td></tr>`,
  )}</tbody></table></section>
${deviations.length ? html`<section><h2>Deviations</h2>${deviationsTable(deviations, tz)}</section>` : ''}
<section><h2>Gates and approvals</h2>${gatesTable(detail)}</section>
<section><h2>Risks</h2>${heatMap(detail.risks)}${risksTable(detail.risks)}</section>
<section><h2>Latest events</h2>${eventsTable(events, tz)}</section>`;
  return page(project.name, body);
}

const DAY = 86_400_000;

function dayMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`);
}

/** Planned (grey: from the previous due date to this one) and actual (started to completed, or to now) bars per stage. */
export function timelineSvg(detail: ProjectDetail, now: Date): SafeHtml {
  const project = detail;
  const stages = [...detail.stages].sort((a, b) => a.order - b.order);
  const start = dayMs(project.spec.timeline.start);
  const end = dayMs(project.spec.timeline.end) + DAY;
  const planned = new Map<string, { from: number; to: number }>();
  let previous = start;
  for (const s of stages) {
    if (!s.due) continue;
    const to = dayMs(s.due) + DAY;
    planned.set(s.key, { from: Math.min(previous, to), to });
    previous = to;
  }
  const actual = (s: StageView) =>
    s.startedAt
      ? { from: Date.parse(s.startedAt), to: s.completedAt ? Date.parse(s.completedAt) : now.getTime() }
      : undefined;
  const times = [start, end, now.getTime()];
  for (const s of stages) {
    const a = actual(s);
    if (a) times.push(a.from, a.to);
  }
  const min = Math.min(...times);
  const max = Math.max(...times) + DAY / 2;
  const labelW = 190;
  const width = 900;
  const row = 30;
  const top = 24;
  const height = top + stages.length * row + 10;
  const x = (t: number) => labelW + ((t - min) / (max - min)) * (width - labelW - 10);
  const w = (a: number, b: number) => Math.max(2, x(b) - x(a));
  const months: SafeHtml[] = [];
  const first = new Date(min);
  for (let m = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1); m < max; ) {
    const d = new Date(m);
    months.push(
      html`<line x1="${x(m).toFixed(1)}" y1="${top - 6}" x2="${x(m).toFixed(1)}" y2="${height}" stroke="#e4e7eb"/><text x="${(
        x(m) + 3
      ).toFixed(1)}" y="${top - 10}" font-size="11" fill="#52606d">${d.toISOString().slice(0, 7)}</text>`,
    );
    m = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  const rows = stages.map((s, i) => {
    const y = top + i * row;
    const p = planned.get(s.key);
    const a = actual(s);
    const color = s.status === 'completed' ? '#2f855a' : s.status === 'rework' ? '#c53030' : '#1f6feb';
    return html`<text x="4" y="${y + 17}" font-size="12" fill="#1f2933">${s.name}</text>${
      p
        ? html`<rect x="${x(p.from).toFixed(1)}" y="${y + 4}" width="${w(p.from, p.to).toFixed(1)}" height="9" fill="#cbd2d9"><title>planned: to ${s.due}</title></rect>`
        : ''
    }${
      a
        ? html`<rect x="${x(a.from).toFixed(1)}" y="${y + 15}" width="${w(a.from, a.to).toFixed(1)}" height="9" fill="${color}"><title>actual: ${new Date(
            a.from,
          ).toISOString()} to ${s.completedAt ?? 'now'}</title></rect>`
        : ''
    }`;
  });
  const nowX = x(now.getTime()).toFixed(1);
  return html`<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="Stage timeline: planned against actual dates">
${months}${rows}
<line x1="${nowX}" y1="${top - 6}" x2="${nowX}" y2="${height}" stroke="#c53030" stroke-dasharray="4 3"/><text x="${nowX}" y="${height}" font-size="10" fill="#c53030">now</text>
</svg>
<p class="small muted">Grey: planned (previous due date to this stage's due date). Colour: actual (started to completed, or to now).</p>`;
}

function gatesTable(detail: ProjectDetail): SafeHtml {
  const tz = detail.timezone;
  const names = new Map(detail.stages.map((s) => [s.key, s.name]));
  if (detail.gates.length === 0) return html`<p class="muted">No gate has opened yet.</p>`;
  return html`<table><thead><tr><th>Stage</th><th>Gate</th><th>Rule</th><th>Round</th><th>Approvals</th></tr></thead>
<tbody>${detail.gates.map((g) => {
    const rule = typeof g.rule === 'object' ? `quorum ${g.rule.quorum}` : g.rule;
    const approvals = g.approvers.length
      ? html`<ul>${g.approvers.map(
          (a) =>
            html`<li>${a.name} &lt;${a.email}&gt;: ${
              a.decision
                ? html`<strong>${a.decision === 'approve' ? 'approved' : 'rejected'}</strong> ${formatTime(a.decidedAt, tz)}${
                    a.comment ? html` — “${a.comment}”` : ''
                  }`
                : html`<span class="muted">waiting</span>`
            }</li>`,
        )}</ul>`
      : html`<span class="muted">automatic</span>`;
    return html`<tr><td>${names.get(g.stage) ?? g.stage}</td><td class="status">${g.status}${
      g.decidedAt ? html`<div class="small muted">${formatTime(g.decidedAt, tz)}</div>` : ''
    }${g.escalatedAt ? html`<div class="small">escalated ${formatTime(g.escalatedAt, tz)}</div>` : ''}${
      g.reminders ? html`<div class="small muted">${g.reminders} reminder(s)</div>` : ''
    }${
      g.customerWait.totalMs || g.customerWait.waiting
        ? html`<div class="small">${g.customerWait.since ? `waiting since ${formatTime(g.customerWait.since, tz)}, ` : ''}${formatWaited(g.customerWait.totalMs)} on the customer</div>`
        : ''
    }</td><td>${rule}</td><td>${g.round}</td><td>${approvals}</td></tr>`;
  })}</tbody></table>`;
}

const HEAT = ['#c6f6d5', '#fefcbf', '#fbd38d', '#f6ad55', '#fc8181'];

/** A 5x5 likelihood (rows, 5 at the top) x impact (columns) heat map with the risks of each cell. */
export function heatMap(risks: Risk[]): SafeHtml {
  const open = risks.filter((r) => r.status !== 'closed');
  const rows = [5, 4, 3, 2, 1].map((likelihood) => {
    const cells = [1, 2, 3, 4, 5].map((impact) => {
      const here = open.filter((r) => r.likelihood === likelihood && r.impact === impact);
      const score = likelihood * impact;
      const color = HEAT[score >= 20 ? 4 : score >= 12 ? 3 : score >= 8 ? 2 : score >= 4 ? 1 : 0];
      return html`<td style="background:${color}" title="${here.map((r) => r.title).join(', ')}" data-likelihood="${likelihood}" data-impact="${impact}">${
        here.length ? here.map((r) => r.id).join(' ') : ''
      }</td>`;
    });
    return html`<tr><th>${likelihood}</th>${cells}</tr>`;
  });
  return html`<table class="heat" aria-label="Risk heat map: likelihood by impact" style="width:auto">
<tbody>${rows}<tr><th></th>${[1, 2, 3, 4, 5].map((i) => html`<th>${i}</th>`)}</tr></tbody>
</table><p class="small muted">Rows: likelihood 1-5. Columns: impact 1-5. Open and mitigated risks by id.</p>`;
}

function deviationsTable(deviations: ProjectDetail['deviations'], tz: string): SafeHtml {
  return html`<table><thead><tr><th>Deviation</th><th>Corrective action</th></tr></thead><tbody>${deviations.map(
    (d) =>
      html`<tr><td>${d.summary}<br><small>${d.key}</small></td><td>${
        d.action
          ? html`${d.action.action}<br><small>${d.action.by}, ${formatTime(d.action.at, tz)}</small>`
          : html`<strong>needs a corrective action</strong>`
      }</td></tr>`,
  )}</tbody></table>`;
}

function risksTable(risks: Risk[]): SafeHtml {
  if (risks.length === 0) return html`<p class="muted">No risks recorded.</p>`;
  return html`<table><thead><tr><th>Risk</th><th>Score</th><th>Owner</th><th>Mitigation</th><th>Status</th></tr></thead>
<tbody>${[...risks]
    .sort((a, b) => b.likelihood * b.impact - a.likelihood * a.impact)
    .map(
      (r) =>
        html`<tr><td>${r.title}<div class="small muted">${r.id}</div></td><td>${r.likelihood} × ${r.impact} = ${
          r.likelihood * r.impact
        }</td><td>${r.owner ?? ''}</td><td>${r.mitigation ?? ''}</td><td>${r.status}</td></tr>`,
    )}</tbody></table>`;
}

function eventsTable(events: ProjectEvent[], tz: string): SafeHtml {
  if (events.length === 0) return html`<p class="muted">No events yet.</p>`;
  return html`<table><thead><tr><th>When</th><th>What</th><th>Who</th></tr></thead>
<tbody>${events.map(
    (e) =>
      html`<tr><td class="small">${formatTime(e.at, tz)}</td><td>${e.summary}<div class="small muted">${e.type}${
        e.stage ? ` · ${e.stage}` : ''
      }</div></td><td class="small">${e.actor}</td></tr>`,
  )}</tbody></table>`;
}
