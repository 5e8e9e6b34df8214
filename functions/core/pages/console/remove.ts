/**
 * The Remove form on a record's edit page: the version that was read and the session's CSRF token,
 * posted to `/projects/{id}/<segment>/{key}/remove`. It says what removing means (the record is
 * kept in the project's event log) and what this kind of record may not be removed for, and, after
 * a refusal or a version conflict, why it was not removed.
 */
import { html, type SafeHtml } from '../../html.js';
import { RECORD_FORMS, type RecordKind } from './forms.js';
import { csrfField, type PageSession } from './layout.js';

/** When a record of each kind is refused (the use case decides; this only tells the person first). */
const RULES: Record<RecordKind, string> = {
  task: 'A deliverable is agreed scope and cannot be removed: raise a change request instead. A task with hours booked to it cannot be removed: waive it instead.',
  risk: '',
  member:
    'A team member who is the assignee of an open task or the owner of an open risk cannot be removed: reassign or close those first. Their time entries stay.',
  resource: '',
  testCase: 'A test case with a result cannot be removed: waive it instead.',
  deployment: 'A deployment with a result is history and cannot be removed.',
  training: '',
  lesson: '',
};

/** The Remove section of an edit page; `error` says why the last removal was not made. */
export function removeRecordForm(
  kind: RecordKind,
  projectId: string,
  existing: { id: string; version: number },
  session: PageSession,
  error?: string,
): SafeHtml {
  const form = RECORD_FORMS[kind];
  const rule = RULES[kind];
  return html`<section aria-labelledby="remove-heading"><h2 id="remove-heading">Remove this ${form.noun}</h2>
<p>Removing deletes ${existing.id} from the project; the whole record is kept in the project’s event log.${
    rule ? html` ${rule}` : ''
  }</p>${error ? html`<div class="error-summary" role="alert">${error}</div>` : ''}
<form method="post" action="/projects/${encodeURIComponent(projectId)}/${form.segment}/${encodeURIComponent(existing.id)}/remove">${csrfField(session)}<input type="hidden" name="version" value="${existing.version}"><button type="submit" class="danger">Remove ${form.noun} ${existing.id}</button></form></section>`;
}
