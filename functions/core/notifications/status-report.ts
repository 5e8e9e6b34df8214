/**
 * The periodic status report: RAG with its reasons, stage progress, done and open work, top risks,
 * pending approvals and the next milestones, with a shorter plain-text summary. The email
 * rendering of it is also stored as the report document, which holds no link, token or link id.
 * The waiting-on-client clock: the facts give the time the project has waited on the customer's
 * decisions in total and the forecast end it moves; each pending approval says since when it
 * waits; an approver whose decision is pending gets their own copy that opens with "Waiting for
 * your decision since ..." for each of theirs, with the button to their own approval page (the
 * link is a `Secret`: only the channel that delivers the copy reveals it).
 */

import { formatWaited, formatWaitTotal } from '../customer-wait.js';
import type { Health, Rag } from '../health.js';
import type { StageStatus, TaskStatus } from '../model.js';
import { formatLocalTime } from '../time.js';
import { type BaselineSection, baselineBlocks, baselinePlain } from './baseline-section.js';
import { formatDay, subject } from './format.js';
import {
  type Block,
  type NotificationContent,
  type NotificationContext,
  Secret,
  type Tone,
} from './notification.js';

export interface StatusReportInput {
  ctx: NotificationContext;
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
  /** The timeline's planned end (YYYY-MM-DD); `health.forecastEnd` is it moved by the customer wait. */
  plannedEnd: string;
  /** This copy's reader's own pending decisions (an approver's copy only). */
  yourDecisions?: YourDecision[];
  /** The report's time (for how long each of `yourDecisions` has waited). */
  now?: Date;
  /**
   * The budget burn section (notifications/budget.ts), only in the copy for the MSP's staff: it
   * carries internal costs, so the customer's copy and the stored document never have it.
   */
  staffBudget?: Block[];
  /** The baseline in force and its approved changes (baseline-section.ts). */
  baseline?: BaselineSection;
}

/** One of the reader's own pending decisions, with their personal link to it. */
export interface YourDecision {
  stageName: string;
  /** Since when the request waits (ISO). */
  since: string;
  /** The reader's own approval page URL (contains a link id: never in anyone else's copy). */
  url?: string;
  /** When that link expires (epoch seconds). */
  expiresAt?: number;
}

/**
 * The opening of an approver's copy: per pending decision, since when it waits and the button
 * to their own approval page; then how the links work.
 */
function yourDecisionBlocks(input: StatusReportInput): Block[] {
  const now = input.now?.getTime();
  const decisions = input.yourDecisions ?? [];
  const blocks = decisions.flatMap((d): Block[] => [
    {
      type: 'paragraph',
      text: `Waiting for your decision since ${formatLocalTime(d.since, input.ctx.timezone)}: approval of ${d.stageName}${
        now !== undefined ? ` (${formatWaited(Math.max(0, now - Date.parse(d.since)))} so far)` : ''
      }.`,
    },
    ...(d.url
      ? [
          {
            type: 'action' as const,
            label: `Review and decide: ${d.stageName}`,
            hint: `Review and decide on ${d.stageName} (approve or reject)`,
            url: new Secret(d.url),
          },
        ]
      : []),
  ]);
  const expiries = decisions.flatMap((d) => (d.expiresAt !== undefined ? [d.expiresAt] : []));
  if (expiries.length > 0) {
    const until = formatLocalTime(new Date(Math.min(...expiries) * 1000).toISOString(), input.ctx.timezone);
    blocks.push({
      type: 'paragraph',
      fine: true,
      text: `${expiries.length > 1 ? 'These links are' : 'This link is'} personal to you: please do not forward this copy of the report. Opening a link changes nothing until you confirm on its page; it works until ${until}.`,
    });
  }
  return blocks;
}

/** How many open tasks and risks the report lists (the counts are always complete). */
export const REPORT_LIST_LIMIT = 10;
export const REPORT_RISK_LIMIT = 5;

const RAG_STYLE: Record<Rag, { label: string; tone: Tone }> = {
  green: { label: 'Green: on track', tone: 'good' },
  amber: { label: 'Amber: needs attention', tone: 'warning' },
  red: { label: 'Red: at risk', tone: 'bad' },
};

const STAGE_STATUS: Record<StageStatus, string> = {
  pending: 'not started',
  active: 'in progress',
  awaiting_approval: 'awaiting approval',
  rework: 'in rework',
  completed: 'completed',
};

function stageRows(input: StatusReportInput): string[][] {
  return input.stages.map((s) => [
    s.name,
    STAGE_STATUS[s.status],
    formatDay(s.due) ?? '-',
    s.completedAt ? (formatDay(s.completedAt.slice(0, 10)) ?? '') : '',
  ]);
}

/** The report's content: the full report and a plain-text summary. */
export function statusReportContent(input: StatusReportInput): NotificationContent {
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
    ['Waiting on your decisions', formatWaitTotal(health.customerWaitMs)],
    [
      'Forecast end',
      health.forecastEnd === input.plannedEnd
        ? (formatDay(health.forecastEnd) ?? health.forecastEnd)
        : `${formatDay(health.forecastEnd) ?? health.forecastEnd} (planned ${formatDay(input.plannedEnd) ?? input.plannedEnd}, moved by the time waiting on decisions)`,
    ],
  ];
  const yours = yourDecisionBlocks(input);
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
    a.requestedAt ? formatLocalTime(a.requestedAt, ctx.timezone) : '-',
    a.waitingFor.join(', ') || '-',
  ]);
  const milestoneItems = input.milestones.map((m) => `${formatDay(m.due) ?? m.due}: ${m.name}`);
  const recentDone = input.doneTasks.slice(-REPORT_LIST_LIMIT).map((t) => `${t.name} (${t.stageName})`);

  const blocks: Block[] = [
    ...yours,
    { type: 'status', label: rag.label, tone: rag.tone },
    { type: 'list', items: reasons },
    { type: 'facts', rows: summary },
    ...(input.staffBudget ?? []),
    { type: 'heading', text: 'Stage progress' },
    { type: 'table', columns: ['Stage', 'Status', 'Due', 'Completed'], rows: stageRows(input) },
    { type: 'heading', text: 'Open work' },
    {
      type: 'table',
      columns: ['Task', 'Stage', 'Status', 'Due', 'Assignee'],
      rows: openRows,
      empty: 'No open tasks.',
    },
    // Always present (empty when all open tasks are listed): the report's layout keeps its line.
    { type: 'paragraph', text: moreOpen > 0 ? `and ${moreOpen} more open task(s).` : '' },
    { type: 'heading', text: 'Done' },
    { type: 'list', items: recentDone, empty: 'Nothing completed yet.' },
    { type: 'heading', text: 'Top risks' },
    {
      type: 'table',
      columns: ['Risk', 'Score', 'Owner', 'Mitigation'],
      rows: riskRows,
      empty: 'No open risks.',
    },
    { type: 'heading', text: 'Pending approvals' },
    {
      type: 'table',
      columns: ['Stage', 'Rule', 'Waiting since', 'Waiting for'],
      rows: approvalRows,
      empty: 'No approvals pending.',
    },
    { type: 'heading', text: 'Next milestones' },
    { type: 'list', items: milestoneItems, empty: 'No dated milestones ahead.' },
    ...(input.baseline ? baselineBlocks(input.baseline) : []),
  ];

  const section = (lead: string, items: string[], empty: string): Block => ({
    type: 'list',
    lead,
    items,
    empty,
  });
  const plain: Block[] = [
    ...yours,
    { type: 'list', lead: rag.label, items: reasons },
    { type: 'facts', rows: summary },
    ...(input.staffBudget ?? []),
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
        (a) =>
          `${a.stageName}: waiting for ${a.waitingFor.join(', ') || '-'} (${a.rule})${
            a.requestedAt ? ` since ${formatLocalTime(a.requestedAt, ctx.timezone)}` : ''
          }`,
      ),
      'No approvals pending.',
    ),
    section('Next milestones', milestoneItems, 'No dated milestones ahead.'),
    ...(input.baseline ? [baselinePlain(input.baseline)] : []),
  ];

  return {
    subject: subject(ctx, `${ctx.projectName}: ${title} (${health.rag.toUpperCase()})`),
    title,
    blocks,
    summary: plain,
  };
}
