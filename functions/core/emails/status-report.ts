/**
 * The periodic status report: RAG with its reasons, stage progress, done and open work, top risks,
 * pending approvals and the next milestones. The same HTML is emailed and stored as the report
 * document. Every value is escaped (the `html` tag); no link, token or link id is included.
 */
import type { Health, Rag } from '../health.js';
import { html, type SafeHtml } from '../html.js';
import type { StageStatus, TaskStatus } from '../model.js';
import {
  bullets,
  type EmailContext,
  facts,
  factsText,
  formatDay,
  layout,
  para,
  subject,
  textFrame,
} from './layout.js';

export interface StatusReportInput {
  ctx: EmailContext;
  /** The report date in the customer's time zone (YYYY-MM-DD). */
  date: string;
  health: Health;
  currentStage: string;
  stages: { name: string; status: StageStatus; due?: string; completedAt?: string }[];
  doneTasks: { name: string; stageName: string }[];
  openTasks: { name: string; stageName: string; status: TaskStatus; due?: string; assignee?: string }[];
  /** Open risks, highest score first (the report shows the top ones). */
  risks: { title: string; score: number; owner?: string; mitigation?: string }[];
  pendingApprovals: { stageName: string; requestedAt?: string; waitingFor: string[]; rule: string }[];
  milestones: { name: string; due: string }[];
  budget: { hours: number; currency: string; amount: number };
}

export interface StatusReport {
  subject: string;
  title: string;
  html: string;
  text: string;
}

/** How many open tasks and risks the report lists (the counts are always complete). */
export const REPORT_LIST_LIMIT = 10;
export const REPORT_RISK_LIMIT = 5;

const RAG_STYLE: Record<Rag, { label: string; colour: string }> = {
  green: { label: 'Green: on track', colour: '#1b7f3b' },
  amber: { label: 'Amber: needs attention', colour: '#b26a00' },
  red: { label: 'Red: at risk', colour: '#c62828' },
};

const STAGE_STATUS: Record<StageStatus, string> = {
  pending: 'not started',
  active: 'in progress',
  awaiting_approval: 'awaiting approval',
  rework: 'in rework',
  completed: 'completed',
};

function heading(text: string): SafeHtml {
  return html`<h2 style="margin:20px 0 8px;font-size:17px;">${text}</h2>`;
}

function table(head: string[], rows: string[][]): SafeHtml {
  const cell = 'padding:4px 8px 4px 0;vertical-align:top;border-bottom:1px solid #e4e7eb;';
  return html`<table role="presentation" style="border-collapse:collapse;width:100%;margin:0 0 12px;font-size:14px;"><tr>${head.map(
    (h) => html`<th style="${cell}text-align:left;color:#52606d;font-weight:600;">${h}</th>`,
  )}</tr>${rows.map((r) => html`<tr>${r.map((c) => html`<td style="${cell}">${c}</td>`)}</tr>`)}</table>`;
}

function stageRows(input: StatusReportInput): string[][] {
  return input.stages.map((s) => [
    s.name,
    STAGE_STATUS[s.status],
    formatDay(s.due) ?? '-',
    s.completedAt ? (formatDay(s.completedAt.slice(0, 10)) ?? '') : '',
  ]);
}

/** Builds the report (subject, HTML, plain text). */
export function statusReport(input: StatusReportInput): StatusReport {
  const { ctx, health } = input;
  const title = `Status report ${formatDay(input.date) ?? input.date}`;
  const rag = RAG_STYLE[health.rag];
  const completed = input.stages.filter((s) => s.status === 'completed').length;
  const hoursUsed = `${health.actualHours} of ${input.budget.hours} budgeted hours`;
  const summary: [string, string | undefined][] = [
    ['Health', rag.label],
    ['Current stage', input.currentStage],
    ['Stages completed', `${completed} of ${input.stages.length}`],
    ['Schedule (SPI)', health.spi.toFixed(2)],
    ['Cost (CPI)', health.cpi.toFixed(2)],
    ['Effort', hoursUsed],
    ['Tasks', `${input.doneTasks.length} done, ${input.openTasks.length} open`],
  ];
  const reasons = health.reasons.length > 0 ? health.reasons : ['No deviations: the project is on track.'];
  const openShown = input.openTasks.slice(0, REPORT_LIST_LIMIT);
  const openRows = openShown.map((t) => [
    t.name,
    t.stageName,
    t.status.replace('_', ' '),
    formatDay(t.due) ?? '-',
    t.assignee ?? '',
  ]);
  const moreOpen = input.openTasks.length - openShown.length;
  const risks = input.risks.slice(0, REPORT_RISK_LIMIT);
  const riskRows = risks.map((r) => [
    r.title,
    String(r.score),
    r.owner ?? 'no owner',
    r.mitigation ?? 'none yet',
  ]);
  const approvalRows = input.pendingApprovals.map((a) => [
    a.stageName,
    a.rule,
    formatDay(a.requestedAt?.slice(0, 10)) ?? '-',
    a.waitingFor.join(', ') || '-',
  ]);
  const milestoneItems = input.milestones.map((m) => `${formatDay(m.due) ?? m.due}: ${m.name}`);
  const recentDone = input.doneTasks.slice(-REPORT_LIST_LIMIT).map((t) => `${t.name} (${t.stageName})`);

  const body = html`
<p style="margin:0 0 12px;"><span style="display:inline-block;padding:4px 10px;border-radius:12px;color:#ffffff;background:${rag.colour};font-weight:600;">${rag.label}</span></p>
${bullets(reasons)}
${facts(summary)}
${heading('Stage progress')}
${table(['Stage', 'Status', 'Due', 'Completed'], stageRows(input))}
${heading('Open work')}
${openRows.length > 0 ? table(['Task', 'Stage', 'Status', 'Due', 'Assignee'], openRows) : para('No open tasks.')}
${moreOpen > 0 ? para(`and ${moreOpen} more open task(s).`) : ''}
${heading('Done')}
${recentDone.length > 0 ? bullets(recentDone) : para('Nothing completed yet.')}
${heading('Top risks')}
${riskRows.length > 0 ? table(['Risk', 'Score', 'Owner', 'Mitigation'], riskRows) : para('No open risks.')}
${heading('Pending approvals')}
${approvalRows.length > 0 ? table(['Stage', 'Rule', 'Requested', 'Waiting for'], approvalRows) : para('No approvals pending.')}
${heading('Next milestones')}
${milestoneItems.length > 0 ? bullets(milestoneItems) : para('No dated milestones ahead.')}`;

  const section = (name: string, lines: string[], empty: string) =>
    `${name}\n${lines.length > 0 ? lines.map((l) => `- ${l}`).join('\n') : empty}`;
  const text = [
    `${rag.label}\n${reasons.map((r) => `- ${r}`).join('\n')}`,
    factsText(summary),
    section(
      'Stage progress',
      stageRows(input).map(
        ([n, s, d, c]) => `${n}: ${s}${d !== '-' ? `, due ${d}` : ''}${c ? `, completed ${c}` : ''}`,
      ),
      'none',
    ),
    section(
      'Open work',
      openShown
        .map(
          (t) => `${t.name} (${t.stageName}, ${t.status.replace('_', ' ')}${t.due ? `, due ${t.due}` : ''})`,
        )
        .concat(moreOpen > 0 ? [`and ${moreOpen} more`] : []),
      'No open tasks.',
    ),
    section('Done', recentDone, 'Nothing completed yet.'),
    section(
      'Top risks',
      risks.map((r) => `${r.title} (score ${r.score}, owner ${r.owner ?? 'none'})`),
      'No open risks.',
    ),
    section(
      'Pending approvals',
      input.pendingApprovals.map(
        (a) => `${a.stageName}: waiting for ${a.waitingFor.join(', ') || '-'} (${a.rule})`,
      ),
      'No approvals pending.',
    ),
    section('Next milestones', milestoneItems, 'No dated milestones ahead.'),
  ].join('\n\n');

  return {
    title,
    subject: subject(ctx, `${ctx.projectName}: ${title} (${health.rag.toUpperCase()})`),
    html: layout(ctx, title, body),
    text: textFrame(ctx, title, text),
  };
}
