/**
 * The delivery manager's daily portfolio digest, sent at most once a day.
 * Input: none (the platform's delivery manager `deps.config.deliveryManagerEmail`, its chat channel
 * through the notifier). Output: what was sent, or why nothing was.
 * Steps:
 * 1. Nobody to tell (no delivery manager, no chat channel): skipped, nothing written.
 * 2. Claim the day (the digest's date in the platform's time zone) with one conditional write of
 *    its `DigestRun` record, before anything is read or sent. EventBridge Scheduler (and Lambda's
 *    asynchronous invocation) deliver at least once: of two invocations of the same day, at once
 *    or one after the other, exactly one claim succeeds; the other returns
 *    `skipped: already_sent`. So does an invocation that finds the day sent, or claimed by an
 *    invocation that may still be sending.
 * 3. Read the active projects (the index; each project record carries its last monitoring result)
 *    and, per project, its current records (one Query each: its snapshot).
 * 4. Build the digest (notifications/digest.ts): projects by RAG (red, amber, green) with why;
 *    deviations without a corrective action; approvals overdue (a gate pending longer than its
 *    timeoutDays); budget burn (hours spent of the budget's hours; money once time or expenses
 *    were recorded: {@link budgetBurnOf}).
 * 5. Email it to the delivery manager and post it to the platform's chat channel, if any. A failed
 *    delivery is logged (the digest belongs to no project's event log) and reported in the result.
 * 6. Record the outcome on the claim: `sent` when any channel got the digest (a retry would send
 *    it to that channel twice, so a failed chat post after a delivered email is not retried);
 *    `unsent` when none did.
 *
 * A day whose digest reached nobody is recorded `unsent`, not left claimed: the next invocation of
 * the same day claims it again (a conditional write over the version it read, so two retries still
 * send one digest). Recording rather than releasing keeps the attempts of the day (and the
 * functions may not delete items: least privilege). When nothing was delivered because every
 * channel failed, the invocation throws DigestNotDeliveredError after recording it: the scheduler
 * invokes the function asynchronously, so Lambda retries it (and the function's errors alarm
 * tells the operators). An error while building the digest is recorded the same way and rethrown.
 *
 * An invocation that dies between its claim and the outcome (a timeout, out of memory) leaves the
 * claim `sending`: it holds for {@link DIGEST_CLAIM_MS} (the longest any Lambda function runs, so it
 * is never taken over while its invocation may still be sending), and a later invocation may
 * claim it after that. Whether that invocation's email left is unknown, so a retry coming
 * within the hold (Lambda retries within minutes) does not send: at most once wins.
 */
import { budgetBurn } from '../budget.js';
import { activeProjects } from '../capacity.js';
import { ConflictError, MilepostError } from '../errors.js';
import type { DigestRun, Gate, Ledger, Project, Resource, Task } from '../model.js';
import { type DigestInput, type DigestProject, portfolioDigest } from '../notifications/digest.js';
import type { Deps } from '../ports.js';
import { DAY_MS, DAY_SECONDS, localDate } from '../time.js';

export type PortfolioDigestResult =
  | { status: 'skipped'; reason: 'no_recipient' | 'already_sent' }
  | { status: 'sent'; projects: number; emailed: boolean; posted: boolean; failed: number };

/**
 * How long a `sending` claim holds against other invocations: the longest a Lambda function may
 * run (15 minutes), whatever the schedule function's own timeout.
 */
export const DIGEST_CLAIM_MS = 15 * 60 * 1000;

/** Days a day's claim is kept (the table's TTL removes it after): a record of the recent runs. */
const DIGEST_RUN_DAYS = 90;

/** Every channel of the digest failed: recorded `unsent`, thrown so the platform retries. */
export class DigestNotDeliveredError extends MilepostError {
  override name = 'DigestNotDeliveredError';
}

/**
 * Claims the digest of `date`: writes its run record as `sending`, new (version 0) or over an
 * `unsent` or abandoned claim at the version read. Undefined when the day is sent, or claimed by an
 * invocation that may still be sending, or another invocation's claim won the write.
 */
async function claimDay(deps: Deps, date: string, now: Date): Promise<DigestRun | undefined> {
  const [current] = await deps.store.getRecords([{ entity: 'digest', date }] as const);
  if (current?.status === 'sent') return undefined;
  if (current?.status === 'sending' && now.getTime() - Date.parse(current.claimedAt) < DIGEST_CLAIM_MS) {
    return undefined;
  }
  const claim: DigestRun = {
    entity: 'digest',
    date,
    status: 'sending',
    claimedAt: now.toISOString(),
    attempts: (current?.attempts ?? 0) + 1,
    expiresAt: Math.floor(now.getTime() / 1000) + DIGEST_RUN_DAYS * DAY_SECONDS,
    version: current?.version ?? 0,
  };
  try {
    const [stored] = await deps.store.commit([claim]);
    return stored as DigestRun;
  } catch (error) {
    // Another invocation claimed the day between the read and the write.
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
}

/**
 * Records how the claimed attempt ended. A failure to record is logged, not thrown: the digest
 * went out (or not) whatever the record says, and the claim then holds as an abandoned one does.
 */
async function recordOutcome(deps: Deps, claim: DigestRun, outcome: Partial<DigestRun>): Promise<void> {
  try {
    await deps.store.commit([{ ...claim, ...outcome }]);
  } catch (error) {
    deps.log.warn('portfolio digest outcome not recorded', {
      date: claim.date,
      status: outcome.status,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}

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

/**
 * Sends the day's digest to the delivery manager (and the platform's chat channel), unless this
 * day's was sent or is being sent. Throws DigestNotDeliveredError when every channel failed.
 */
export async function sendPortfolioDigest(deps: Deps): Promise<PortfolioDigestResult> {
  const to = deps.config.deliveryManagerEmail;
  if (!to && !deps.notifier.announce) {
    deps.log.info('portfolio digest skipped: no delivery manager and no chat channel');
    return { status: 'skipped', reason: 'no_recipient' };
  }
  const now = deps.clock.now();
  const timezone = deps.config.platformTimezone ?? 'UTC';
  const date = localDate(now, timezone);
  const claim = await claimDay(deps, date, now);
  if (!claim) {
    deps.log.info('portfolio digest skipped: already sent or being sent', { date });
    return { status: 'skipped', reason: 'already_sent' };
  }
  let delivery: Awaited<ReturnType<typeof deliver>>;
  try {
    delivery = await deliver(deps, to, now, date, timezone);
  } catch (error) {
    // Nothing was sent: a retry of the same day may send.
    await recordOutcome(deps, claim, { status: 'unsent' });
    throw error;
  }
  const { projects, emailed, posted, failed } = delivery;
  const delivered = emailed || posted;
  await recordOutcome(deps, claim, {
    status: delivered ? 'sent' : 'unsent',
    ...(delivered ? { sentAt: deps.clock.now().toISOString() } : {}),
    projects,
    emailed,
    posted,
    failed,
  });
  if (!delivered && failed > 0) {
    throw new DigestNotDeliveredError(
      `the portfolio digest of ${date} reached no channel (${failed} failed): a retry of the same day sends it`,
    );
  }
  if (!delivered) {
    deps.log.info('portfolio digest skipped: no delivery manager and no chat channel');
    return { status: 'skipped', reason: 'no_recipient' };
  }
  deps.log.info('portfolio digest sent', { date, projects, emailed, posted, failed });
  return { status: 'sent', projects, emailed, posted, failed };
}

/** Builds the digest of `date` and sends it on every channel; a failed channel is counted, not thrown. */
async function deliver(deps: Deps, to: string | undefined, now: Date, date: string, timezone: string) {
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
    date,
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
  return { projects: projects.length, emailed, posted, failed };
}
