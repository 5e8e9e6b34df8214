/**
 * Record an expense of a project (POST /api/projects/{id}/expenses): a cost that is neither time
 * nor a listed resource (travel, a licence bought on the way).
 *
 * Input: date (YYYY-MM-DD, not after today in the project's time zone), description, amount
 * (in the budget currency, more than 0), billable (default true: passed on at cost); the actor.
 * Output: the stored expense and the budget burn after it.
 * Steps: the expense and the ledger with any threshold crossing in one transaction
 * (ledger-commit.ts), then the crossing alert and the gate's re-check.
 * Errors: ValidationError naming the field, NotFoundError (project), StateError (not active).
 */
import type { BudgetBurn } from '../budget.js';
import { ValidationError } from '../errors.js';
import type { Expense } from '../model.js';
import type { Deps } from '../ports.js';
import { localDate } from '../time.js';
import { commitWithLedger, datedId } from './ledger-commit.js';

export interface ExpenseInput {
  date: string;
  description: string;
  amount: number;
  billable?: boolean;
}

/** Records one expense (see the module doc). */
export async function recordExpense(
  deps: Deps,
  projectId: string,
  input: ExpenseInput,
  actor: string,
): Promise<{ expense: Expense; burn: BudgetBurn }> {
  if (!(input.amount > 0)) throw new ValidationError([{ path: 'amount', message: 'must be more than 0' }]);
  const { record, burn } = await commitWithLedger<Expense>(deps, projectId, actor, async (project) => {
    const today = localDate(deps.clock.now(), project.timezone);
    if (input.date > today) {
      throw new ValidationError([{ path: 'date', message: `must not be after today (${today})` }]);
    }
    const billable = input.billable ?? true;
    const expense: Expense = {
      entity: 'expense',
      projectId,
      id: datedId(input.date),
      date: input.date,
      description: input.description.trim(),
      amount: input.amount,
      billable,
      recordedBy: actor,
      recordedAt: deps.clock.now().toISOString(),
      version: 0,
    };
    return {
      record: expense,
      delta: {
        hours: 0,
        timeCost: 0,
        timeBillable: 0,
        expenses: input.amount,
        billableExpenses: billable ? input.amount : 0,
      },
      event: {
        projectId,
        type: 'expense_recorded',
        actor,
        summary: `Expense on ${input.date}: ${expense.description}`,
        data: { id: expense.id, date: input.date, billable },
      },
    };
  });
  return { expense: record, burn };
}
