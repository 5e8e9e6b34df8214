/**
 * The schedule Lambda: each project's EventBridge Scheduler schedules (and the local runtime's
 * timers) call it with `{ kind: 'monitor' | 'status-report', projectId }`, the platform's daily
 * schedule with `{ kind: 'portfolio-digest' }`. It parses the event and runs the monitoring check,
 * the status report or the delivery manager's digest. A project that does not exist (any more) is
 * logged and skipped: retrying cannot help.
 */
import * as z from 'zod/mini';
import '../core/zod-english.js';
import { lambdaDeps } from '../composition/deps.js';
import { documentStore } from '../composition/documents.js';
import { emailNotifier } from '../composition/notifier.js';
import { lambdaRenderer } from '../composition/renderer.js';
import { dynamoStore } from '../composition/store.js';
import { sfnWorkflow } from '../composition/workflow.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import type { Deps } from '../core/ports.js';
import { SCHEDULE_KINDS } from '../core/schedules.js';
import { type MonitoringCheckResult, runMonitoringCheck } from '../core/use-cases/run-monitoring-check.js';
import { type PortfolioDigestResult, sendPortfolioDigest } from '../core/use-cases/send-portfolio-digest.js';
import { type StatusReportResult, sendStatusReport } from '../core/use-cases/send-status-report.js';

/** The platform's digest schedule (infra/platform-stack.ts) and the local scheduler's. */
export const digestEventSchema = z.object({ kind: z.literal('portfolio-digest') });

/** What a project's schedule sends (infra/project-stack.ts) and the local scheduler passes. */
export const scheduleEventSchema = z.object({
  kind: z.enum(SCHEDULE_KINDS),
  projectId: z.string().check(z.minLength(1)),
});
export type ScheduleEvent = z.infer<typeof scheduleEventSchema>;

export type ScheduleResult =
  | MonitoringCheckResult
  | StatusReportResult
  | PortfolioDigestResult
  | { status: 'skipped'; reason: 'unknown_project' };

/** Parses `event` and runs its job with `deps`. Throws ValidationError for a malformed event. */
export async function handleSchedule(deps: Deps, event: unknown): Promise<ScheduleResult> {
  if (digestEventSchema.safeParse(event).success) return sendPortfolioDigest(deps);
  const parsed = scheduleEventSchema.safeParse(event);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    deps.log.error('schedule event rejected', { issues: issues.map((i) => i.path) });
    throw new ValidationError(issues);
  }
  const { kind, projectId } = parsed.data;
  try {
    return kind === 'monitor'
      ? await runMonitoringCheck(deps, projectId)
      : await sendStatusReport(deps, projectId);
  } catch (error) {
    if (error instanceof NotFoundError) {
      deps.log.warn('scheduled job for an unknown project skipped', { kind, projectId });
      return { status: 'skipped', reason: 'unknown_project' };
    }
    deps.log.error('scheduled job failed', {
      kind,
      projectId,
      error: error instanceof Error ? error.name : 'unknown',
    });
    throw error;
  }
}

/** Monitoring checks (automatic gates answer their task) and status reports (kept as documents, emailed). */
const functionDeps = lambdaDeps({
  store: dynamoStore,
  workflow: sfnWorkflow,
  notifier: emailNotifier,
  documents: documentStore,
  renderer: lambdaRenderer,
});

/** Lambda entry point. */
export const handler = (event: unknown): Promise<ScheduleResult> => handleSchedule(functionDeps(), event);
