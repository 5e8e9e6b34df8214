import { describe, expect, it } from 'vitest';
import { budgetBurn, budgetCriterion, customerBudget } from '../../functions/core/budget.js';
import { budgetThresholds, checkMoney } from '../../functions/core/spec/money.js';
import { checkSpec, projectSpecSchema } from '../../functions/core/spec/schema.js';
import { projectSpecInput } from '../support/dynamo.js';

const spec = (overrides: Parameters<typeof projectSpecInput>[0] = {}) =>
  projectSpecSchema.parse(projectSpecInput(overrides));
const ledger = (timeCost: number, extra: Partial<Record<string, number>> = {}) => ({
  hours: 0,
  timeCost,
  timeBillable: 0,
  expenses: 0,
  billableExpenses: 0,
  ...extra,
});

describe('rate card and thresholds in the spec', () => {
  it('accepts a rate card that prices every team role, compared without case', () => {
    const s = spec({
      rateCard: [
        { role: 'Project  Manager', costRate: 60 },
        { role: 'engineer', costRate: 50, billingRate: 90 },
      ],
    });
    expect(checkSpec(s)).toEqual([]);
  });

  it('names the team member whose role has no rate, and a role given twice', () => {
    const s = spec({
      rateCard: [
        { role: 'engineer', costRate: 50 },
        { role: 'Engineer', costRate: 55 },
      ],
    });
    expect(checkMoney(s)).toEqual([
      { path: ['rateCard', 1, 'role'], message: 'duplicate role "Engineer"' },
      { path: ['team', 0, 'role'], message: expect.stringContaining('role "project manager" has no rate') },
    ]);
  });

  it('refuses negative rates and thresholds out of range or repeated', () => {
    const bad = projectSpecSchema.safeParse(
      projectSpecInput({
        rateCard: [{ role: 'engineer', costRate: -1 }],
        budget: { currency: 'GBP', amount: 1000, hours: 10, thresholds: [0, 50.5] },
      }),
    );
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['rateCard.0.costRate', 'budget.thresholds.0', 'budget.thresholds.1']),
    );
    const twice = spec({ budget: { currency: 'GBP', amount: 1000, hours: 10, thresholds: [90, 50, 90] } });
    expect(checkMoney(twice)).toEqual([
      { path: ['budget', 'thresholds', 2], message: 'duplicate threshold 90' },
    ]);
    expect(budgetThresholds(twice)).toEqual([50, 90]);
  });

  it('watches 50, 75, 90 and 100 % by default', () => {
    expect(budgetThresholds(spec())).toEqual([50, 75, 90, 100]);
  });
});

describe('budgetBurn', () => {
  const s = spec({ budget: { currency: 'GBP', amount: 10000, hours: 100 } });
  const tasks = [
    { estimateHours: 30, status: 'done' as const },
    { estimateHours: 10, status: 'waived' as const, waiverReason: 'not needed' },
    { estimateHours: 40, status: 'todo' as const },
  ];

  it('adds time, resources and expenses, and projects EAC as BAC/CPI', () => {
    const burn = budgetBurn({
      spec: s,
      ledger: { hours: 50, timeCost: 3000, timeBillable: 4500, expenses: 500, billableExpenses: 200 },
      resources: [{ cost: 1000 }, { cost: 500 }],
      tasks,
    });
    expect(burn).toMatchObject({
      actualCost: 5000,
      billable: 6200,
      burnPercent: 50,
      hoursBurnPercent: 50,
      percentComplete: 0.5,
      earnedValue: 5000,
      cpi: 1,
      eac: 10000,
      vac: 0,
      eacMethod: 'BAC/CPI',
      crossed: [50],
      overBudget: false,
    });
  });

  it('falls back to the budget, or the actual cost once over it, before anything is done', () => {
    const none = [{ estimateHours: 10, status: 'todo' as const }];
    expect(budgetBurn({ spec: s, ledger: ledger(2000), resources: [], tasks: none })).toMatchObject({
      eac: 10000,
      vac: 0,
      eacMethod: 'budget (nothing done yet)',
    });
    expect(budgetBurn({ spec: s, ledger: ledger(12000), resources: [], tasks: none })).toMatchObject({
      eac: 12000,
      vac: -2000,
      overBudget: true,
      crossed: [50, 75, 90, 100],
    });
  });

  it('is within budget at exactly 100 % and over it past that', () => {
    expect(budgetBurn({ spec: s, ledger: ledger(10000), resources: [], tasks: [] }).overBudget).toBe(false);
    const over = budgetBurn({ spec: s, ledger: ledger(10000.01), resources: [], tasks: [] });
    expect(over.overBudget).toBe(true);
    expect(budgetCriterion('acme', over)[0]).toContain('POST /api/projects/acme/change-requests');
  });

  it('gives customers the budget against the billable value only', () => {
    const burn = budgetBurn({
      spec: s,
      ledger: { hours: 10, timeCost: 700, timeBillable: 1500, expenses: 0, billableExpenses: 0 },
      resources: [],
      tasks,
    });
    expect(customerBudget(burn)).toEqual({
      currency: 'GBP',
      budget: 10000,
      billable: 1500,
      billedPercent: 15,
    });
  });
});
