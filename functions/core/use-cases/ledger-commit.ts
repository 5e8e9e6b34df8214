/**
 * Shared steps of recording money on a project (time entries, expenses): the record, the
 * project's ledger (running totals) and the threshold crossings are written in ONE transaction,
 * so the totals never miss an entry and a crossing is recorded exactly once, by the entry that
 * crossed it; while the current stage's gate has approval requests out, that gate is committed
 * with them (gate-guard.ts), so no decision passes it on the budget as it was before the entry. Then the PM(s) and the delivery manager are alerted (once per crossing), and the
 * current stage's gate re-checks its criteria (past 100 % of the budget no gate passes).
 *
 * A conflict (another entry changed the ledger meanwhile) re-reads and builds again.
 */
import { randomBytes } from 'node:crypto';
import { type BudgetBurn, budgetBurn, LEDGER_ID, thresholdsReached } from '../budget.js';
import { requireActive, requireProject, withConflictRetry } from '../events.js';
import { currentGateRef, gateGuard, STAFF_WRITE_ATTEMPTS } from '../gate-guard.js';
import type { Entity, Expense, Ledger, Project, TimeEntry } from '../model.js';
import { budgetAlert } from '../notifications/budget.js';
import { notify } from '../notifications/notify.js';
import { loadPeople, notificationContext, projectManagers, uniqueEmails } from '../notifications/people.js';
import type { Deps, NewEvent } from '../ports.js';
import { budgetThresholds } from '../spec/money.js';
import { progressCurrentStage } from './staff-upsert.js';

/** What one record adds to the ledger's totals. */
export interface LedgerDelta {
  hours: number;
  timeCost: number;
  timeBillable: number;
  expenses: number;
  billableExpenses: number;
}

/** What a recording use case builds from the project as read (validated; nothing written yet). */
export interface LedgerChange<R extends TimeEntry | Expense> {
  record: R;
  delta: LedgerDelta;
  /** Other records changed in the same transaction (a task's actual hours). */
  also?: Entity[];
  event: NewEvent;
}

/** A new id for a dated money record: the day first, so entries list in the order worked. */
export function datedId(date: string): string {
  return `${date}.${randomBytes(6).toString('hex')}`;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Commits a money record with the ledger (see the module doc). Returns the stored record and the burn after it. */
export async function commitWithLedger<R extends TimeEntry | Expense>(
  deps: Deps,
  projectId: string,
  actor: string,
  build: (project: Project) => Promise<LedgerChange<R>>,
): Promise<{ record: R; burn: BudgetBurn }> {
  const outcome = await withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    requireActive(project);
    const change = await build(project);
    // The current stage's gate is read with the ledger (one request): see gate-guard.ts.
    const [[ledger, gate], resources, tasks] = await Promise.all([
      deps.store.getRecords([
        { entity: 'ledger', projectId, id: LEDGER_ID },
        currentGateRef(project),
      ] as const),
      deps.store.list(projectId, 'resource'),
      deps.store.list(projectId, 'task'),
    ]);
    const at = deps.clock.now().toISOString();
    const before: Ledger = ledger ?? emptyLedger(projectId, at);
    const d = change.delta;
    const totals = {
      hours: round2(before.hours + d.hours),
      timeCost: round2(before.timeCost + d.timeCost),
      timeBillable: round2(before.timeBillable + d.timeBillable),
      expenses: round2(before.expenses + d.expenses),
      billableExpenses: round2(before.billableExpenses + d.billableExpenses),
    };
    const changedTasks = new Map(
      (change.also ?? []).flatMap((e) => (e.entity === 'task' ? [[e.id, e] as const] : [])),
    );
    const burn = budgetBurn({
      spec: project.spec,
      ledger: totals,
      resources,
      tasks: tasks.map((t) => changedTasks.get(t.id) ?? t),
    });
    // Thresholds the burn is at or past now; those not recorded before are this entry's crossings.
    const reached = thresholdsReached(budgetThresholds(project.spec), burn.burnPercent);
    const newly = reached.filter((t) => !before.crossed.includes(t));
    const next: Ledger = {
      ...before,
      ...totals,
      entries: before.entries + 1,
      crossed: reached,
      updatedAt: at,
    };
    const events: NewEvent[] = [{ ...change.event, at }];
    if (newly.length > 0) {
      events.push({
        projectId,
        type: 'budget_threshold_crossed',
        actor,
        at,
        summary: `Budget burn reached ${burn.burnPercent}%: threshold ${newly.map((t) => `${t}%`).join(', ')} crossed`,
        data: { thresholds: newly, burnPercent: burn.burnPercent, record: change.record.id },
      });
    }
    // While the gate's approval requests are out it is committed too: a decision that read the
    // budget criterion before this entry then reads it again instead of passing the gate.
    const stored = await deps.store.commit(
      [change.record, next, ...(change.also ?? []), ...gateGuard(project, gate)],
      events,
    );
    const record = (stored[0] as R | undefined) ?? change.record;
    return { record, burn, newly, project };
  }, STAFF_WRITE_ATTEMPTS);

  deps.log.info('money recorded', {
    projectId,
    entity: outcome.record.entity,
    id: outcome.record.id,
    crossed: outcome.newly,
  });
  if (outcome.newly.length > 0) await alertCrossing(deps, outcome.project, outcome.burn, outcome.newly);
  await progressCurrentStage(deps, outcome.project, actor);
  return { record: outcome.record, burn: outcome.burn };
}

/** The ledger of a project before anything was recorded (version 0: created by the first commit). */
export function emptyLedger(projectId: string, at: string): Ledger {
  return {
    entity: 'ledger',
    projectId,
    id: LEDGER_ID,
    hours: 0,
    timeCost: 0,
    timeBillable: 0,
    expenses: 0,
    billableExpenses: 0,
    entries: 0,
    crossed: [],
    updatedAt: at,
    version: 0,
  };
}

/** The crossing alert to the project's PM(s) and the delivery manager (staff only). */
export async function alertCrossing(
  deps: Deps,
  project: Project,
  burn: BudgetBurn,
  crossed: number[],
): Promise<void> {
  const people = await loadPeople(deps, project);
  const manager = deps.config.deliveryManagerEmail;
  const to = uniqueEmails([...projectManagers(people.team), ...(manager ? [{ email: manager }] : [])]);
  await notify(deps, project.id, undefined, [
    budgetAlert({ ctx: notificationContext(project, deps.config), to, projectId: project.id, burn, crossed }),
  ]);
}
