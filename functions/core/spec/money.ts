/**
 * Checks across the money fields of a spec: the rate card (one rate per role, a rate for every
 * team role once there is a rate card) and the budget thresholds (each once). Kept apart from
 * schema.ts so the money rules stay in one place; schema.ts calls it from `checkSpec`.
 */
import type { ProjectSpec, SpecIssue } from './schema.js';

/** The budget thresholds when the spec gives none, in percent of the budget amount. */
export const DEFAULT_BUDGET_THRESHOLDS: readonly number[] = [50, 75, 90, 100];

/** The spec's budget thresholds (or the default), ascending, each once. */
export function budgetThresholds(spec: Pick<ProjectSpec, 'budget'>): number[] {
  const given = spec.budget.thresholds ?? DEFAULT_BUDGET_THRESHOLDS;
  return [...new Set(given)].sort((a, b) => a - b);
}

/** A role as the rate card and the team compare it: trimmed, one space, no case. */
export function roleKey(role: string): string {
  return role.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The rate card entry of `role`, if the spec has one. */
export function rateFor(
  spec: Pick<ProjectSpec, 'rateCard'>,
  role: string,
): { costRate: number; billingRate?: number } | undefined {
  const key = roleKey(role);
  return spec.rateCard?.find((r) => roleKey(r.role) === key);
}

/** Issues of the money fields (see the module doc); each names its field. */
export function checkMoney(spec: ProjectSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const card = spec.rateCard ?? [];
  const seen = new Set<string>();
  card.forEach((r, i) => {
    const key = roleKey(r.role);
    if (seen.has(key)) issues.push({ path: ['rateCard', i, 'role'], message: `duplicate role "${r.role}"` });
    seen.add(key);
  });
  if (card.length > 0) {
    spec.team.forEach((m, i) => {
      if (!seen.has(roleKey(m.role))) {
        issues.push({
          path: ['team', i, 'role'],
          message: `role "${m.role}" has no rate in rateCard (roles there: ${card.map((r) => r.role).join(', ')})`,
        });
      }
    });
  }
  const thresholds = spec.budget.thresholds ?? [];
  const counted = new Set<number>();
  thresholds.forEach((t, i) => {
    if (counted.has(t))
      issues.push({ path: ['budget', 'thresholds', i], message: `duplicate threshold ${t}` });
    counted.add(t);
  });
  return issues;
}
