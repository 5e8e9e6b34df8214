/**
 * Capacity across projects (GET /api/capacity and the console's capacity page).
 * Input: the first week (`from`, any day of it; default this week in UTC) and how many weeks
 * (default {@link DEFAULT_CAPACITY_WEEKS}, at most 52). Output: every person of an active project
 * with their allocation per ISO week and the projects (and stages) contributing to it.
 * Steps: read the active projects (index) and each one's members (one Query each), then sum by
 * email per week over the remaining stage windows (capacity.ts).
 */
import {
  capacityByWeek,
  loadActiveAllocations,
  MAX_CAPACITY_WEEKS,
  type PersonCapacity,
  weeksFrom,
} from '../capacity.js';
import type { Deps } from '../ports.js';

/** Weeks shown when the caller does not say. */
export const DEFAULT_CAPACITY_WEEKS = 8;

export interface CapacityReport {
  /** The Monday of the first week. */
  from: string;
  /** The Mondays of the weeks covered. */
  weeks: string[];
  /** Every person of an active project, by email; `over` weeks are above 100 %. */
  people: PersonCapacity[];
}

/** Each person's allocation per week across the active projects. */
export async function getCapacity(
  deps: Deps,
  query: { from?: string | undefined; weeks?: number | undefined } = {},
): Promise<CapacityReport> {
  const now = deps.clock.now();
  const count = Math.min(MAX_CAPACITY_WEEKS, Math.max(1, query.weeks ?? DEFAULT_CAPACITY_WEEKS));
  const weeks = weeksFrom(query.from ?? now.toISOString().slice(0, 10), count);
  const projects = await loadActiveAllocations(deps.store);
  return { from: weeks[0] as string, weeks, people: capacityByWeek(projects, weeks, now) };
}
