/**
 * Project health from earned value (EVM), overdue stages and open high risks.
 *
 * Earned value in hours, from the project's tasks and deliverables:
 * - Each task is planned to be worked on evenly across its window: from the end of the previous
 *   stage (the timeline start for the first stage) to its own `due` date, or its stage's `due`, or
 *   the next stage due date that is known, or the timeline end. A due date counts as the end of that day.
 * - Planned value (PV) = sum over tasks of estimate x the share of its window that has elapsed by now.
 * - Earned value (EV) = estimates of done tasks. Actual cost (AC) = actual hours of the tasks that
 *   have an estimate: work without a baseline cannot be over or under it, so it does not move CPI
 *   (it still counts in `actualHours`).
 * - SPI = EV / PV and CPI = EV / AC; each is 1 when undefined (nothing planned yet / nothing spent).
 * "Now" and "today" are taken in the customer's time zone.
 *
 * RAG, with the thresholds of `spec.monitoring.thresholds` (default SPI 0.9, CPI 0.9):
 * - red when SPI or CPI is below 80% of its threshold, when a stage is overdue by more than
 *   {@link OVERDUE_RED_DAYS} days, when an open high risk has no owner or no mitigation, or when an
 *   active project is past its timeline end;
 * - amber when SPI or CPI is below its threshold, when any stage or task is overdue, or when a high
 *   risk (likelihood x impact >= 12) is open;
 * - green otherwise. Each rule that applies adds a reason in words.
 *
 * The forecast end date is the timeline end moved by the time the project has waited on its
 * customer (customer-wait.ts: every gate's approval rounds, the open one up to now), in whole days.
 */
import { projectWaitMs, waitClockEnd, waitDays } from './customer-wait.js';
import { type Gate, isTaskClosed, type Project, type Risk, type Stage, type Task } from './model.js';
import { HIGH_RISK_SCORE } from './spec/schema.js';
import { addDays, DAY_MS, dayStart, daysBetween, localDate, localWallClockMs } from './time.js';

export type Rag = 'green' | 'amber' | 'red';

export interface Health {
  rag: Rag;
  /** Schedule performance index EV / PV, rounded to 2 decimals. */
  spi: number;
  /** Cost performance index EV / AC, rounded to 2 decimals. */
  cpi: number;
  /** Why the project is not green (empty when green). */
  reasons: string[];
  /** Planned value, earned value and actual cost in hours. */
  plannedHours: number;
  earnedHours: number;
  actualHours: number;
  /** Milliseconds the project has waited on its customer's decisions (every gate and round). */
  customerWaitMs: number;
  /** The timeline end moved by the customer wait in whole days (YYYY-MM-DD). */
  forecastEnd: string;
}

export interface HealthInput {
  project: Pick<Project, 'spec' | 'timezone' | 'status' | 'archivedAt'>;
  stages: Stage[];
  tasks: Task[];
  risks: Risk[];
  /** The project's gates: their waiting-on-client clock moves the forecast end. */
  gates?: Gate[];
  now: Date;
}

/** A stage overdue by more than this many days makes the project red. */
export const OVERDUE_RED_DAYS = 7;
/** An index below this share of its threshold makes the project red. */
export const RED_FACTOR = 0.8;

/** Stages not completed whose due date is before today, with how many days late. */
export function overdueStages(stages: Stage[], today: string): { stage: Stage; days: number }[] {
  return stages
    .filter((s) => s.status !== 'completed' && s.due !== undefined && s.due < today)
    .sort((a, b) => a.order - b.order)
    .map((stage) => ({ stage, days: daysBetween(stage.due as string, today) }));
}

/** Tasks not done whose own due date is before today. */
export function overdueTasks(tasks: Task[], today: string): { task: Task; days: number }[] {
  return tasks
    .filter((t) => !isTaskClosed(t) && t.due !== undefined && t.due < today)
    .map((task) => ({ task, days: daysBetween(task.due as string, today) }));
}

/** Open risks with likelihood x impact at or above the high-risk score, highest first. */
export function openHighRisks(risks: Risk[]): Risk[] {
  return risks
    .filter((r) => r.status === 'open' && r.likelihood * r.impact >= HIGH_RISK_SCORE)
    .sort((a, b) => b.likelihood * b.impact - a.likelihood * a.impact);
}

/** Each stage's planned window [start, end) in ms: see the module doc. */
function stageWindows(stages: Stage[], timeline: { start: string; end: string }) {
  const ordered = [...stages].sort((a, b) => a.order - b.order);
  const ends: number[] = new Array(ordered.length);
  let next = dayStart(timeline.end) + DAY_MS;
  for (let i = ordered.length - 1; i >= 0; i--) {
    const due = ordered[i]?.due;
    if (due) next = dayStart(due) + DAY_MS;
    ends[i] = next;
  }
  const windows = new Map<string, { start: number; end: number }>();
  let start = dayStart(timeline.start);
  ordered.forEach((s, i) => {
    const end = ends[i] as number;
    windows.set(s.key, { start: Math.min(start, end), end });
    start = Math.max(start, end);
  });
  return windows;
}

/** Share of [start, end) elapsed at `at` (0..1); a zero-length window is 0 before its end, then 1. */
function elapsedShare(window: { start: number; end: number }, at: number): number {
  if (window.end <= window.start) return at >= window.end ? 1 : 0;
  return Math.min(1, Math.max(0, (at - window.start) / (window.end - window.start)));
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const fmt = (n: number) => n.toFixed(2);

/** Computes RAG, SPI, CPI and the reasons for a project at `now`. See the module doc for the rules. */
export function computeHealth({ project, stages, tasks, risks, gates = [], now }: HealthInput): Health {
  const spec = project.spec;
  const thresholds = spec.monitoring.thresholds;
  const at = localWallClockMs(now, project.timezone);
  const today = localDate(now, project.timezone);
  const windows = stageWindows(stages, spec.timeline);
  const projectWindow = { start: dayStart(spec.timeline.start), end: dayStart(spec.timeline.end) + DAY_MS };

  let planned = 0;
  let earned = 0;
  let actual = 0;
  let actualOnBaseline = 0;
  for (const task of tasks) {
    // A waived task is out of scope: it is neither planned nor earned (its hours still count as spent).
    if (task.status === 'waived') {
      actual += task.actualHours;
      continue;
    }
    const stageWindow = windows.get(task.stage) ?? projectWindow;
    const window = task.due
      ? { start: Math.min(stageWindow.start, dayStart(task.due) + DAY_MS), end: dayStart(task.due) + DAY_MS }
      : stageWindow;
    planned += task.estimateHours * elapsedShare(window, at);
    if (task.status === 'done') earned += task.estimateHours;
    actual += task.actualHours;
    if (task.estimateHours > 0) actualOnBaseline += task.actualHours;
  }
  const spi = planned > 0 ? earned / planned : 1;
  const cpi = actualOnBaseline > 0 ? earned / actualOnBaseline : 1;

  const red: string[] = [];
  const amber: string[] = [];
  const index = (name: 'SPI' | 'CPI', value: number, threshold: number, what: string) => {
    if (value < threshold * RED_FACTOR)
      red.push(`${name} ${fmt(value)} is far below ${fmt(threshold)} (${what})`);
    else if (value < threshold) amber.push(`${name} ${fmt(value)} is below ${fmt(threshold)} (${what})`);
  };
  index('SPI', spi, thresholds.spi, 'behind schedule');
  index('CPI', cpi, thresholds.cpi, 'over budget');

  for (const { stage, days } of overdueStages(stages, today)) {
    const text = `stage ${stage.name} is ${days} day(s) overdue (due ${stage.due})`;
    (days > OVERDUE_RED_DAYS ? red : amber).push(text);
  }
  const lateTasks = overdueTasks(tasks, today);
  if (lateTasks.length > 0) {
    const names = lateTasks.map((t) => t.task.name).join(', ');
    amber.push(`${lateTasks.length} task(s) overdue: ${names}`);
  }
  for (const risk of openHighRisks(risks)) {
    const score = risk.likelihood * risk.impact;
    if (!risk.owner || !risk.mitigation)
      red.push(
        `high risk "${risk.title}" (score ${score}) is open without ${!risk.owner ? 'an owner' : 'a mitigation'}`,
      );
    else amber.push(`high risk "${risk.title}" (score ${score}) is open`);
  }
  if (project.status === 'active' && today > spec.timeline.end)
    red.push(`the project is past its planned end ${spec.timeline.end}`);

  const customerWaitMs = projectWaitMs(gates, waitClockEnd(project, now));
  const rag: Rag = red.length > 0 ? 'red' : amber.length > 0 ? 'amber' : 'green';
  return {
    rag,
    spi: round2(spi),
    cpi: round2(cpi),
    reasons: [...red, ...amber],
    plannedHours: round2(planned),
    earnedHours: round2(earned),
    actualHours: round2(actual),
    customerWaitMs,
    forecastEnd: addDays(spec.timeline.end, waitDays(customerWaitMs)),
  };
}
