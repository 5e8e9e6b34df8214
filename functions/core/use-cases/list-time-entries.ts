/**
 * The time entries and expenses of a project (GET /api/projects/{id}/time-entries), staff only.
 * Input: project id. Output: the entries in the order worked (oldest day first), the expenses,
 * and the budget burn (money and hours against the effective budget, EAC, VAC).
 * Throws NotFoundError when the project does not exist.
 */
import { type BudgetBurn, loadBudgetBurn } from '../budget.js';
import { requireProject } from '../events.js';
import type { Expense, TimeEntry } from '../model.js';
import type { Deps } from '../ports.js';

export interface TimeEntryList {
  entries: TimeEntry[];
  expenses: Expense[];
  burn: BudgetBurn;
}

/** Lists the project's time entries and expenses with its burn. */
export async function listTimeEntries(deps: Deps, projectId: string): Promise<TimeEntryList> {
  const project = await requireProject(deps, projectId);
  const [entries, expenses, burn] = await Promise.all([
    deps.store.list(projectId, 'time_entry'),
    deps.store.list(projectId, 'expense'),
    loadBudgetBurn(deps.store, project),
  ]);
  return { entries, expenses, burn };
}
