/**
 * The delivery manager's daily portfolio digest.
 * Input: none (the platform's delivery manager `deps.config.deliveryManagerEmail`, its chat channel
 * through the notifier). Output: what was sent, or why nothing was.
 * Steps:
 * 1. Read the active projects (the index; each project record carries its last monitoring result)
 *    and, per project, its gates and its tasks (one Query each).
 * 2. Build the digest (notifications/digest.ts): projects by RAG (red, amber, green) with why;
 *    deviations without a corrective action; approvals overdue (a gate pending longer than its
 *    timeoutDays); budget burn (hours spent of the budget's hours; money once time or expenses
 *    were recorded: {@link budgetBurnOf}). One Query per project (its snapshot).
 * 3. Email it to the delivery manager and post it to the platform's chat channel, if any. A failed
 *    delivery is logged (the digest belongs to no project's event log) and reported in the result.
 */

import { budgetBurn } from '../budget.js';
import { activeProjects } from '../capacity.js';
import type { Gate, Ledger, Project, Resource, Task } from '../model.js';
import { type DigestInput, type DigestProject, portfolioDigest } from '../notifications/digest.js';
import type { Deps } from '../ports.js';
import { DAY_MS, localDate } from '../time.js';

export type PortfolioDigestResult =
  | { status: 'skipped'; reason: 'no_recipient' }
  | { status: 'sent'; projects: number; emailed: boolean; posted: boolean; failed: number };

/**
 * Budget burn of one project: hours from its tasks' actual hours against the budget's hours, and
 * money (actual cost: time x cost rate + resources + expenses, budget.ts) once the project keeps a
 * ledger (time or expenses were recorded); before that `money` is absent ("not recorded"). The
 * digest goes to the MSP's delivery manager only, so internal cost is fine here.
 */
export function budgetBurnOf(
  project: Project,
  tasks: Task[],
  resources: Resource[] = [],
  ledger?: Ledger,
): DigestProject['burn'] {
  const hours = tasks.reduce((sum, t) => sum + (Number.isFinite(t.actualHours) ? t.actualHours : 0), 0);
  const budgetHours = project.spec.budget.hours;
  const burn = ledger ? budgetBurn({ spec: project.spec, ledger, resources, tasks }) : undefined;
  return {
    hours: Math.round(hours * 100) / 100,
    budgetHours,
    hoursPercent: budgetHours > 0 ? Math.round((hours / budgetHours) * 100) : 0,
    ...(burn
      ? {
          money: {
            spent: burn.actualCost,
            budget: burn.budget,
            currency: burn.currency,
            percent: Math.round(burn.burnPercent),
          },
        }
      : {}),
  };
}

/** Gates whose approval round has waited longer than the stage's timeoutDays. */
function overdueApprovals(project: Project, gates: Gate[], now: Date): DigestProject['overdueApprovals'] {
  return gates.flatMap((gate) => {
    if (gate.status !== 'pending_approval') return [];
    const stage = project.stages.find((s) => s.key === gate.stage);
    const timeoutDays = stage?.gate.timeoutDays;
    if (!stage || timeoutDays === undefined) return [];
    const since = gate.requestedAt ?? gate.openedAt;
    const waited = (now.getTime() - Date.parse(since)) / DAY_MS;
    if (!(waited > timeoutDays)) return [];
    return [
      {
        stageName: stage.name,
        days: Math.floor(waited),
        waitingFor: gate.approvers.filter((a) => !a.decision).map((a) => a.name || a.email),
      },
    ];
  });
}

/** Sends the digest to the delivery manager (and the platform's chat channel). */
export async function sendPortfolioDigest(deps: Deps): Promise<PortfolioDigestResult> {
  const to = deps.config.deliveryManagerEmail;
  if (!to && !deps.notifier.announce) {
    deps.log.info('portfolio digest skipped: no delivery manager and no chat channel');
    return { status: 'skipped', reason: 'no_recipient' };
  }
  const now = deps.clock.now();
  const timezone = deps.config.platformTimezone ?? 'UTC';
  const active = await activeProjects(deps.store);
  const projects: DigestProject[] = await Promise.all(
    active.map(async (project) => {
      // One request: the project's current records (gates, tasks, resources, the ledger).
      const snapshot = await deps.store.getProjectSnapshot(project.id);
      const {
        gate: gates,
        task: tasks,
        resource: resources,
        ledger,
      } = snapshot?.records ?? {
        gate: [],
        task: [],
        resource: [],
        ledger: [],
      };
      const m = project.monitoring;
      const actions = m?.correctiveActions ?? {};
      return {
        id: project.id,
        name: project.name,
        customer: project.customerName,
        stageName: project.stages.find((s) => s.key === project.currentStage)?.name ?? project.currentStage,
        rag: m?.rag,
        reasons: m?.reasons ?? [],
        deviationsWithoutAction: (m?.openDeviations ?? [])
          .filter((key) => !actions[key])
          .map((key) => ({ key, summary: m?.deviationSummaries?.[key] ?? key })),
        overdueApprovals: overdueApprovals(project, gates, now),
        burn: budgetBurnOf(project, tasks, resources, ledger[0]),
      };
    }),
  );
  const input: DigestInput = {
    mspName: deps.config.mspName,
    date: localDate(now, timezone),
    timezone,
    projects,
    consoleUrl: deps.config.publicBaseUrl,
  };
  const notification = portfolioDigest(input, to ? [to] : []);
  let failed = 0;
  let emailed = false;
  if (to) {
    try {
      await deps.notifier.send(notification, { email: to });
      emailed = true;
    } catch (error) {
      failed++;
      deps.log.warn('portfolio digest email failed', {
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  }
  let posted = false;
  if (deps.notifier.announce) {
    try {
      posted = await deps.notifier.announce(notification);
    } catch (error) {
      failed++;
      deps.log.warn('portfolio digest post failed', {
        error: error instanceof Error ? error.message : 'unknown',
      });
    }
  }
  if (!to && !posted && failed === 0) {
    deps.log.info('portfolio digest skipped: no delivery manager and no chat channel');
    return { status: 'skipped', reason: 'no_recipient' };
  }
  deps.log.info('portfolio digest sent', { projects: projects.length, emailed, posted, failed });
  return { status: 'sent', projects: projects.length, emailed, posted, failed };
}
