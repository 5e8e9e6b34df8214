/**
 * The PM's alerts from the monitoring check: the RAG changed (to amber or red, and back) and
 * deviations opened. Each is sent once: the check records what it notified (`notifiedRag`, the
 * open deviation keys) in the same conditional write as the health, and sends only after that
 * write succeeded. A concurrent or retried check then finds the change already recorded and sends
 * nothing. The price is at-most-once: a process that dies between the write and the send loses
 * that alert (the event log still has `health_changed` and `deviation_detected`).
 */
import type { Rag } from './health.js';
import type { Project, ProjectMonitoring } from './model.js';
import { deviationOpened, healthChanged } from './notifications/alerts.js';
import { notify } from './notifications/notify.js';
import { loadPeople, notificationContext, projectManagers } from './notifications/people.js';
import type { Deps } from './ports.js';

/** What the check keeps for the alerts, and what it is to send once its write succeeded. */
export interface MonitoringAlerts {
  /** Fields for `project.monitoring`. */
  state: Pick<ProjectMonitoring, 'notifiedRag' | 'deviationSummaries'>;
  /** The RAG change to notify, if any. */
  ragChange?: { from: Rag; to: Rag };
  /** Deviations opened by this check. */
  opened: { key: string; summary: string }[];
}

/**
 * Compares the health found now with what was notified before. `deviations` are today's; those
 * whose key was not open before are `opened`. A summary is kept from the run that found the
 * deviation (so a daily count in it does not rewrite the record every day).
 */
export function monitoringAlerts(
  before: ProjectMonitoring | undefined,
  rag: Rag,
  deviations: { key: string; summary: string }[],
): MonitoringAlerts {
  // Before this version a project had no notifiedRag: its recorded RAG was already known.
  const notified: Rag = before?.notifiedRag ?? before?.rag ?? 'green';
  const open = new Set(before?.openDeviations ?? []);
  const known = before?.deviationSummaries ?? {};
  const deviationSummaries = Object.fromEntries(deviations.map((d) => [d.key, known[d.key] ?? d.summary]));
  return {
    state: {
      notifiedRag: rag,
      ...(deviations.length > 0 ? { deviationSummaries } : {}),
    },
    ...(notified !== rag ? { ragChange: { from: notified, to: rag } } : {}),
    opened: deviations.filter((d) => !open.has(d.key)).map((d) => ({ key: d.key, summary: d.summary })),
  };
}

/** Sends the alerts of a check (after its write): to the project's PMs; failures are recorded, not thrown. */
export async function sendMonitoringAlerts(
  deps: Deps,
  project: Project,
  alerts: MonitoringAlerts,
  health: { reasons: string[]; spi: number; cpi: number },
): Promise<{ sent: number; failed: number }> {
  if (!alerts.ragChange && alerts.opened.length === 0) return { sent: 0, failed: 0 };
  const people = await loadPeople(deps, project);
  const to = projectManagers(people.team).map((p) => ({ email: p.email, name: p.name }));
  const ctx = notificationContext(project, deps.config);
  const projectUrl = `${deps.config.publicBaseUrl}/projects/${encodeURIComponent(project.id)}`;
  const notifications = [
    ...(alerts.ragChange
      ? [
          healthChanged({
            ctx,
            to,
            from: alerts.ragChange.from,
            rag: alerts.ragChange.to,
            reasons: health.reasons,
            spi: health.spi,
            cpi: health.cpi,
            projectUrl,
          }),
        ]
      : []),
    ...(alerts.opened.length > 0
      ? [deviationOpened({ ctx, to, deviations: alerts.opened, projectUrl })]
      : []),
  ];
  return notify(deps, project.id, undefined, notifications);
}
