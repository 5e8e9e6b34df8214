/**
 * The close-out report (stages with dates, approvals, budget vs actual hours) with a plain-text
 * summary: the notification to stakeholders and team, whose email rendering is also the report
 * document.
 */
import type { Gate, Project, Stage, Task } from '../model.js';
import { formatDay, formatTime, subject } from './format.js';
import type { Block, Notification, NotificationContent, NotificationContext } from './notification.js';

export interface CloseoutInput {
  ctx: NotificationContext;
  project: Project;
  stages: Stage[];
  gates: Gate[];
  tasks: Task[];
  closedAt: string;
}

export interface CloseoutSummary {
  budgetHours: number;
  estimateHours: number;
  actualHours: number;
  tasksDone: number;
  tasksTotal: number;
}

/** Totals of the report: hours budgeted, estimated and spent, tasks done. */
export function closeoutSummary(input: CloseoutInput): CloseoutSummary {
  const sum = (f: (t: Task) => number) => input.tasks.reduce((a, t) => a + (f(t) || 0), 0);
  return {
    budgetHours: input.project.spec.budget.hours,
    estimateHours: round(sum((t) => t.estimateHours)),
    actualHours: round(sum((t) => t.actualHours)),
    tasksDone: input.tasks.filter((t) => t.status === 'done').length,
    tasksTotal: input.tasks.length,
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function ordered(input: CloseoutInput): Stage[] {
  return [...input.stages].sort((a, b) => a.order - b.order);
}

/** The report's content: the full report and a plain-text summary. */
export function closeoutContent(input: CloseoutInput): NotificationContent {
  const { ctx } = input;
  const s = closeoutSummary(input);
  const title = `Close-out report: ${ctx.projectName}`;
  const gateOf = new Map(input.gates.map((g) => [g.stage, g]));
  const variance = round(s.actualHours - s.budgetHours);
  const stageRows = ordered(input).map((st) => [
    st.name,
    formatDay(st.due) ?? '-',
    formatDay(st.startedAt) ?? '-',
    formatDay(st.completedAt) ?? '-',
    String(st.reworkCount),
  ]);
  const approvalRows = ordered(input).flatMap((st) => {
    const g = gateOf.get(st.key);
    if (!g) return [];
    if (g.rule === 'auto') {
      return [[st.name, 'automatic (criteria held)', '-', formatTime(g.decidedAt, ctx.timezone) ?? '-', '']];
    }
    return g.approvers.map((a) => [
      `${st.name}${g.documentVersion ? ` (plan v${g.documentVersion})` : ''}`,
      a.name,
      a.decision ?? 'not decided',
      formatTime(a.decidedAt, ctx.timezone) ?? '-',
      a.comment ?? '',
    ]);
  });
  const closed = `Project ${ctx.projectName} for ${ctx.customerName} was closed on ${formatTime(input.closedAt, ctx.timezone)}.`;
  const blocks: Block[] = [
    { type: 'paragraph', text: closed },
    { type: 'heading', text: 'Budget' },
    {
      type: 'facts',
      rows: [
        ['Budget (hours)', String(s.budgetHours)],
        ['Estimated (hours)', String(s.estimateHours)],
        ['Actual (hours)', String(s.actualHours)],
        ['Variance (hours)', `${variance > 0 ? '+' : ''}${variance}`],
        ['Budget (money)', `${input.project.spec.budget.amount} ${input.project.spec.budget.currency}`],
        ['Tasks done', `${s.tasksDone} of ${s.tasksTotal}`],
      ],
    },
    { type: 'heading', text: 'Stages' },
    { type: 'table', columns: ['Stage', 'Due', 'Started', 'Completed', 'Rework'], rows: stageRows },
    { type: 'heading', text: 'Approvals' },
    { type: 'table', columns: ['Stage', 'Approver', 'Decision', 'When', 'Comment'], rows: approvalRows },
  ];
  const summary: Block[] = [
    { type: 'paragraph', text: closed },
    {
      type: 'facts',
      rows: [
        ['Budget (hours)', String(s.budgetHours)],
        ['Actual (hours)', String(s.actualHours)],
        ['Tasks done', `${s.tasksDone} of ${s.tasksTotal}`],
      ],
    },
    {
      type: 'list',
      lead: 'Stages:',
      items: ordered(input).map(
        (st) =>
          `${st.name}: started ${formatDay(st.startedAt) ?? '-'}, completed ${formatDay(st.completedAt) ?? '-'}`,
      ),
    },
  ];
  return { subject: subject(ctx, title), title, blocks, summary };
}

/** The close-out notification to every recipient (the report in the body). */
export function closeout(input: CloseoutInput, to: string[]): Notification {
  return {
    kind: 'closeout',
    to: to.map((email) => ({ email })),
    context: input.ctx,
    content: closeoutContent(input),
  };
}
