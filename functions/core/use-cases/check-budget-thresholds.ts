/**
 * Check the budget thresholds after a change to the actual cost that is not a time entry or an
 * expense: a resource added or its cost changed (resources count in the actual cost).
 *
 * Input: project id, actor. Output: the thresholds newly crossed (empty when none).
 * Steps: the burn is computed from the ledger, the resources and the tasks; thresholds reached
 * and not yet recorded are recorded on the ledger with a `budget_threshold_crossed` event in one
 * conditional write (the ledger's version), so a crossing is alerted once even when two checks
 * race (the loser re-reads and finds it recorded); thresholds the burn fell below are dropped
 * (armed again). Then the PM(s) and the delivery manager are alerted.
 * Time entries and expenses record their crossings in their own transaction (ledger-commit.ts).
 */
import { budgetBurn, LEDGER_ID, thresholdsReached } from '../budget.js';
import { requireProject, withConflictRetry } from '../events.js';
import type { Ledger } from '../model.js';
import type { Deps } from '../ports.js';
import { budgetThresholds } from '../spec/money.js';
import { alertCrossing, emptyLedger } from './ledger-commit.js';

/** Records and alerts the thresholds the burn crossed (see the module doc). */
export async function checkBudgetThresholds(deps: Deps, projectId: string, actor: string): Promise<number[]> {
  const outcome = await withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    const [ledger, resources, tasks] = await Promise.all([
      deps.store.get(projectId, 'ledger', LEDGER_ID),
      deps.store.list(projectId, 'resource'),
      deps.store.list(projectId, 'task'),
    ]);
    const at = deps.clock.now().toISOString();
    const before: Ledger = ledger ?? emptyLedger(projectId, at);
    const burn = budgetBurn({ spec: project.spec, ledger: before, resources, tasks });
    const reached = thresholdsReached(budgetThresholds(project.spec), burn.burnPercent);
    const newly = reached.filter((t) => !before.crossed.includes(t));
    const unchanged = reached.length === before.crossed.length && newly.length === 0;
    if (project.status !== 'active' || unchanged) return { newly: [] as number[], burn, project };
    await deps.store.commit(
      [{ ...before, crossed: reached, updatedAt: at }],
      newly.length > 0
        ? [
            {
              projectId,
              type: 'budget_threshold_crossed',
              actor,
              at,
              summary: `Budget burn reached ${burn.burnPercent}%: threshold ${newly.map((t) => `${t}%`).join(', ')} crossed`,
              data: { thresholds: newly, burnPercent: burn.burnPercent },
            },
          ]
        : [],
    );
    return { newly, burn, project };
  });
  if (outcome.newly.length > 0) await alertCrossing(deps, outcome.project, outcome.burn, outcome.newly);
  return outcome.newly;
}
