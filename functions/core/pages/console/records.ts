/**
 * The project page's tables of the QA and deployment records: test cases (by category, with
 * result, waiver, evidence and tester), deployment records (window, steps, rollback plan,
 * result) and training sessions (date, audience, attendees, materials), each with its edit link
 * for people who may change the project. Every value is escaped by `html`.
 */
import { html, type SafeHtml } from '../../html.js';
import type { DeploymentRecord, TestCase, TrainingSession } from '../../model.js';
import { formatTime, type PageSession } from './layout.js';

const editLink = (base: string, segment: string, id: string, label: string) =>
  html`<a href="${base}/${segment}/${encodeURIComponent(id)}" aria-label="${label}">Edit</a>`;

const changeHead = (forms: PageSession | undefined) =>
  forms ? html`<th><span class="muted">Change</span></th>` : '';

const CATEGORY: Record<TestCase['category'], string> = {
  functional: 'functional',
  integration: 'integration',
  security: 'security',
  performance: 'performance',
  user_acceptance: 'user acceptance',
};
const CATEGORY_ORDER = Object.keys(CATEGORY);

/** A link is shown as a link (http/https only); anything else as text. */
function evidence(text: string | undefined): SafeHtml | '' {
  if (!text) return '';
  return /^https?:\/\/\S+$/.test(text)
    ? html`<div class="small"><a href="${text}" rel="noreferrer noopener">evidence</a></div>`
    : html`<div class="small muted">${text}</div>`;
}

/** The test cases, by category, then id. */
export function testCasesTable(tests: TestCase[], base: string, forms: PageSession | undefined): SafeHtml {
  if (tests.length === 0) return html`<p class="muted">No test cases recorded.</p>`;
  const sorted = [...tests].sort(
    (a, b) =>
      CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category) || a.id.localeCompare(b.id),
  );
  return html`<table><thead><tr><th>Test case</th><th>Category</th><th>Result</th><th>Tester</th>${changeHead(
    forms,
  )}</tr></thead><tbody>${sorted.map(
    (t) =>
      html`<tr><td>${t.name}<div class="small muted">${t.id} · expected: ${t.expectedResult}</div></td><td>${
        CATEGORY[t.category]
      }</td><td class="status">${t.result.replace('_', ' ')}${
        t.waiverReason ? html`<div class="small muted">waived: ${t.waiverReason}</div>` : ''
      }${evidence(t.evidence)}</td><td>${t.tester ?? ''}</td>${
        forms ? html`<td>${editLink(base, 'test-cases', t.id, `Edit test case ${t.name}`)}</td>` : ''
      }</tr>`,
  )}</tbody></table>`;
}

/** The deployment records. */
export function deploymentsTable(
  deployments: DeploymentRecord[],
  base: string,
  forms: PageSession | undefined,
  timezone: string,
): SafeHtml {
  if (deployments.length === 0) return html`<p class="muted">No deployments recorded.</p>`;
  const when = (iso: string | undefined) => (iso ? formatTime(iso, timezone) : '');
  return html`<table><thead><tr><th>Deployment</th><th>Window</th><th>Rollback plan</th><th>Result</th>${changeHead(
    forms,
  )}</tr></thead><tbody>${deployments.map(
    (d) =>
      html`<tr><td>${d.name}<div class="small muted">${d.id}${d.deployedBy ? ` · by ${d.deployedBy}` : ''}${
        d.steps.length ? ` · ${d.steps.length} step(s)` : ''
      }</div></td><td>${d.windowStart ? html`${when(d.windowStart)} to ${when(d.windowEnd)}` : html`<span class="muted">not set</span>`}</td><td>${
        d.rollbackPlan ?? html`<span class="muted">none yet</span>`
      }</td><td class="status">${d.result ? d.result.replace('_', ' ') : 'planned'}${
        d.resultNotes ? html`<div class="small muted">${d.resultNotes}</div>` : ''
      }</td>${forms ? html`<td>${editLink(base, 'deployments', d.id, `Edit deployment ${d.name}`)}</td>` : ''}</tr>`,
  )}</tbody></table>`;
}

/** The training sessions, by date. */
export function trainingTable(
  sessions: TrainingSession[],
  base: string,
  forms: PageSession | undefined,
): SafeHtml {
  if (sessions.length === 0) return html`<p class="muted">No training sessions recorded.</p>`;
  const sorted = [...sessions].sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id));
  return html`<table><thead><tr><th>Session</th><th>Date</th><th>Audience</th><th>Attendees</th><th>Materials</th>${changeHead(
    forms,
  )}</tr></thead><tbody>${sorted.map(
    (s) =>
      html`<tr><td>${s.title}<div class="small muted">${s.id}${s.trainer ? ` · ${s.trainer}` : ''}</div></td><td>${
        s.date
      }</td><td>${s.audience}</td><td>${s.attendees.length ? s.attendees.join(', ') : html`<span class="muted">none yet</span>`}</td><td>${s.materials.join(
        ', ',
      )}</td>${forms ? html`<td>${editLink(base, 'training-sessions', s.id, `Edit training session ${s.title}`)}</td>` : ''}</tr>`,
  )}</tbody></table>`;
}
