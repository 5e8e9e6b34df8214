/**
 * What the close-out report of a project shows, read from the store: apart from its generator
 * (use-cases/generate-closeout.ts) so that building the report without publishing it (a spec
 * deploy comparing drafts, stages/document-drafts.ts) brings no publishing code.
 */
import { budgetBurn, customerBudget, LEDGER_ID } from '../budget.js';
import type { Project } from '../model.js';
import type { Deps } from '../ports.js';
import type { CloseoutDocumentInput } from './closeout.js';

/** Reads everything the close-out report of `project` shows. */
export async function loadCloseoutInput(
  deps: Pick<Deps, 'store'>,
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
