/**
 * The close-out report (stages with dates, approvals, budget vs actual hours) as a standalone
 * HTML document for the document store, and the email that carries it to stakeholders and team.
 */
import { html, type SafeHtml } from '../html.js';
import type { Gate, Project, Stage, Task } from '../model.js';
import type { EmailMessage } from '../ports.js';
import {
  type EmailContext,
  facts,
  factsText,
  formatDay,
  formatTime,
  layout,
  para,
  subject,
  textFrame,
} from './layout.js';

export interface CloseoutInput {
  ctx: EmailContext;
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

const TABLE = 'border-collapse:collapse;width:100%;margin:0 0 16px;font-size:14px;';
const TH = 'text-align:left;border-bottom:2px solid #cbd2d9;padding:6px 8px 6px 0;';
const TD = 'border-bottom:1px solid #e4e7eb;padding:6px 8px 6px 0;vertical-align:top;';

function reportBody(input: CloseoutInput): SafeHtml {
  const { ctx } = input;
  const s = closeoutSummary(input);
  const gateOf = new Map(input.gates.map((g) => [g.stage, g]));
  const variance = round(s.actualHours - s.budgetHours);
  const stageRows = ordered(input).map(
    (st) =>
      html`<tr><td style="${TD}">${st.name}</td><td style="${TD}">${formatDay(st.due) ?? '-'}</td><td style="${TD}">${formatDay(st.startedAt) ?? '-'}</td><td style="${TD}">${formatDay(st.completedAt) ?? '-'}</td><td style="${TD}">${String(st.reworkCount)}</td></tr>`,
  );
  const approvalRows = ordered(input).flatMap((st) => {
    const g = gateOf.get(st.key);
    if (!g) return [];
    if (g.rule === 'auto') {
      return [
        html`<tr><td style="${TD}">${st.name}</td><td style="${TD}">automatic (criteria held)</td><td style="${TD}">-</td><td style="${TD}">${formatTime(g.decidedAt, ctx.timezone) ?? '-'}</td><td style="${TD}"></td></tr>`,
      ];
    }
    return g.approvers.map(
      (a) =>
        html`<tr><td style="${TD}">${st.name}${g.documentVersion ? ` (plan v${g.documentVersion})` : ''}</td><td style="${TD}">${a.name}</td><td style="${TD}">${a.decision ?? 'not decided'}</td><td style="${TD}">${formatTime(a.decidedAt, ctx.timezone) ?? '-'}</td><td style="${TD}">${a.comment ?? ''}</td></tr>`,
    );
  });
  return html`${para(`Project ${ctx.projectName} for ${ctx.customerName} was closed on ${formatTime(input.closedAt, ctx.timezone)}.`)}
<h2 style="font-size:17px;margin:16px 0 8px;">Budget</h2>
${facts([
  ['Budget (hours)', String(s.budgetHours)],
  ['Estimated (hours)', String(s.estimateHours)],
  ['Actual (hours)', String(s.actualHours)],
  ['Variance (hours)', `${variance > 0 ? '+' : ''}${variance}`],
  ['Budget (money)', `${input.project.spec.budget.amount} ${input.project.spec.budget.currency}`],
  ['Tasks done', `${s.tasksDone} of ${s.tasksTotal}`],
])}
<h2 style="font-size:17px;margin:16px 0 8px;">Stages</h2>
<div style="overflow-x:auto;"><table style="${TABLE}"><thead><tr><th style="${TH}">Stage</th><th style="${TH}">Due</th><th style="${TH}">Started</th><th style="${TH}">Completed</th><th style="${TH}">Rework</th></tr></thead><tbody>${stageRows}</tbody></table></div>
<h2 style="font-size:17px;margin:16px 0 8px;">Approvals</h2>
<div style="overflow-x:auto;"><table style="${TABLE}"><thead><tr><th style="${TH}">Stage</th><th style="${TH}">Approver</th><th style="${TH}">Decision</th><th style="${TH}">When</th><th style="${TH}">Comment</th></tr></thead><tbody>${approvalRows}</tbody></table></div>`;
}

/** The close-out report as a complete HTML document. */
export function closeoutReportHtml(input: CloseoutInput): string {
  return layout(input.ctx, `Close-out report: ${input.ctx.projectName}`, reportBody(input));
}

/** The close-out email for one recipient (the report in the body). */
export function closeoutEmail(input: CloseoutInput, to: string): EmailMessage {
  const { ctx } = input;
  const s = closeoutSummary(input);
  const title = `Close-out report: ${ctx.projectName}`;
  const stages = ordered(input)
    .map(
      (st) =>
        `- ${st.name}: started ${formatDay(st.startedAt) ?? '-'}, completed ${formatDay(st.completedAt) ?? '-'}`,
    )
    .join('\n');
  const text = `Project ${ctx.projectName} for ${ctx.customerName} was closed on ${formatTime(input.closedAt, ctx.timezone)}.\n\n${factsText(
    [
      ['Budget (hours)', String(s.budgetHours)],
      ['Actual (hours)', String(s.actualHours)],
      ['Tasks done', `${s.tasksDone} of ${s.tasksTotal}`],
    ],
  )}\n\nStages:\n${stages}`;
  return {
    to: [to],
    subject: subject(ctx, title),
    html: layout(ctx, title, reportBody(input)),
    text: textFrame(ctx, title, text),
    tag: 'closeout',
  };
}
