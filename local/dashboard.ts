/**
 * The local dashboard: server-rendered HTML, no scripts, no build step. Every value goes through
 * the escaping `html` template. Pages: the portfolio (`/`), a project (`/projects/{id}`: stage
 * timeline picture, gates and approvals, risk heat map, latest events) and the outbox (`/outbox`:
 * each email rendered in a sandboxed frame, with its links listed as clickable anchors).
 * Task tokens and link hashes are never part of a view: gates arrive without them.
 */
import { createHash } from 'node:crypto';
import type { Health } from '../functions/core/health.js';
import { html, raw, type SafeHtml } from '../functions/core/html.js';
import type { ApproverState, Gate, Project, ProjectEvent, Risk, Stage } from '../functions/core/model.js';
import type { OutboxEmail } from './ses-local.js';

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
.status{font-weight:600}.muted{color:#52606d}.small{font-size:.85rem}
.bar{display:inline-block;width:8rem;height:.6rem;background:#e4e7eb;border-radius:.3rem;overflow:hidden;vertical-align:middle}
.heat td{width:3.2rem;height:2.6rem;text-align:center;border:2px solid #fff;color:#102a43;font-weight:600}
.email{border:1px solid #e4e7eb;border-radius:.4rem;padding:.6rem .8rem;margin:0 0 1rem}
.email iframe{width:100%;height:22rem;border:1px solid #e4e7eb;border-radius:.3rem;background:#fff}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dt{color:#52606d}dd{margin:0}
ul{margin:.2rem 0;padding-left:1.2rem}
`;
const STYLE_HASH = createHash('sha256').update(STYLE, 'utf8').digest('base64');

/**
 * Headers of every dashboard page. Style attributes are allowed so the emails of the outbox
 * render as sent (they cannot run code); frames only for the emails' srcdoc documents.
 */
export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; style-src-attr 'unsafe-inline'; img-src data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
});

function page(title: string, body: SafeHtml): string {
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
<header><strong><a href="/">milepost</a></strong><a href="/">Portfolio</a><a href="/outbox">Outbox</a><a href="/api/openapi.json">API</a></header>
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

function ragChip(rag: string): SafeHtml {
  return html`<span class="rag rag-${rag}">${rag.toUpperCase()}</span>`;
}

// ---- portfolio ------------------------------------------------------------------------------

export interface PortfolioRow {
  id: string;
  name: string;
  customer: string;
  status: string;
  currentStage: string;
  currentStageName: string;
  completedStages: number;
  totalStages: number;
  rag: string;
}

/** The portfolio: every project with its stage progress, current stage, status and RAG. */
export function portfolioPage(rows: PortfolioRow[], now: Date): string {
  const body = rows.length
    ? html`<table>
<thead><tr><th>Project</th><th>Customer</th><th>Progress</th><th>Current stage</th><th>Status</th><th>RAG</th></tr></thead>
<tbody>${rows.map(
        (r) => html`<tr>
<td><a href="/projects/${encodeURIComponent(r.id)}">${r.name}</a><div class="muted small">${r.id}</div></td>
<td>${r.customer}</td>
<td>${progressBar(r.completedStages, r.totalStages)} <span class="small">${r.completedStages}/${r.totalStages} stages</span></td>
<td>${r.currentStageName}</td>
<td class="status">${r.status}</td>
<td>${ragChip(r.rag)}</td>
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

// ---- project --------------------------------------------------------------------------------

/** A gate as the dashboard shows it: without its task token and the approvers' link hashes. */
export type DashboardGate = Omit<Gate, 'taskToken' | 'approvers'> & {
  approvers: Omit<ApproverState, 'linkHash'>[];
};

/** Drops the secrets of a gate record. */
export function dashboardGate(gate: Gate): DashboardGate {
  const { taskToken: _token, approvers, ...rest } = gate;
  return { ...rest, approvers: approvers.map(({ linkHash: _hash, ...a }) => a) };
}

/** The records a project page shows. `stages` has one record per stage of the project, in order. */
export interface ProjectDetail {
  project: Project;
  stages: Stage[];
  gates: DashboardGate[];
  risks: Risk[];
}

export interface ProjectPageInput {
  detail: ProjectDetail;
  health: Health;
  events: ProjectEvent[];
  now: Date;
  /** Exit criteria of the current stage now (active projects). */
  criteria?: { met: boolean; unmet: string[] };
  /** Deviations found now, with the corrective action recorded for each (if any). */
  deviations?: { key: string; summary: string; action?: { action: string; by: string; at: string } }[];
}

/** A project: health, stage timeline (planned vs actual), gates and approvals, risks, latest events. */
export function projectPage({
  detail,
  health,
  events,
  now,
  criteria,
  deviations = [],
}: ProjectPageInput): string {
  const { project } = detail;
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
  const { project } = detail;
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
  const actual = (s: Stage) =>
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
  const tz = detail.project.timezone;
  const names = new Map(detail.project.stages.map((s) => [s.key, s.name]));
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

function deviationsTable(deviations: NonNullable<ProjectPageInput['deviations']>, tz: string): SafeHtml {
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

// ---- outbox ---------------------------------------------------------------------------------

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
export function outboxPage(emails: OutboxEmail[]): string {
  const items = [...emails].reverse().map((e) => {
    const links = emailLinks(e);
    return html`<article class="email">
<h2>${e.subject}</h2>
<dl><dt>To</dt><dd>${e.to.join(', ')}</dd><dt>From</dt><dd>${e.from}</dd><dt>Sent</dt><dd>${e.sentAt}</dd></dl>
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
    html`<h1>Outbox</h1><p class="muted">Every email milepost sent (${emails.length}). JSON: <a href="/api/outbox">/api/outbox</a>.</p><section>${
      items.length ? items : html`<p>No emails yet.</p>`
    }</section>`,
  );
}

/** The page for a path the dashboard does not have. */
export function notFoundPage(): string {
  return page('Not found', html`<h1>Not found</h1><p><a href="/">Back to the portfolio</a></p>`);
}
