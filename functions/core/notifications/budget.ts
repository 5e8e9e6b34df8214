/**
 * Money in notifications, for the MSP's staff only: the alert when the budget burn crosses a
 * threshold (to the PM and the delivery manager) and the budget burn section of a staff member's
 * status report. Both carry internal costs: callers send them to team members and the delivery
 * manager, never to a customer stakeholder.
 */
import { type BudgetBurn, burnInWords } from '../budget.js';
import { money } from '../stages/stage-type.js';
import { subject } from './format.js';
import type { Block, Fact, Notification, NotificationContext } from './notification.js';

/** The facts of a burn: money, hours, billable value, EAC and VAC. */
export function budgetFacts(burn: BudgetBurn): Fact[] {
  const m = (n: number) => money(n, burn.currency);
  return [
    ['Budget burn', burnInWords(burn)],
    [
      'Actual cost',
      `${m(burn.actualCost)}: time ${m(burn.timeCost)}, resources ${m(burn.resources)}, expenses ${m(burn.expenses)}`,
    ],
    ['Hours', `${burn.hours} of ${burn.budgetHours} budgeted hours (${burn.hoursBurnPercent}%)`],
    ['Billable value', m(burn.billable)],
    ['Estimate at completion', `${m(burn.eac)} (${burn.eacMethod})`],
    ['Variance at completion', m(burn.vac)],
  ];
}

export interface BudgetAlertInput {
  ctx: NotificationContext;
  /** The PM(s) and the delivery manager: staff only. */
  to: string[];
  projectId: string;
  burn: BudgetBurn;
  /** The thresholds this change crossed (percent, ascending). */
  crossed: number[];
}

/** "Budget burn passed N %" for the PM and the delivery manager. */
export function budgetAlert(input: BudgetAlertInput): Notification {
  const { ctx, burn } = input;
  const highest = input.crossed[input.crossed.length - 1] ?? 0;
  const title = `Budget burn passed ${highest}%`;
  const blocks: Block[] = [
    {
      type: 'paragraph',
      text: `The actual cost of ${ctx.projectName} has reached ${burn.burnPercent}% of its budget (threshold${
        input.crossed.length > 1 ? 's' : ''
      } ${input.crossed.map((t) => `${t}%`).join(', ')} crossed).`,
    },
    { type: 'facts', rows: budgetFacts(burn) },
  ];
  if (burn.overBudget) {
    blocks.push({
      type: 'paragraph',
      text: `The project is over budget: its next gate cannot pass until a change request that raises the budget is approved (POST /api/projects/${input.projectId}/change-requests).`,
    });
  }
  return {
    kind: 'budget-threshold',
    to: input.to.map((email) => ({ email })),
    context: ctx,
    content: { subject: subject(ctx, `${ctx.projectName}: ${title}`), title, blocks },
  };
}

/** The budget burn section of a staff member's status report (never in a customer's copy). */
export function budgetBurnSection(burn: BudgetBurn): Block[] {
  const blocks: Block[] = [
    { type: 'heading', text: 'Budget burn (internal)' },
    { type: 'facts', rows: budgetFacts(burn) },
  ];
  if (burn.overBudget) {
    blocks.push({
      type: 'paragraph',
      text: 'Over budget: the next gate waits for an approved change request that raises the budget.',
    });
  }
  return blocks;
}
