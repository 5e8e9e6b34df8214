/**
 * The console's budget and time section of a project page: the budget burn (money and hours
 * against the effective budget, billable value, EAC and VAC), the time entries and expenses, and
 * the form that records time (person from the team, day, hours, task, note), which comes back with
 * each error under its field. Staff only: the console is the MSP's.
 */
import type { BudgetBurn } from '../../budget.js';
import { html, type SafeHtml } from '../../html.js';
import type { Expense, TimeEntry } from '../../model.js';
import { money } from '../../stages/stage-type.js';
import { type FieldSpec, type FormState, field } from './forms.js';
import { csrfField, type PageSession, page } from './layout.js';

/** What the time form offers: the team and the tasks of the project. */
export interface TimeFormProject {
  id: string;
  name: string;
  team: { email: string; name: string; role: string }[];
  tasks: { id: string; name: string }[];
}

/** The fields of the time form. */
export function timeFields(project: TimeFormProject): FieldSpec[] {
  return [
    {
      name: 'person',
      label: 'Person',
      kind: 'select',
      options: project.team.map((m) => [m.email, `${m.name} (${m.role})`]),
      required: true,
    },
    { name: 'date', label: 'Day worked', kind: 'date', required: true, hint: 'Not after today' },
    {
      name: 'hours',
      label: 'Hours',
      kind: 'number',
      step: '0.25',
      required: true,
      hint: 'More than 0, at most 24',
    },
    {
      name: 'task',
      label: 'Task',
      kind: 'select',
      options: project.tasks.map((t) => [t.id, `${t.name} (${t.id})`]),
    },
    { name: 'note', label: 'Note', kind: 'textarea' },
  ];
}

/** The form that records time (POST /projects/{id}/time-entries). */
export function timeEntryForm(project: TimeFormProject, state: FormState, session: PageSession): SafeHtml {
  const summary =
    state.formError || Object.keys(state.errors).length
      ? html`<div class="error-summary" role="alert">${state.formError ?? 'Some fields need attention: see the messages under them.'}</div>`
      : '';
  return html`<form method="post" action="/projects/${encodeURIComponent(project.id)}/time-entries" class="stack" novalidate>
${summary}${csrfField(session)}
${timeFields(project).map((f) => field(f, state, 'time'))}
<div><button type="submit">Record time</button></div>
</form>`;
}

/** The time form again, on its own page, with its errors. */
export function timeEntryFormPage(project: TimeFormProject, state: FormState, session: PageSession): string {
  return page(
    'Record time',
    html`<p><a href="/projects/${encodeURIComponent(project.id)}">← ${project.name}</a></p><h1>Record time</h1><section>${timeEntryForm(
      project,
      state,
      session,
    )}</section>`,
    session,
  );
}

/** The burn as a definition list. */
function burnList(burn: BudgetBurn): SafeHtml {
  const m = (n: number) => money(n, burn.currency);
  const bar = Math.min(100, burn.burnPercent);
  return html`<dl>
<dt>Budget burn</dt><dd><span class="bar" aria-hidden="true"><span style="display:block;height:100%;width:${bar}%;background:${
    burn.overBudget ? '#c53030' : burn.burnPercent >= 75 ? '#b7791f' : '#2f855a'
  }"></span></span> ${m(burn.actualCost)} of ${m(burn.budget)} (${burn.burnPercent}%)${
    burn.overBudget
      ? html` <strong>over budget: the next gate needs a change request that raises it</strong>`
      : ''
  }</dd>
<dt>Actual cost</dt><dd>time ${m(burn.timeCost)}, resources ${m(burn.resources)}, expenses ${m(burn.expenses)}</dd>
<dt>Hours</dt><dd>${burn.hours} of ${burn.budgetHours} (${burn.hoursBurnPercent}%)</dd>
<dt>Billable value</dt><dd>${m(burn.billable)}</dd>
<dt>Estimate at completion</dt><dd>${m(burn.eac)} <span class="small muted">${burn.eacMethod}</span></dd>
<dt>Variance at completion</dt><dd>${m(burn.vac)}</dd>
<dt>Thresholds</dt><dd>${burn.thresholds.map((t) => `${t}%`).join(', ')}${
    burn.crossed.length
      ? html` <span class="small muted">(passed: ${burn.crossed.map((t) => `${t}%`).join(', ')})</span>`
      : ''
  }</dd>
</dl>`;
}

function entriesTable(entries: TimeEntry[], currency: string): SafeHtml {
  if (entries.length === 0) return html`<p class="muted">No time recorded.</p>`;
  const recent = [...entries].reverse().slice(0, 50);
  return html`<table><caption class="small muted">Time, latest day first${
    entries.length > recent.length ? ` (${recent.length} of ${entries.length})` : ''
  }</caption><thead><tr><th>Day</th><th>Person</th><th>Hours</th><th>Task</th><th>Cost</th><th>Note</th></tr></thead><tbody>${recent.map(
    (e) =>
      html`<tr><td>${e.date}</td><td>${e.person}<div class="small muted">${e.role}</div></td><td>${e.hours}</td><td>${
        e.task ?? ''
      }</td><td>${money(e.cost, currency)}</td><td>${e.note ?? ''}</td></tr>`,
  )}</tbody></table>`;
}

function expensesTable(expenses: Expense[], currency: string): SafeHtml {
  if (expenses.length === 0) return html``;
  return html`<table><caption class="small muted">Expenses</caption><thead><tr><th>Day</th><th>What</th><th>Amount</th><th>Billable</th></tr></thead><tbody>${expenses.map(
    (x) =>
      html`<tr><td>${x.date}</td><td>${x.description}</td><td>${money(x.amount, currency)}</td><td>${x.billable ? 'yes' : 'no'}</td></tr>`,
  )}</tbody></table>`;
}

/** The section of the project page: burn, time entries, expenses and (for the team) the time form. */
export function budgetSection(input: {
  burn: BudgetBurn;
  entries: TimeEntry[];
  expenses: Expense[];
  project: TimeFormProject;
  /** Today in the project's time zone: the form's day unless changed. */
  today: string;
  /** The signed-in person may change the project: the form is shown. */
  forms?: PageSession;
}): SafeHtml {
  const { burn, forms } = input;
  // Most time is recorded by the person who worked it, on the day: the form starts there.
  const self = forms?.email.toLowerCase();
  const person = input.project.team.some((m) => m.email.toLowerCase() === self) ? self : undefined;
  const values = { date: input.today, ...(person ? { person } : {}) };
  return html`<section id="budget" tabindex="0" aria-labelledby="budget-h"><h2 id="budget-h">Budget and time <span class="small muted">(internal)</span></h2>${burnList(
    burn,
  )}${entriesTable(input.entries, burn.currency)}${expensesTable(input.expenses, burn.currency)}${
    forms
      ? html`<details><summary>Record time</summary>${timeEntryForm(input.project, { values, errors: {} }, forms)}</details>`
      : ''
  }</section>`;
}
