/**
 * The console's forms for the PM's actions: create or update a task or deliverable, a risk, a team
 * member, a resource, a test case, a deployment record, a training session; record a corrective
 * action. Each field has a label, its error (when the last
 * post had one) right under it and linked with aria-describedby, and the value that was sent, so a
 * form with errors comes back as the person left it. Every form carries the session's CSRF token.
 * One table (`RECORD_FORMS`) says which fields each kind of record has: the project page, the edit
 * pages and the handlers all read it.
 */
import { html, type SafeHtml } from '../../html.js';
import { DEPLOYMENT_FIELDS } from '../../use-cases/staff-upsert-deployment.js';
import { LESSON_FIELDS } from '../../use-cases/staff-upsert-lesson.js';
import { MEMBER_FIELDS } from '../../use-cases/staff-upsert-member.js';
import { RESOURCE_FIELDS } from '../../use-cases/staff-upsert-resource.js';
import { RISK_FIELDS } from '../../use-cases/staff-upsert-risk.js';
import { TASK_FIELDS } from '../../use-cases/staff-upsert-task.js';
import { TEST_CASE_FIELDS } from '../../use-cases/staff-upsert-test-case.js';
import { TRAINING_SESSION_FIELDS } from '../../use-cases/staff-upsert-training-session.js';
import { csrfField, type PageSession, page } from './layout.js';

/** The kinds of project records the console edits. */
export type RecordKind =
  | 'task'
  | 'risk'
  | 'member'
  | 'resource'
  | 'testCase'
  | 'deployment'
  | 'training'
  | 'lesson';

/** Fields that hold a list: one item per line in the form. */
export const LINE_FIELDS: ReadonlySet<string> = new Set(['steps', 'attendees', 'materials']);

/** What a form shows: the values sent (or stored), the errors by field, one error for the whole form. */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
  formError?: string;
}

export const emptyForm = (values: Record<string, string> = {}): FormState => ({ values, errors: {} });

/** One field of a form. */
export interface FieldSpec {
  name: string;
  label: string;
  kind: 'text' | 'number' | 'date' | 'email' | 'select' | 'textarea';
  options?: [value: string, label: string][];
  hint?: string;
  /** Needed when the record is created. */
  required?: boolean;
  /** A number field's step (default any). */
  step?: string;
  /** Offer the project's team members (their addresses, with their names) as suggestions; any text stays allowed. */
  suggestTeam?: boolean;
  /** A select without the empty "(not set)" choice (a field an update cannot clear). */
  noUnset?: boolean;
}

/** What a record form needs to know about its project. */
export interface FormProject {
  id: string;
  name: string;
  stages: { key: string; name: string }[];
  currentStage: string;
  /** The team members, suggested where a field names a person (assignee, owner). */
  team: { email: string; name: string }[];
}

const STATUS: [string, string][] = [
  ['todo', 'To do'],
  ['in_progress', 'In progress'],
  ['done', 'Done'],
  ['waived', 'Waived (give a reason)'],
];
const SCALE: [string, string][] = [1, 2, 3, 4, 5].map((n) => [String(n), String(n)]);

/** The form of each kind of record: its title, URL segment, id field and fields. */
export const RECORD_FORMS: Record<
  RecordKind,
  {
    noun: string;
    segment: string;
    idField: 'id' | 'email';
    idLabel: string;
    idHint: string;
    fields: (project: FormProject) => FieldSpec[];
    /** The optional fields: emptied on an edit page, they are cleared. */
    clearable: readonly string[];
  }
> = {
  task: {
    noun: 'task or deliverable',
    segment: 'tasks',
    clearable: TASK_FIELDS.optional,
    idField: 'id',
    idLabel: 'Task id',
    idHint: 'Letters, digits, dots, dashes or underscores, e.g. migrate-mail',
    fields: (project) => [
      {
        name: 'type',
        label: 'Type',
        kind: 'select',
        options: [
          ['task', 'Task'],
          ['deliverable', 'Deliverable'],
        ],
      },
      { name: 'name', label: 'Name', kind: 'text', required: true },
      {
        name: 'stage',
        label: 'Stage',
        kind: 'select',
        options: project.stages.map((s) => [s.key, s.name]),
      },
      { name: 'status', label: 'Status', kind: 'select', options: STATUS },
      { name: 'estimateHours', label: 'Estimate (hours)', kind: 'number', step: '0.25' },
      { name: 'actualHours', label: 'Hours spent', kind: 'number', step: '0.25' },
      {
        name: 'assignee',
        label: 'Assignee',
        kind: 'text',
        suggestTeam: true,
        hint: 'A team member’s address or name, so that their capacity counts it',
      },
      { name: 'due', label: 'Due date', kind: 'date' },
      { name: 'acceptance', label: 'Acceptance criteria', kind: 'textarea' },
      {
        name: 'waiverReason',
        label: 'Waiver reason',
        kind: 'textarea',
        hint: 'Needed when the status is Waived',
      },
    ],
  },
  risk: {
    noun: 'risk',
    segment: 'risks',
    clearable: RISK_FIELDS.optional,
    idField: 'id',
    idLabel: 'Risk id',
    idHint: 'Letters, digits, dots, dashes or underscores, e.g. data-loss',
    fields: () => [
      { name: 'title', label: 'Title', kind: 'text', required: true },
      { name: 'likelihood', label: 'Likelihood (1-5)', kind: 'select', options: SCALE, required: true },
      { name: 'impact', label: 'Impact (1-5)', kind: 'select', options: SCALE, required: true },
      { name: 'owner', label: 'Owner', kind: 'text', suggestTeam: true },
      { name: 'mitigation', label: 'Mitigation', kind: 'textarea' },
      {
        name: 'status',
        label: 'Status',
        kind: 'select',
        options: [
          ['open', 'Open'],
          ['mitigated', 'Mitigated'],
          ['closed', 'Closed'],
        ],
      },
      { name: 'reviewBy', label: 'Review by', kind: 'date' },
    ],
  },
  member: {
    noun: 'team member',
    segment: 'team',
    clearable: MEMBER_FIELDS.optional,
    idField: 'email',
    idLabel: 'Email',
    idHint: 'Team members can change the project once added',
    fields: () => [
      { name: 'name', label: 'Name', kind: 'text', required: true },
      { name: 'role', label: 'Role', kind: 'text', required: true },
      { name: 'skills', label: 'Skills', kind: 'text', hint: 'Separated by commas' },
      { name: 'allocation', label: 'Allocation (percent)', kind: 'number', step: '1', required: true },
    ],
  },
  resource: {
    noun: 'resource',
    segment: 'resources',
    clearable: RESOURCE_FIELDS.optional,
    idField: 'id',
    idLabel: 'Resource id',
    idHint: 'Letters, digits, dots, dashes or underscores, e.g. m365-licences',
    fields: () => [
      {
        name: 'kind',
        label: 'Kind',
        kind: 'select',
        options: [
          ['software', 'Software'],
          ['hardware', 'Hardware'],
          ['tool', 'Tool'],
          ['service', 'Service'],
        ],
        required: true,
      },
      { name: 'name', label: 'Name', kind: 'text', required: true },
      { name: 'quantity', label: 'Quantity', kind: 'number', step: '1' },
      { name: 'cost', label: 'Cost', kind: 'number', step: '0.01' },
    ],
  },
  testCase: {
    noun: 'test case',
    segment: 'test-cases',
    clearable: TEST_CASE_FIELDS.optional,
    idField: 'id',
    idLabel: 'Test case id',
    idHint: 'Letters, digits, dots, dashes or underscores, e.g. mail-flow',
    fields: () => [
      { name: 'name', label: 'Name', kind: 'text', required: true },
      {
        name: 'category',
        label: 'Category',
        kind: 'select',
        options: [
          ['functional', 'Functional'],
          ['integration', 'Integration'],
          ['security', 'Security'],
          ['performance', 'Performance'],
          ['user_acceptance', 'User acceptance'],
        ],
        required: true,
      },
      { name: 'steps', label: 'Steps', kind: 'textarea', hint: 'One step per line, in order' },
      { name: 'expectedResult', label: 'Expected result', kind: 'textarea', required: true },
      {
        name: 'result',
        label: 'Result',
        kind: 'select',
        options: [
          ['not_run', 'Not run yet'],
          ['passed', 'Passed'],
          ['failed', 'Failed'],
          ['waived', 'Waived (give a reason)'],
        ],
      },
      {
        name: 'waiverReason',
        label: 'Waiver reason',
        kind: 'textarea',
        hint: 'Needed when the result is Waived; the approver accepts it explicitly',
      },
      {
        name: 'evidence',
        label: 'Evidence',
        kind: 'textarea',
        hint: 'A note or a link that shows the result',
      },
      { name: 'tester', label: 'Tester', kind: 'text' },
    ],
  },
  deployment: {
    noun: 'deployment',
    segment: 'deployments',
    clearable: DEPLOYMENT_FIELDS.optional,
    idField: 'id',
    idLabel: 'Deployment id',
    idHint: 'Letters, digits, dots, dashes or underscores, e.g. cutover',
    fields: () => [
      { name: 'name', label: 'Name', kind: 'text', required: true },
      {
        name: 'windowStart',
        label: 'Window start',
        kind: 'text',
        hint: 'Date and time with its offset, e.g. 2026-12-05T18:00:00Z',
      },
      {
        name: 'windowEnd',
        label: 'Window end',
        kind: 'text',
        hint: 'After the start, e.g. 2026-12-05T22:00:00Z',
      },
      { name: 'steps', label: 'Steps', kind: 'textarea', hint: 'One step per line, in order' },
      {
        name: 'rollbackPlan',
        label: 'Rollback plan',
        kind: 'textarea',
        hint: 'How the change is undone if it fails',
      },
      {
        name: 'result',
        label: 'Result',
        kind: 'select',
        options: [
          ['succeeded', 'Succeeded'],
          ['failed', 'Failed'],
          ['rolled_back', 'Rolled back'],
        ],
        hint: 'Leave unset while the deployment is planned',
      },
      { name: 'resultNotes', label: 'Result notes', kind: 'textarea' },
      { name: 'deployedBy', label: 'Deployed by', kind: 'text' },
    ],
  },
  training: {
    noun: 'training session',
    segment: 'training-sessions',
    clearable: TRAINING_SESSION_FIELDS.optional,
    idField: 'id',
    idLabel: 'Session id',
    idHint: 'Letters, digits, dots, dashes or underscores, e.g. staff-onboarding',
    fields: () => [
      { name: 'title', label: 'Title', kind: 'text', required: true },
      { name: 'date', label: 'Date', kind: 'date', required: true },
      { name: 'audience', label: 'Audience', kind: 'text', required: true },
      {
        name: 'attendees',
        label: 'Attendees',
        kind: 'textarea',
        hint: 'One per line; a session counts as delivered on its date once it has attendees',
      },
      {
        name: 'materials',
        label: 'Materials',
        kind: 'textarea',
        hint: 'One per line: handouts, recordings, links',
      },
      { name: 'trainer', label: 'Trainer', kind: 'text' },
    ],
  },
  lesson: {
    noun: 'lesson learned',
    segment: 'lessons',
    clearable: LESSON_FIELDS.optional,
    idField: 'id',
    idLabel: 'Lesson id',
    idHint: 'Letters, digits, dots, dashes or underscores, e.g. pilot-group',
    fields: (project) => [
      { name: 'title', label: 'Lesson', kind: 'text', required: true },
      { name: 'whatHappened', label: 'What happened', kind: 'textarea', required: true },
      {
        name: 'kind',
        label: 'Repeat or change',
        kind: 'select',
        options: [
          ['repeat', 'Repeat: it went well'],
          ['change', 'Change: do it differently'],
        ],
        required: true,
      },
      { name: 'recommendation', label: 'What to repeat or change', kind: 'textarea', required: true },
      {
        name: 'stage',
        label: 'Stage',
        kind: 'select',
        options: [
          ['', 'Not about one stage'],
          ...project.stages.map((s): [string, string] => [s.key, s.name]),
        ],
      },
    ],
  },
};

/** One labelled field with its hint and error. `prefix` keeps ids unique when a page has several forms. */
export function field(spec: FieldSpec, state: FormState, prefix: string): SafeHtml {
  const id = `${prefix}-${spec.name}`;
  const value = state.values[spec.name] ?? '';
  const error = state.errors[spec.name];
  const described = [spec.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const aria = html`${described ? html` aria-describedby="${described}"` : ''}${error ? html` aria-invalid="true"` : ''}`;
  let control: SafeHtml;
  if (spec.kind === 'select') {
    const options = spec.options ?? [];
    const known = options.some(([v]) => v === value);
    control = html`<select id="${id}" name="${spec.name}"${aria}>${
      spec.required || spec.noUnset || options.some(([v]) => v === '')
        ? ''
        : html`<option value=""${value === '' ? ' selected' : ''}>(not set)</option>`
    }${!known && value !== '' ? html`<option value="${value}" selected>${value}</option>` : ''}${options.map(
      ([v, label]) => html`<option value="${v}"${v === value ? ' selected' : ''}>${label}</option>`,
    )}</select>`;
  } else if (spec.kind === 'textarea') {
    control = html`<textarea id="${id}" name="${spec.name}" rows="3"${aria}>${value}</textarea>`;
  } else {
    const type = spec.kind === 'number' ? 'text' : spec.kind;
    const mode = spec.kind === 'number' ? html` inputmode="decimal"` : '';
    const list = spec.suggestTeam ? html` list="${prefix}-team"` : '';
    control = html`<input id="${id}" name="${spec.name}" type="${type}" value="${value}"${mode}${list}${aria}>`;
  }
  return html`<div class="field"><label for="${id}">${spec.label}${spec.required ? ' (required)' : ''}</label>${control}${
    spec.hint ? html`<span class="hint" id="${id}-hint">${spec.hint}</span>` : ''
  }${error ? html`<span class="error" id="${id}-error">${error}</span>` : ''}</div>`;
}

function errorSummary(state: FormState): SafeHtml {
  const count = Object.keys(state.errors).length;
  if (!state.formError && count === 0) return html``;
  return html`<div class="error-summary" role="alert">${state.formError ?? ''}${
    count
      ? html`${state.formError ? html`<br>` : ''}${count === 1 ? 'One field needs' : `${count} fields need`} attention: see the messages under ${count === 1 ? 'it' : 'them'}.`
      : ''
  }</div>`;
}

/**
 * The form of a record kind. With `existing` (its id and version), the id is fixed and the form
 * updates that record; otherwise the id is asked for and the form creates one.
 */
export function recordForm(
  kind: RecordKind,
  project: FormProject,
  state: FormState,
  session: PageSession,
  existing?: { id: string; version: number },
): SafeHtml {
  const form = RECORD_FORMS[kind];
  // On an edit page an emptied field is cleared: a select offers "(not set)" only where that is allowed.
  const fields = form
    .fields(project)
    .map((f) =>
      existing && f.kind === 'select' && !form.clearable.includes(f.name) ? { ...f, noUnset: true } : f,
    );
  const prefix = existing ? `edit-${kind}` : `new-${kind}`;
  const idSpec: FieldSpec = {
    name: form.idField,
    label: form.idLabel,
    kind: form.idField === 'email' ? 'email' : 'text',
    hint: form.idHint,
    required: true,
  };
  return html`<form method="post" action="/projects/${encodeURIComponent(project.id)}/${form.segment}" class="stack" novalidate>
${errorSummary(state)}${csrfField(session)}
${
  existing
    ? html`<input type="hidden" name="${form.idField}" value="${existing.id}"><input type="hidden" name="version" value="${existing.version}"><p><strong>${form.idLabel}:</strong> ${existing.id}</p>`
    : field(idSpec, state, prefix)
}
${fields.map((f) => field(f, state, prefix))}${
  fields.some((f) => f.suggestTeam)
    ? html`<datalist id="${prefix}-team">${project.team.map((m) => html`<option value="${m.email}">${m.name}</option>`)}</datalist>`
    : ''
}
<div><button type="submit">${existing ? `Save ${form.noun}` : `Add ${form.noun}`}</button></div>
</form>`;
}

/** A page with one record form: to edit a record, or the form again with its errors. */
export function recordFormPage(
  kind: RecordKind,
  project: FormProject,
  state: FormState,
  session: PageSession,
  existing?: { id: string; version: number },
  note?: string,
  /** More of the page after the form (the Remove form of an existing record). */
  after?: SafeHtml,
): string {
  const noun = RECORD_FORMS[kind].noun;
  const title = existing ? `Update ${noun} ${existing.id}` : `Add a ${noun}`;
  return page(
    title,
    html`<p><a href="/projects/${encodeURIComponent(project.id)}">← ${project.name}</a></p><h1>${title}</h1>${
      note ? html`<p class="notice">${note}</p>` : ''
    }<section>${recordForm(kind, project, state, session, existing)}</section>${after ?? ''}`,
    session,
  );
}

/** The form that records the corrective action of one open deviation. */
export function correctiveActionForm(
  projectId: string,
  deviation: { key: string; summary: string },
  state: FormState,
  session: PageSession,
  index: number,
): SafeHtml {
  const spec: FieldSpec = {
    name: 'action',
    label: 'Corrective action',
    kind: 'textarea',
    hint: 'What is being done about it (replaces the action recorded before)',
  };
  return html`<form method="post" action="/projects/${encodeURIComponent(projectId)}/deviations/${encodeURIComponent(
    deviation.key,
  )}/corrective-action" class="stack" novalidate>${errorSummary(state)}${csrfField(session)}${field(
    spec,
    state,
    `deviation-${index}`,
  )}<div><button type="submit">Record the action</button></div></form>`;
}

/** The corrective action form again, with its error. */
export function correctiveActionPage(
  project: { id: string; name: string },
  deviation: { key: string; summary: string },
  state: FormState,
  session: PageSession,
): string {
  return page(
    'Corrective action',
    html`<p><a href="/projects/${encodeURIComponent(project.id)}">← ${project.name}</a></p><h1>Corrective action</h1><section><p>${deviation.summary} <span class="small muted">${deviation.key}</span></p>${correctiveActionForm(
      project.id,
      deviation,
      state,
      session,
      0,
    )}</section>`,
    session,
  );
}
