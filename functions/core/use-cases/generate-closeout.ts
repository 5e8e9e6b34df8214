/**
 * Generate the close-out report document (the support gate's approvers approve it; it is
 * produced again at close).
 *
 * Input: project id, actor, and when the project closes (absent before close). Output: the
 * close-out's DocumentRecord as stored (the current one when nothing changed).
 * Steps: read the project with its stages, gates, tasks, risks and lessons; build the report
 * (documents/closeout.ts); publish it as a PDF when its content changed (publish-document.ts)
 * with a `closeout_generated` event.
 */
import { budgetBurn, customerBudget, LEDGER_ID } from '../budget.js';
import { CLOSEOUT_DOCUMENT_ID, type CloseoutDocumentInput, closeoutDocument } from '../documents/closeout.js';
import { requireProject, withConflictRetry } from '../events.js';
import type { DocumentRecord, Project } from '../model.js';
import type { Deps } from '../ports.js';
import { publishDocument } from './publish-document.js';

/** Reads everything the close-out report of `project` shows. */
export async function loadCloseoutInput(
  deps: Deps,
  project: Project,
  closedAt?: string,
): Promise<CloseoutDocumentInput> {
  const [stages, gates, tasks, risks, lessons, ledger, resources] = await Promise.all([
    deps.store.list(project.id, 'stage'),
    deps.store.list(project.id, 'gate'),
    deps.store.list(project.id, 'task'),
    deps.store.list(project.id, 'risk'),
    deps.store.list(project.id, 'lesson'),
    deps.store.get(project.id, 'ledger', LEDGER_ID),
    deps.store.list(project.id, 'resource'),
  ]);
  // Money for the customer is the billable value only (never an internal rate or cost), and only
  // once time or expenses were recorded (the ledger exists); before that the report says so.
  const billableValue = ledger
    ? customerBudget(budgetBurn({ spec: project.spec, ledger, resources, tasks })).billable
    : undefined;
  return {
    project,
    stages,
    gates,
    tasks,
    risks,
    lessons,
    ...(closedAt ? { closedAt } : {}),
    ...(billableValue !== undefined ? { billableValue } : {}),
  };
}

export async function generateCloseout(
  deps: Deps,
  projectId: string,
  actor: string,
  closedAt?: string,
): Promise<DocumentRecord> {
  return withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    return publishDocument(deps, {
      projectId,
      id: CLOSEOUT_DOCUMENT_ID,
      kind: 'closeout',
      title: 'Close-out report',
      draft: closeoutDocument(await loadCloseoutInput(deps, project, closedAt)),
      actor,
      eventType: 'closeout_generated',
    });
  });
}
