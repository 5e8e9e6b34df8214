/**
 * Money of a project: what it has cost and is worth so far, against its budget (the effective
 * spec's `budget`, so an approved change request that raises it is the new baseline).
 *
 * - Actual cost = hours x the role's cost rate (time entries) + resources + expenses.
 * - Billable value = hours x the role's billing rate + resources + billable expenses
 *   (resources are passed on at cost).
 * - Burn = actual cost / budget amount, and hours recorded / budget hours, in percent.
 * - EAC (estimate at completion) = BAC / CPI, with BAC the budget amount and CPI = EV / AC in
 *   money, EV = BAC x the share of the estimated task hours that is done. That is AC / share
 *   done. Before anything is done (no share to project from) EAC is the budget, or the actual
 *   cost once that is more. VAC (variance at completion) = BAC - EAC: negative means over budget.
 * - The thresholds (spec `budget.thresholds`, default 50/75/90/100 %) watch the money burn.
 *
 * Internal: rates, costs, EAC and VAC are for the MSP's staff. `customerBudget` is the only view
 * of money a customer stakeholder may get: the budget against the billable value.
 */
import { isTaskClosed, type Ledger, type Resource, type Task } from './model.js';
import type { ProjectStore } from './ports.js';
import { budgetThresholds } from './spec/money.js';
import type { ProjectSpec } from './spec/schema.js';
import { money } from './stages/stage-type.js';

/** The id of a project's one ledger record. */
export const LEDGER_ID = 'budget';

/** How the EAC was worked out, in words. */
export type EacMethod =
  | 'BAC/CPI'
  | 'budget (nothing done yet)'
  | 'actual cost (nothing done yet, over budget)';

/** A project's money against its budget (see the module doc). */
export interface BudgetBurn {
  currency: string;
  /** The budget amount (BAC) and hours of the effective spec. */
  budget: number;
  budgetHours: number;
  /** Hours recorded as time entries. */
  hours: number;
  /** Internal cost of the time (hours x cost rates). */
  timeCost: number;
  /** Sum of the resources' cost. */
  resources: number;
  /** Expenses recorded. */
  expenses: number;
  /** timeCost + resources + expenses. */
  actualCost: number;
  /** Time at billing rates + resources + billable expenses. */
  billable: number;
  /** actualCost / budget and hours / budgetHours, in percent (1 decimal). */
  burnPercent: number;
  hoursBurnPercent: number;
  /** Share of the estimated task hours that is done (0..1), what EV is taken from. */
  percentComplete: number;
  /** Earned value in money (BAC x percentComplete) and CPI = EV / AC (1 when nothing spent). */
  earnedValue: number;
  cpi: number;
  eac: number;
  vac: number;
  eacMethod: EacMethod;
  /** The thresholds (percent) the project watches, and those the burn is at or past. */
  thresholds: number[];
  crossed: number[];
  /** Actual cost over the budget: the next gate waits for a change request. */
  overBudget: boolean;
}

/** What the burn is computed from. */
export interface BudgetInput {
  spec: Pick<ProjectSpec, 'budget'>;
  /** The running totals (absent before any time or expense was recorded). */
  ledger?: Pick<Ledger, 'hours' | 'timeCost' | 'timeBillable' | 'expenses' | 'billableExpenses'>;
  resources: Pick<Resource, 'cost'>[];
  /** The tasks, for the share done (EV). */
  tasks: Pick<Task, 'estimateHours' | 'status' | 'waiverReason'>[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);

/** The thresholds (ascending) that a money burn of `burnPercent` is at or past. */
export function thresholdsReached(thresholds: number[], burnPercent: number): number[] {
  return thresholds.filter((t) => burnPercent >= t);
}

/** The project's money against its budget; a pure function of its records (see the module doc). */
export function budgetBurn(input: BudgetInput): BudgetBurn {
  const { budget } = input.spec;
  const ledger = input.ledger ?? { hours: 0, timeCost: 0, timeBillable: 0, expenses: 0, billableExpenses: 0 };
  const resources = round2(
    input.resources.reduce((sum, r) => sum + (Number.isFinite(r.cost) ? r.cost : 0), 0),
  );
  const actualCost = round2(ledger.timeCost + resources + ledger.expenses);
  const billable = round2(ledger.timeBillable + resources + ledger.billableExpenses);
  const estimated = input.tasks.reduce((sum, t) => sum + t.estimateHours, 0);
  const done = input.tasks.filter((t) => isTaskClosed(t)).reduce((sum, t) => sum + t.estimateHours, 0);
  const percentComplete = estimated > 0 ? done / estimated : 0;
  const earnedValue = round2(budget.amount * percentComplete);
  const cpi = actualCost > 0 ? round2(earnedValue / actualCost) : 1;
  let eac: number;
  let eacMethod: EacMethod;
  if (percentComplete > 0 && actualCost > 0) {
    eac = round2(actualCost / percentComplete);
    eacMethod = 'BAC/CPI';
  } else if (actualCost > budget.amount) {
    eac = actualCost;
    eacMethod = 'actual cost (nothing done yet, over budget)';
  } else {
    eac = budget.amount;
    eacMethod = 'budget (nothing done yet)';
  }
  const burnPercent = percent(actualCost, budget.amount);
  const thresholds = budgetThresholds(input.spec);
  return {
    currency: budget.currency,
    budget: budget.amount,
    budgetHours: budget.hours,
    hours: round2(ledger.hours),
    timeCost: round2(ledger.timeCost),
    resources,
    expenses: round2(ledger.expenses),
    actualCost,
    billable,
    burnPercent,
    hoursBurnPercent: percent(ledger.hours, budget.hours),
    percentComplete: Math.round(percentComplete * 1000) / 1000,
    earnedValue,
    cpi,
    eac,
    vac: round2(budget.amount - eac),
    eacMethod,
    thresholds,
    crossed: thresholdsReached(thresholds, burnPercent),
    overBudget: actualCost > budget.amount,
  };
}

/** Reads what the burn needs (ledger, resources, tasks) and computes it. */
export async function loadBudgetBurn(
  store: ProjectStore,
  project: { id: string; spec: Pick<ProjectSpec, 'budget'> },
): Promise<BudgetBurn> {
  const [ledger, resources, tasks] = await Promise.all([
    store.get(project.id, 'ledger', LEDGER_ID),
    store.list(project.id, 'resource'),
    store.list(project.id, 'task'),
  ]);
  return budgetBurn({ spec: project.spec, ...(ledger ? { ledger } : {}), resources, tasks });
}

/** Whether the actual cost is over the budget: reads only the ledger and the resources (the gate criteria). */
export async function loadOverBudget(
  store: ProjectStore,
  project: { id: string; spec: Pick<ProjectSpec, 'budget'> },
): Promise<BudgetBurn> {
  const [ledger, resources] = await Promise.all([
    store.get(project.id, 'ledger', LEDGER_ID),
    store.list(project.id, 'resource'),
  ]);
  // EAC needs the tasks; the criterion needs only the actual cost, so none are read here.
  return budgetBurn({ spec: project.spec, ...(ledger ? { ledger } : {}), resources, tasks: [] });
}

/**
 * The exit criterion every stage's gate shares: none while the actual cost is within the budget;
 * past it, one sentence that says how to clear it (a change request that raises the budget).
 */
export function budgetCriterion(projectId: string, burn: BudgetBurn): string[] {
  if (!burn.overBudget) return [];
  return [
    `Budget exceeded: the actual cost ${money(burn.actualCost, burn.currency)} is ${burn.burnPercent}% of the budget ${money(burn.budget, burn.currency)}. This gate cannot pass until a change request raising the budget above the actual cost is approved (POST /api/projects/${projectId}/change-requests).`,
  ];
}

/** The money view a customer stakeholder may see: the budget against the billable value, nothing internal. */
export interface CustomerBudget {
  currency: string;
  budget: number;
  billable: number;
  /** billable / budget, in percent. */
  billedPercent: number;
}

/** The customer-safe view of a burn (no rates, no cost, no EAC). */
export function customerBudget(burn: BudgetBurn): CustomerBudget {
  return {
    currency: burn.currency,
    budget: burn.budget,
    billable: burn.billable,
    billedPercent: percent(burn.billable, burn.budget),
  };
}

/** The burn in words for staff: `£9,400.00 of £18,500.00 (50.8%)`. */
export function burnInWords(burn: BudgetBurn): string {
  return `${money(burn.actualCost, burn.currency)} of ${money(burn.budget, burn.currency)} (${burn.burnPercent}%)`;
}
