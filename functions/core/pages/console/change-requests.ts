/**
 * The console's change requests: the list on the project page (status, each change old → new, the
 * decision, the YAML patch of an approved one to commit to the spec file) and the form that raises
 * one. Empty fields of the form change nothing; list fields take one item per line and replace
 * the whole list; a deliverable is `id | stage | name | acceptance`.
 */
import { describeValue } from '../../change-requests/baseline.js';
import { html, type SafeHtml } from '../../html.js';
import type { BaselineValue } from '../../model.js';
import type { ChangeRequestView } from '../../use-cases/staff-list-change-requests.js';
import { emptyForm, type FieldSpec, type FormProject, type FormState, field } from './forms.js';
import { csrfField, formatTime, type PageSession, page } from './layout.js';

/** The form's fields: the baseline's, then one due date per stage, then reason and impact. */
export function changeRequestFields(project: FormProject): FieldSpec[] {
  return [
    { name: 'budgetAmount', label: 'New budget (money)', kind: 'number', step: '0.01' },
    { name: 'budgetHours', label: 'New budget (hours)', kind: 'number', step: '0.5' },
    { name: 'timelineEnd', label: 'New timeline end', kind: 'date' },
    { name: 'scopeIn', label: 'In scope', kind: 'textarea', hint: 'One item per line; replaces the list' },
    {
      name: 'scopeOut',
      label: 'Out of scope',
      kind: 'textarea',
      hint: 'One item per line; replaces the list',
    },
    {
      name: 'deliverables',
      label: 'Deliverables',
      kind: 'textarea',
      hint: 'One per line: id | stage | name | acceptance; replaces the list',
    },
    ...project.stages.map(
      (s): FieldSpec => ({ name: `due.${s.key}`, label: `New due date of ${s.name}`, kind: 'date' }),
    ),
    { name: 'reason', label: 'Reason', kind: 'textarea', required: true },
    {
      name: 'impact',
      label: 'Impact',
      kind: 'textarea',
      required: true,
      hint: 'On scope, cost and schedule',
    },
  ];
}

/**
 * The form's values as the API's input (only what was filled in), or an error per field for what
 * cannot be read (a number that is not one, a deliverable line without its four parts).
 */
export function changeRequestInput(values: Record<string, string>): {
  input: Record<string, unknown>;
  errors: Record<string, string>;
} {
  const errors: Record<string, string> = {};
  const get = (name: string) => (values[name] ?? '').trim();
  const lines = (name: string) =>
    get(name)
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
  const number = (name: string) => {
    const raw = get(name);
    if (!raw) return undefined;
    const n = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(n)) errors[name] = 'must be a number';
    return n;
  };
  const changes: Record<string, unknown> = {};
  const budget = { amount: number('budgetAmount'), hours: number('budgetHours') };
  if (budget.amount !== undefined || budget.hours !== undefined)
    changes.budget = Object.fromEntries(Object.entries(budget).filter(([, v]) => v !== undefined));
  if (get('timelineEnd')) changes.timeline = { end: get('timelineEnd') };
  const scope = {
    ...(get('scopeIn') ? { in: lines('scopeIn') } : {}),
    ...(get('scopeOut') ? { out: lines('scopeOut') } : {}),
  };
  if (Object.keys(scope).length) changes.scope = scope;
  if (get('deliverables')) {
    changes.deliverables = lines('deliverables').map((line) => {
      const [id, stage, name, acceptance] = line.split('|').map((p) => p.trim());
      if (!id || !stage || !name || !acceptance)
        errors.deliverables = 'each line needs id | stage | name | acceptance';
      return { id, stage, name, acceptance };
    });
  }
  const stages: Record<string, { due: string }> = {};
  for (const [name, value] of Object.entries(values)) {
    if (name.startsWith('due.') && value.trim()) stages[name.slice(4)] = { due: value.trim() };
  }
  if (Object.keys(stages).length) changes.stages = stages;
  return { input: { changes, reason: get('reason'), impact: get('impact') }, errors };
}

/** The form field an API issue path is about (`changes.budget.amount` → `budgetAmount`). */
export function changeRequestField(path: string): string {
  const parts = path.split('.');
  if (parts[0] !== 'changes') return parts[0] || '(form)';
  const key = parts.slice(1, 3).join('.');
  const known: Record<string, string> = {
    'budget.amount': 'budgetAmount',
    'budget.hours': 'budgetHours',
    'timeline.end': 'timelineEnd',
    'scope.in': 'scopeIn',
    'scope.out': 'scopeOut',
  };
  if (known[key]) return known[key];
  if (parts[1] === 'deliverables') return 'deliverables';
  if (parts[1] === 'stages' && parts[2]) return `due.${parts[2]}`;
  return 'reason';
}

/** The form that raises a change request. */
export function changeRequestForm(project: FormProject, state: FormState, session: PageSession): SafeHtml {
  const errors = Object.keys(state.errors).length;
  return html`<form method="post" action="/projects/${encodeURIComponent(project.id)}/change-requests" class="stack" novalidate>
${
  state.formError || errors
    ? html`<div class="error-summary" role="alert">${state.formError ?? ''}${
        errors ? html`${state.formError ? html`<br>` : ''}Fields that need attention are marked below.` : ''
      }</div>`
    : ''
}${csrfField(session)}
<p class="hint">Fill in only what changes. The sponsor decides through an emailed link.</p>
${changeRequestFields(project).map((f) => field(f, state, 'change'))}
<div><button type="submit">Raise the change request</button></div>
</form>`;
}

/** The form again with its errors (or the reason it was refused). */
export function changeRequestFormPage(project: FormProject, state: FormState, session: PageSession): string {
  return page(
    'Raise a change request',
    html`<p><a href="/projects/${encodeURIComponent(project.id)}">← ${project.name}</a></p><h1>Raise a change request</h1><section>${changeRequestForm(
      project,
      state,
      session,
    )}</section>`,
    session,
  );
}

const shown = (v: BaselineValue | unknown) => describeValue(v as BaselineValue);

/** The project page's section: the baseline version, every request, and the form for the team. */
export function changeRequestsSection(
  project: FormProject & { baseline: number; timezone: string },
  requests: ChangeRequestView[],
  forms: PageSession | undefined,
): SafeHtml {
  const tz = project.timezone;
  return html`<section id="change-requests" tabindex="0" aria-labelledby="change-requests-h"><h2 id="change-requests-h">Change requests</h2>
<p>Baseline version ${project.baseline}.</p>
${
  requests.length
    ? html`<table><thead><tr><th>Request</th><th>Status</th><th>Changes (old → new)</th><th>Reason and impact</th><th>Decision</th></tr></thead><tbody>${requests.map(
        (
          r,
        ) => html`<tr><td>${r.id}<br><span class="small muted">${r.raisedBy}, ${formatTime(r.raisedAt, tz)}</span></td>
<td class="status">${r.status}${r.staleFields?.length ? html`<br><span class="small">moved: ${r.staleFields.join(', ')}</span>` : ''}</td>
<td><ul>${r.changes.map((c) => html`<li>${c.label}: ${shown(c.old)} → ${shown(c.new)}</li>`)}</ul></td>
<td>${r.reason}<br><span class="small muted">${r.impact}</span></td>
<td>${
          r.decision
            ? html`${r.decision.decision === 'approve' ? 'approved' : 'rejected'} by ${r.decision.name ?? r.decision.by}, ${formatTime(r.decision.at, tz)}${
                r.decision.comment ? html`<br><q>${r.decision.comment}</q>` : ''
              }`
            : html`waiting for ${r.approvers.join(', ')}`
        }${
          r.patch
            ? html`<details><summary>YAML patch for the spec file</summary><pre>${r.patch}</pre></details>`
            : ''
        }</td></tr>`,
      )}</tbody></table>`
    : html`<p>No change requests.</p>`
}
${forms ? html`<details><summary>Raise a change request</summary>${changeRequestForm(project, emptyForm(), forms)}</details>` : ''}
</section>`;
}
