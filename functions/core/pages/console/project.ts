/**
 * The console's project page (`/projects/{id}`): what blocks the current stage, health, the stage
 * timeline picture (planned against actual), deviations and their corrective actions, gates and
 * approvals, tasks and deliverables, the risk heat map and risks, team, resources, test cases,
 * deployments and training sessions, documents and a
 * page of events, with the forms of the PM's actions for those who may change the project. It renders the staff API's read model (getProjectDetail), so the page and
 * `GET /api/projects/{id}` cannot disagree. Gates arrive without task tokens and link hashes.
 */

import { formatWaited, formatWaitTotal } from '../../customer-wait.js';
import { versionsOf } from '../../documents/model.js';
import { html, type SafeHtml } from '../../html.js';
import type { Expense, Project, ProjectEvent, Risk, TeamMember, TimeEntry } from '../../model.js';
import { localDate } from '../../time.js';
import type { ProjectDetail, StageView } from '../../use-cases/staff-get-project.js';
import type { ChangeRequestView } from '../../use-cases/staff-list-change-requests.js';
import { budgetSection, type TimeFormProject } from './budget.js';
import { changeRequestsSection } from './change-requests.js';
import {
  correctiveActionForm,
  emptyForm,
  type FormProject,
  RECORD_FORMS,
  type RecordKind,
  recordForm,
} from './forms.js';
import { csrfField, formatTime, type PageSession, page, ragChip } from './layout.js';
import { deploymentsTable, testCasesTable, trainingTable } from './records.js';

export interface ProjectPageInput {
  /** The project as the staff API reads it (stages, gates, risks, health, criteria, deviations). */
  detail: ProjectDetail;
  /** One page of events, newest first. */
  events: ProjectEvent[];
  now: Date;
  /** The signed-in person (header, CSRF token of the forms). */
  session?: PageSession;
  /** The person may change the project: the forms are shown. */
  mayChange?: boolean;
  /** The cursor of the next (older) page of events, and whether this page is not the first. */
  olderEvents?: string;
  pagedEvents?: boolean;
  /** What the last form did, in a sentence. */
  notice?: string;
  /** The time entries and expenses (the budget section shows them with the burn). */
  money?: { entries: TimeEntry[]; expenses: Expense[] };
  /** The baseline version and the change requests (their section shows when given). */
  changeRequests?: { baseline: number; items: ChangeRequestView[] };
}

/** What the time form needs to know about a project: its team and its tasks. */
export function timeFormProject(detail: ProjectDetail): TimeFormProject {
  return {
    id: detail.id,
    name: detail.name,
    team: detail.team.map((m) => ({ email: m.email, name: m.name, role: m.role })),
    tasks: detail.tasks.map((t) => ({ id: t.id, name: t.name })),
  };
}

/** Everything the forms of a project need to know about it. */
export function formProject(detail: ProjectDetail): FormProject {
  return formProjectOf(
    { ...detail, stages: [...detail.stages].sort((a, b) => a.order - b.order) },
    detail.team,
  );
}

/** The same from the stored project (its stages in order) and its team members, as a form posted back reads them. */
export function formProjectOf(
  project: Pick<Project, 'id' | 'name' | 'currentStage'> & { stages: { key: string; name: string }[] },
  members: Pick<TeamMember, 'email' | 'name'>[],
): FormProject {
  return {
    id: project.id,
    name: project.name,
    currentStage: project.currentStage,
    stages: project.stages.map((s) => ({ key: s.key, name: s.name })),
    team: members.map((m) => ({ email: m.email, name: m.name })),
  };
}

/**
 * A project: what blocks the current stage (and the submit form), health, the stage timeline,
 * deviations with their corrective actions, gates and approvers, tasks and deliverables, risks,
 * team, resources, documents and a page of events. The forms show only to people who may change
 * the project (its team and admins); the others read it.
 */
export function projectPage(input: ProjectPageInput): string {
  const { detail, events, now, session } = input;
  const { health, criteria, deviations } = detail;
  const project = detail;
  const tz = project.timezone;
  const current = project.stages.find((s) => s.key === project.currentStage);
  const forms = session && input.mayChange ? session : undefined;
  const fp = formProject(detail);
  const base = `/projects/${encodeURIComponent(project.id)}`;
  const submit =
    forms && criteria && current
      ? html`<form method="post" action="${base}/stages/${encodeURIComponent(current.key)}/submit">${csrfField(
          forms,
        )}<button type="submit">Submit ${current.name} for its gate</button></form>`
      : '';
  const body = html`<h1>${project.name}</h1>
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : ''}
${
  session && !input.mayChange
    ? html`<p class="notice">You can read this project. Only its team and administrators can change it.</p>`
    : ''
}
<section tabindex="0" aria-labelledby="summary-h"><h2 id="summary-h">Where it stands</h2><dl>
<dt>Customer</dt><dd>${project.customerName}</dd>
<dt>Status</dt><dd class="status">${project.status}</dd>
<dt>Current stage</dt><dd>${current?.name ?? project.currentStage}</dd>
${
  criteria
    ? html`<dt>Exit criteria</dt><dd>${
        criteria.met
          ? 'hold'
          : html`not yet (these block the stage):<ul class="unmet">${criteria.unmet.map((u) => html`<li>${u}</li>`)}</ul>`
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
</dl>${submit}</section>
<section tabindex="0" aria-labelledby="timeline-h"><h2 id="timeline-h">Stage timeline</h2>${timelineSvg(detail, now)}
<table><thead><tr><th>Stage</th><th>Status</th><th>Due</th><th>Started</th><th>Completed</th><th>Rework</th></tr></thead>
<tbody>${detail.stages.map(
    (s) =>
      html`<tr><td>${s.name}</td><td class="status">${s.status}</td><td>${s.due ?? ''}</td><td>${formatTime(
        s.startedAt,
        tz,
      )}</td><td>${formatTime(s.completedAt, tz)}</td><td>${s.reworkCount || ''}</td></tr>`,
  )}</tbody></table></section>
${
  deviations.length
    ? html`<section id="deviations" tabindex="0" aria-labelledby="deviations-h"><h2 id="deviations-h">Deviations</h2>${deviationsTable(
        project.id,
        deviations,
        tz,
        forms,
      )}</section>`
    : ''
}
<section id="gates" tabindex="0" aria-labelledby="gates-h"><h2 id="gates-h">Gates and approvals</h2>${gatesTable(detail)}</section>
${
  input.changeRequests
    ? changeRequestsSection(
        { ...fp, baseline: input.changeRequests.baseline, timezone: tz },
        input.changeRequests.items,
        forms,
      )
    : ''
}
<section id="tasks" tabindex="0" aria-labelledby="tasks-h"><h2 id="tasks-h">Tasks and deliverables</h2>${tasksTable(detail, base, forms)}${
    forms ? addForm('task', fp, forms, { stage: detail.currentStage, status: 'todo', type: 'task' }) : ''
  }</section>
<section id="risks" tabindex="0" aria-labelledby="risks-h"><h2 id="risks-h">Risks</h2>${heatMap(detail.risks)}${risksTable(detail.risks, base, forms)}${
    forms ? addForm('risk', fp, forms, { status: 'open' }) : ''
  }</section>
<section id="team" tabindex="0" aria-labelledby="team-h"><h2 id="team-h">Team</h2>${teamTable(detail, base, forms)}${
    forms ? addForm('member', fp, forms) : ''
  }</section>
<section id="resources" tabindex="0" aria-labelledby="resources-h"><h2 id="resources-h">Resources</h2>${resourcesTable(detail, base, forms)}${
    forms ? addForm('resource', fp, forms) : ''
  }</section>
${budgetSection({
  burn: detail.budget,
  entries: input.money?.entries ?? [],
  expenses: input.money?.expenses ?? [],
  project: timeFormProject(detail),
  today: localDate(now, tz),
  ...(forms ? { forms } : {}),
})}
<section id="test-cases" tabindex="0" aria-labelledby="test-cases-h"><h2 id="test-cases-h">Test cases</h2>${testCasesTable(detail.testCases, base, forms)}${
    forms ? addForm('testCase', fp, forms, { result: 'not_run' }) : ''
  }</section>
<section id="deployments" tabindex="0" aria-labelledby="deployments-h"><h2 id="deployments-h">Deployments</h2>${deploymentsTable(detail.deployments, base, forms, tz)}${
    forms ? addForm('deployment', fp, forms) : ''
  }</section>
<section id="training" tabindex="0" aria-labelledby="training-h"><h2 id="training-h">Training sessions</h2>${trainingTable(detail.trainingSessions, base, forms)}${
    forms ? addForm('training', fp, forms) : ''
  }</section>
<section id="lessons" tabindex="0" aria-labelledby="lessons-h"><h2 id="lessons-h">Lessons learned</h2>${lessonsTable(detail, base, forms)}${
    forms ? addForm('lesson', fp, forms) : ''
  }</section>
<section id="documents" tabindex="0" aria-labelledby="documents-h"><h2 id="documents-h">Documents</h2>${documentsList(detail, base)}</section>
<section id="events" tabindex="0" aria-labelledby="events-h"><h2 id="events-h">Events</h2>${eventsTable(events, tz)}<p>${
    input.pagedEvents ? html`<a href="${base}#events">Newest events</a> ` : ''
  }${input.olderEvents ? html`<a href="${base}?${new URLSearchParams({ cursor: input.olderEvents }).toString()}#events">Older events</a>` : ''}</p></section>`;
  return page(project.name, body, session);
}

function addForm(
  kind: RecordKind,
  project: FormProject,
  session: PageSession,
  values: Record<string, string> = {},
): SafeHtml {
  return html`<details><summary>Add a ${RECORD_FORMS[kind].noun}</summary>${recordForm(
    kind,
    project,
    emptyForm(values),
    session,
  )}</details>`;
}

const editLink = (base: string, segment: string, id: string, label: string) =>
  html`<a href="${base}/${segment}/${encodeURIComponent(id)}" aria-label="${label}">Edit</a>`;

function tasksTable(detail: ProjectDetail, base: string, forms: PageSession | undefined): SafeHtml {
  if (detail.tasks.length === 0) return html`<p class="muted">No tasks or deliverables recorded.</p>`;
  const names = new Map(detail.stages.map((s) => [s.key, s.name]));
  const order = new Map(detail.stages.map((s) => [s.key, s.order]));
  const tasks = [...detail.tasks].sort(
    (a, b) => (order.get(a.stage) ?? 0) - (order.get(b.stage) ?? 0) || a.id.localeCompare(b.id),
  );
  return html`<table><thead><tr><th>Task</th><th>Stage</th><th>Status</th><th>Estimate</th><th>Hours</th><th>Due</th>${
    forms ? html`<th><span class="muted">Change</span></th>` : ''
  }</tr></thead><tbody>${tasks.map(
    (t) =>
      html`<tr><td>${t.name}<div class="small muted">${t.type} · ${t.id}${t.assignee ? ` · ${t.assignee}` : ''}</div></td><td>${
        names.get(t.stage) ?? t.stage
      }</td><td class="status">${t.status.replace('_', ' ')}${
        t.waiverReason ? html`<div class="small muted">${t.waiverReason}</div>` : ''
      }</td><td>${t.estimateHours}</td><td>${t.actualHours}</td><td>${t.due ?? ''}</td>${
        forms ? html`<td>${editLink(base, 'tasks', t.id, `Edit ${t.type} ${t.name}`)}</td>` : ''
      }</tr>`,
  )}</tbody></table>`;
}

function teamTable(detail: ProjectDetail, base: string, forms: PageSession | undefined): SafeHtml {
  if (detail.team.length === 0) return html`<p class="muted">No team members recorded.</p>`;
  return html`<table><thead><tr><th>Name</th><th>Role</th><th>Skills</th><th>Allocation</th>${
    forms ? html`<th><span class="muted">Change</span></th>` : ''
  }</tr></thead><tbody>${detail.team.map(
    (m) =>
      html`<tr><td>${m.name}<div class="small muted">${m.email}</div></td><td>${m.role}</td><td>${m.skills.join(
        ', ',
      )}</td><td>${m.allocation}%</td>${forms ? html`<td>${editLink(base, 'team', m.email, `Edit ${m.name}`)}</td>` : ''}</tr>`,
  )}</tbody></table>`;
}

/** The lessons learned the close-out report will list. */
function lessonsTable(detail: ProjectDetail, base: string, forms: PageSession | undefined): SafeHtml {
  if (detail.lessons.length === 0) return html`<p class="muted">No lessons learned recorded.</p>`;
  return html`<table><thead><tr><th>Lesson</th><th>What happened</th><th>Repeat or change</th><th>Recommendation</th>${
    forms ? html`<th><span class="muted">Change</span></th>` : ''
  }</tr></thead><tbody>${detail.lessons.map(
    (l) =>
      html`<tr><td>${l.title}<div class="small muted">${l.id}</div></td><td>${l.whatHappened}</td><td>${l.kind}</td><td>${
        l.recommendation
      }</td>${forms ? html`<td>${editLink(base, 'lessons', l.id, `Edit ${l.title}`)}</td>` : ''}</tr>`,
  )}</tbody></table>`;
}

function resourcesTable(detail: ProjectDetail, base: string, forms: PageSession | undefined): SafeHtml {
  if (detail.resources.length === 0) return html`<p class="muted">No resources recorded.</p>`;
  return html`<table><thead><tr><th>Resource</th><th>Kind</th><th>Quantity</th><th>Cost</th>${
    forms ? html`<th><span class="muted">Change</span></th>` : ''
  }</tr></thead><tbody>${detail.resources.map(
    (r) =>
      html`<tr><td>${r.name}<div class="small muted">${r.id}</div></td><td>${r.kind}</td><td>${r.quantity ?? ''}</td><td>${
        r.cost ?? ''
      }</td>${forms ? html`<td>${editLink(base, 'resources', r.id, `Edit ${r.name}`)}</td>` : ''}</tr>`,
  )}</tbody></table>`;
}

/** Each document with a download link, its version, time, size and SHA-256, and links to its earlier versions. */
function documentsList(detail: ProjectDetail, base: string): SafeHtml {
  if (detail.documents.length === 0) return html`<p class="muted">No documents yet.</p>`;
  const tz = detail.timezone;
  const kb = (size: number | undefined) => (size ? `${Math.max(1, Math.round(size / 1024))} KB` : '');
  return html`<ul>${[...detail.documents]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((d) => {
      const href = `${base}/documents/${encodeURIComponent(d.id)}`;
      const earlier = versionsOf(d).filter((v) => v.docVersion !== d.docVersion);
      return html`<li><a href="${href}" download>${d.title}</a> <span class="small muted">version ${d.docVersion}, ${formatTime(
        d.createdAt,
        tz,
      )}${d.size ? html`, PDF ${kb(d.size)}` : ''}</span><br><span class="small muted">SHA-256 <code class="hash">${d.sha256}</code></span>${
        earlier.length
          ? html`<br><span class="small">Earlier versions: ${earlier.map(
              (v, i) =>
                html`${i ? ', ' : ''}<a href="${href}?version=${v.docVersion}" download>v${v.docVersion}</a>`,
            )}</span>`
          : ''
      }</li>`;
    })}</ul>`;
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

function deviationsTable(
  projectId: string,
  deviations: ProjectDetail['deviations'],
  tz: string,
  forms: PageSession | undefined,
): SafeHtml {
  return html`<table><thead><tr><th>Deviation</th><th>Corrective action</th></tr></thead><tbody>${deviations.map(
    (d, i) =>
      html`<tr><td>${d.summary}<br><small>${d.key}</small></td><td>${
        d.action
          ? html`${d.action.action}<br><small>${d.action.by}, ${formatTime(d.action.at, tz)}</small>`
          : html`<strong>needs a corrective action</strong>`
      }${forms ? correctiveActionForm(projectId, d, emptyForm(), forms, i) : ''}</td></tr>`,
  )}</tbody></table>`;
}

function risksTable(risks: Risk[], base: string, forms: PageSession | undefined): SafeHtml {
  if (risks.length === 0) return html`<p class="muted">No risks recorded.</p>`;
  return html`<table><thead><tr><th>Risk</th><th>Score</th><th>Owner</th><th>Mitigation</th><th>Status</th>${
    forms ? html`<th><span class="muted">Change</span></th>` : ''
  }</tr></thead>
<tbody>${[...risks]
    .sort((a, b) => b.likelihood * b.impact - a.likelihood * a.impact)
    .map(
      (r) =>
        html`<tr><td>${r.title}<div class="small muted">${r.id}</div></td><td>${r.likelihood} × ${r.impact} = ${
          r.likelihood * r.impact
        }</td><td>${r.owner ?? ''}</td><td>${r.mitigation ?? ''}</td><td>${r.status}</td>${
          forms ? html`<td>${editLink(base, 'risks', r.id, `Edit risk ${r.title}`)}</td>` : ''
        }</tr>`,
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
