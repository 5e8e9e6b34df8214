/**
 * Orders a resourcing gate's pass against the allocation writes of other projects, with the
 * portfolio-wide `allocations` counter (ports.ts Counter).
 *
 * The cross-project capacity criterion (capacity.ts `overAllocations`) reads the other active
 * projects' team members, and those projects' writes never touch this project's gate. Without an
 * order, project A's gate could pass on a capacity read while project B commits a higher allocation
 * for the same person in the same instant: both commit and the person ends above 100 %.
 *
 * So every write that changes what the criterion reads bumps the one counter in its own
 * transaction (`ALLOCATIONS_BUMP`), and a gate whose criteria read other projects reads the counter
 * BEFORE those projects' members (`readAllocationsOrder`) and its passing commit checks it
 * unchanged (`checks`). A write that lands between the read and the pass makes the pass conflict:
 * the pass's retry reads the capacity again and evaluates again. A write that lands after the pass
 * is ordered after it: its own project's resourcing gate (if open) reads it.
 *
 * What the criterion reads, hence what bumps (see capacity.ts):
 * - a team member's email and allocation: a member created, its allocation changed, or removed
 *   (staff upserts and removals; a deploy that adds members: register-project.ts);
 * - which projects count: the active ones (a project registered or restored, archived, closed);
 * - when they count: the project's timeline, its stages' due dates, its time zone and its current
 *   stage (a deployed spec change, a stage entered).
 *
 * Cost: one more transaction item on each such write and on a resourcing pass; the counter is one
 * item, so allocation writes contend with each other (DynamoDB serialises writes to one item),
 * never with other writes. A gate whose criteria depend on its own project only never reads it.
 *
 * The reads after the counter are strongly consistent (capacity.ts loadActiveAllocations reads the
 * projects the index lists again by key, and their members by a consistent Query), so a write
 * committed before the counter read is seen by them. Not ordered: the active-projects index follows
 * the table eventually, so a project registered (or restored) a moment before the read may not be
 * listed yet (recheck-capacity-gates.ts then catches up).
 */
import type { Entity, Project } from './model.js';
import type { CounterCheck, CounterRef, ProjectStore } from './ports.js';
import { stageType } from './stages/index.js';

/** The portfolio-wide allocations counter. */
export const ALLOCATIONS: CounterRef = { counter: 'allocations' };

/** The bump of the allocations counter, for a commit's `bumps`. */
export const ALLOCATIONS_BUMP: CounterRef[] = [ALLOCATIONS];

/**
 * The counter check a passing commit of `stageKey`'s gate must carry: the counter as it is now,
 * read before the criteria (call this first). Empty for a stage whose criteria read only its own
 * project (no read at all).
 */
export async function readAllocationsOrder(store: ProjectStore, stageKey: string): Promise<CounterCheck[]> {
  if (stageType(stageKey).criteriaDependOnlyOnProject) return [];
  const [counter] = await store.getRecords([{ entity: 'counter', ...ALLOCATIONS }] as const);
  return [{ ...ALLOCATIONS, value: counter?.value ?? 0 }];
}

/** Whether writing `after` over `before` (undefined: created) creates a team member or changes its allocation. */
export function allocates(before: Entity | undefined, after: Entity): boolean {
  if (after.entity !== 'member') return false;
  return before?.entity !== 'member' || before.allocation !== after.allocation;
}

/**
 * Whether writing `after` over `before` (undefined: registered) changes what the capacity
 * criterion reads of the project: whether it counts (active) and the windows of its members.
 */
export function changesAllocations(before: Project | undefined, after: Project): boolean {
  if (!before) return after.status === 'active';
  const windows = (p: Project) =>
    JSON.stringify([
      p.status === 'active',
      p.currentStage,
      p.timezone,
      p.spec.timeline,
      [...p.stages].sort((a, b) => a.order - b.order).map((s) => [s.key, s.order, s.due ?? null]),
    ]);
  return windows(before) !== windows(after);
}
