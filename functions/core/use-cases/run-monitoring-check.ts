/**
 * The scheduled monitoring check of one project (Monitoring & Control).
 *
 * Input: projectId. Output: what was found (health, new and cleared deviations, the gate action).
 * Steps:
 * 1. A closed project is skipped.
 * 2. Health is computed (computeHealth) and the deviations of today are listed: SPI or CPI below
 *    its threshold, overdue stages and tasks, stale approvals (a gate pending longer than its
 *    timeoutDays), open risks due for review.
 * 3. Deviations not already open are recorded as `deviation_detected` events; open ones that are
 *    gone are recorded as `deviation_cleared`; a RAG change is recorded as `health_changed`.
 *    The open deviation keys live on the project (`project.monitoring`), so a deviation is
 *    recorded once, not on every run. Nothing is written when nothing changed.
 * 4. The PM is alerted (alerts.ts) when the RAG changed from the one last notified and when
 *    deviations opened: once, after the write that records it.
 * 5. `progressGate` runs for the current stage, so time-based criteria (the support period) advance.
 * Requests: one Query reads the project and its current records (`getProjectSnapshot`), and
 * progressGate reads from that snapshot too; a change is one transaction. So a check costs one
 * request when nothing changed and two on a change, however many projects, tasks or events there
 * are. Only criteria that need records outside the snapshot read them (the deployment stage's
 * deployment records, the risk stage's plan document: one more Query or GetItem while the project
 * is in that stage and its gate waits), and a gate that moves (requests sent, withdrawn, passed)
 * writes its own change.
 */
import { monitoringAlerts, sendMonitoringAlerts } from '../alerts.js';
import { NotFoundError } from '../errors.js';
import { withConflictRetry } from '../events.js';
import { computeHealth, type Health, overdueStages, overdueTasks } from '../health.js';
import type { Gate, Project, ProjectMonitoring, Risk, Stage, Task } from '../model.js';
import type { Deps, NewEvent, ProjectStore } from '../ports.js';
import { snapshotStore } from '../snapshot.js';
import { DAY_MS, daysBetween, localDate } from '../time.js';
import { type ProgressGateResult, progressGate } from './progress-gate.js';

export type DeviationKind =
  | 'spi'
  | 'cpi'
  | 'overdue_stage'
  | 'overdue_task'
  | 'stale_approval'
  | 'risk_review';

export interface Deviation {
  /** Stable identity: the same deviation on the next run has the same key. */
  key: string;
  kind: DeviationKind;
  stage?: string;
  summary: string;
  data: Record<string, unknown>;
}

export type MonitoringCheckResult =
  | { status: 'skipped'; reason: 'closed' }
  | {
      status: 'checked';
      health: Health;
      deviations: Deviation[];
      /** Deviations recorded by this run (not open before). */
      detected: Deviation[];
      /** Keys of deviations open before that are gone now. */
      cleared: string[];
      gate: ProgressGateResult['action'];
    };

/** Today's deviations of a project (pure: exported for tests and the dashboard). */
export function findDeviations(input: {
  project: Project;
  stages: Stage[];
  tasks: Task[];
  risks: Risk[];
  gates: Gate[];
  health: Health;
  now: Date;
}): Deviation[] {
  const { project, health, now } = input;
  const today = localDate(now, project.timezone);
  const thresholds = project.spec.monitoring.thresholds;
  const out: Deviation[] = [];
  if (health.spi < thresholds.spi) {
    out.push({
      key: 'spi',
      kind: 'spi',
      summary: `Schedule variance: SPI ${health.spi.toFixed(2)} is below ${thresholds.spi.toFixed(2)}`,
      data: {
        spi: health.spi,
        threshold: thresholds.spi,
        planned: health.plannedHours,
        earned: health.earnedHours,
      },
    });
  }
  if (health.cpi < thresholds.cpi) {
    out.push({
      key: 'cpi',
      kind: 'cpi',
      summary: `Cost variance: CPI ${health.cpi.toFixed(2)} is below ${thresholds.cpi.toFixed(2)}`,
      data: {
        cpi: health.cpi,
        threshold: thresholds.cpi,
        earned: health.earnedHours,
        actual: health.actualHours,
      },
    });
  }
  for (const { stage, days } of overdueStages(input.stages, today)) {
    out.push({
      key: `overdue-stage:${stage.key}`,
      kind: 'overdue_stage',
      stage: stage.key,
      summary: `Stage ${stage.name} is overdue by ${days} day(s) (due ${stage.due})`,
      data: { due: stage.due, days },
    });
  }
  for (const { task, days } of overdueTasks(input.tasks, today)) {
    out.push({
      key: `overdue-task:${task.id}`,
      kind: 'overdue_task',
      stage: task.stage,
      summary: `${task.type === 'deliverable' ? 'Deliverable' : 'Task'} ${task.name} is overdue by ${days} day(s) (due ${task.due})`,
      data: { task: task.id, due: task.due, days },
    });
  }
  for (const gate of input.gates) {
    if (gate.status !== 'pending_approval') continue;
    const since = gate.requestedAt ?? gate.openedAt;
    const resolved = project.stages.find((s) => s.key === gate.stage);
    const timeoutDays = resolved?.gate.timeoutDays;
    if (!resolved || timeoutDays === undefined) continue;
    const waited = (now.getTime() - Date.parse(since)) / DAY_MS;
    if (!(waited > timeoutDays)) continue;
    const waitingFor = gate.approvers.filter((a) => !a.decision).map((a) => a.name || a.email);
    out.push({
      key: `stale-approval:${gate.stage}:${gate.round}`,
      kind: 'stale_approval',
      stage: gate.stage,
      summary: `Approval of ${resolved.name} has waited ${Math.floor(waited)} day(s) (more than ${timeoutDays}); waiting for ${waitingFor.join(', ') || 'the gate rule'}`,
      data: { round: gate.round, since, timeoutDays, waitingFor },
    });
  }
  for (const risk of input.risks) {
    if (risk.status !== 'open' || !risk.reviewBy || risk.reviewBy.slice(0, 10) > today) continue;
    out.push({
      key: `risk-review:${risk.id}:${risk.reviewBy.slice(0, 10)}`,
      kind: 'risk_review',
      summary: `Risk "${risk.title}" is due for review (review by ${risk.reviewBy.slice(0, 10)}, ${daysBetween(risk.reviewBy.slice(0, 10), today)} day(s) ago)`,
      data: { risk: risk.id, reviewBy: risk.reviewBy },
    });
  }
  return out;
}

function sameMonitoring(a: ProjectMonitoring | undefined, b: Omit<ProjectMonitoring, 'checkedAt'>): boolean {
  if (!a) return false;
  return (
    a.rag === b.rag &&
    a.spi === b.spi &&
    a.cpi === b.cpi &&
    JSON.stringify(a.reasons) === JSON.stringify(b.reasons) &&
    JSON.stringify(a.openDeviations) === JSON.stringify(b.openDeviations) &&
    JSON.stringify(a.correctiveActions ?? {}) === JSON.stringify(b.correctiveActions ?? {}) &&
    a.notifiedRag === b.notifiedRag &&
    JSON.stringify(a.deviationSummaries ?? {}) === JSON.stringify(b.deviationSummaries ?? {})
  );
}

export async function runMonitoringCheck(deps: Deps, projectId: string): Promise<MonitoringCheckResult> {
  const checked = await withConflictRetry(async () => {
    // One request: the project and its current records (not the event log).
    const snapshot = await deps.store.getProjectSnapshot(projectId);
    if (!snapshot) throw new NotFoundError(`project ${projectId} not found`);
    const { project } = snapshot;
    if (project.status !== 'active') return undefined;
    const now = deps.clock.now();
    const { stage: stages, task: tasks, risk: risks, gate: gates } = snapshot.records;
    // Later reads of this project (progressGate) come from the snapshot, and see this commit.
    const store = snapshotStore(deps.store, snapshot);
    const health = computeHealth({ project, stages, tasks, risks, gates, now });
    const deviations = findDeviations({ project, stages, tasks, risks, gates, health, now });
    const before = new Set(project.monitoring?.openDeviations ?? []);
    const keys = deviations.map((d) => d.key);
    const detected = deviations.filter((d) => !before.has(d.key));
    const cleared = [...before].filter((k) => !keys.includes(k));
    const at = now.toISOString();
    // A corrective action stays with its deviation while it is open; a cleared one drops it
    // (the event log keeps it).
    const correctiveActions = Object.fromEntries(
      Object.entries(project.monitoring?.correctiveActions ?? {}).filter(([key]) => keys.includes(key)),
    );
    // What the PM was told (alerts.ts): recorded in this write, sent after it.
    const alerts = monitoringAlerts(project.monitoring, health.rag, deviations);
    const monitoring = {
      ...alerts.state,
      rag: health.rag,
      spi: health.spi,
      cpi: health.cpi,
      reasons: health.reasons,
      openDeviations: keys,
      ...(Object.keys(correctiveActions).length > 0 ? { correctiveActions } : {}),
    };

    const events: NewEvent[] = detected.map((d) => ({
      projectId,
      ...(d.stage ? { stage: d.stage } : {}),
      type: 'deviation_detected',
      actor: 'scheduler',
      at,
      summary: d.summary,
      data: { key: d.key, kind: d.kind, ...d.data },
    }));
    for (const key of cleared) {
      events.push({
        projectId,
        type: 'deviation_cleared',
        actor: 'scheduler',
        at,
        summary: `Deviation no longer present: ${key}`,
        data: { key },
      });
    }
    const previousRag = project.monitoring?.rag;
    if (previousRag !== health.rag) {
      events.push({
        projectId,
        type: 'health_changed',
        actor: 'scheduler',
        at,
        summary: `Health is ${health.rag}${previousRag ? ` (was ${previousRag})` : ''}: ${health.reasons.join('; ') || 'on track'}`,
        data: {
          rag: health.rag,
          ...(previousRag ? { previous: previousRag } : {}),
          spi: health.spi,
          cpi: health.cpi,
        },
      });
    }
    if (!sameMonitoring(project.monitoring, monitoring) || events.length > 0) {
      await store.commit([{ ...project, monitoring: { checkedAt: at, ...monitoring } }], events);
    }
    return { project, store, health, deviations, detected, cleared, alerts };
  });

  if (!checked) {
    deps.log.info('monitoring check skipped: project closed', { projectId });
    return { status: 'skipped', reason: 'closed' };
  }
  const store: ProjectStore = checked.store;
  // Who to tell is read from the snapshot too (no request).
  await sendMonitoringAlerts({ ...deps, store }, checked.project, checked.alerts, checked.health);
  const progressed = await progressGate(
    { ...deps, store },
    projectId,
    checked.project.currentStage,
    'scheduler',
  );
  deps.log.info('monitoring check done', {
    projectId,
    rag: checked.health.rag,
    spi: checked.health.spi,
    cpi: checked.health.cpi,
    deviations: checked.deviations.length,
    detected: checked.detected.length,
    cleared: checked.cleared.length,
    gate: progressed.action,
  });
  return {
    status: 'checked',
    health: checked.health,
    deviations: checked.deviations,
    detected: checked.detected,
    cleared: checked.cleared,
    gate: progressed.action,
  };
}
