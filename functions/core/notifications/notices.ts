/**
 * Notices without links, one notification to all their recipients: a stage started or completed (to informed stakeholders and the team),
 * a stage back in rework (to the team), a gate waiting for the PM, and an escalation of a gate
 * that waited too long. None of them carries an approval link or a task token.
 */
import { formatDay, formatTime, subject } from './format.js';
import type { Block, Notification, NotificationContext, NotificationKind } from './notification.js';

/** A notice to each of `to`. */
function notice(
  kind: NotificationKind,
  ctx: NotificationContext,
  to: string[],
  title: string,
  blocks: Block[],
): Notification {
  return {
    kind,
    to: to.map((email) => ({ email })),
    context: ctx,
    content: { subject: subject(ctx, `${ctx.projectName}: ${title}`), title, blocks },
  };
}

export interface StageNoticeInput {
  ctx: NotificationContext;
  /** Every recipient (each gets their own copy). */
  to: string[];
  kind: 'entered' | 'completed';
  stageName: string;
  due?: string;
  /** When it happened (ISO). */
  at: string;
  /** The stage that follows, if any. */
  nextStageName?: string;
  /** Stage number and count, e.g. 3 of 7. */
  position: { index: number; count: number };
}

/** "Stage X has started / is complete" for informed stakeholders and the team. */
export function stageNotice(input: StageNoticeInput): Notification {
  const { ctx } = input;
  const verb = input.kind === 'entered' ? 'has started' : 'is complete';
  const title = `${input.stageName} ${verb}`;
  const rows: [string, string | undefined][] = [
    ['Project', ctx.projectName],
    ['Customer', ctx.customerName],
    ['Stage', `${input.stageName} (${input.position.index} of ${input.position.count})`],
    [input.kind === 'entered' ? 'Started' : 'Completed', formatTime(input.at, ctx.timezone)],
    ['Due', input.kind === 'entered' ? formatDay(input.due) : undefined],
    ['Next', input.kind === 'completed' ? (input.nextStageName ?? 'project close-out') : undefined],
  ];
  const intro = `The stage ${input.stageName} of ${ctx.projectName} ${verb}.`;
  return notice(`stage-${input.kind}`, ctx, input.to, title, [
    { type: 'paragraph', text: intro },
    { type: 'facts', rows },
  ]);
}

export interface ReworkNoticeInput {
  ctx: NotificationContext;
  /** Every recipient (each gets their own copy). */
  to: string[];
  stageName: string;
  round: number;
  /** The rejection comment(s) of the approvers. */
  comment?: string;
}

/** "Stage X was rejected and is back in rework" for the team. */
export function reworkNotice(input: ReworkNoticeInput): Notification {
  const { ctx } = input;
  const title = `${input.stageName} needs rework`;
  const intro = `The approvers rejected the gate of ${input.stageName} (round ${input.round}). The stage is back in rework; submit it again when it is ready, and new approval requests go out.`;
  const comment = input.comment?.trim() || 'No comment was given.';
  return notice('stage-rework', ctx, input.to, title, [
    { type: 'paragraph', text: intro },
    { type: 'quote', label: 'Comment', text: comment },
  ]);
}

export interface GateWaitingInput {
  ctx: NotificationContext;
  /** Every recipient (each gets their own copy). */
  to: string[];
  stageName: string;
  /** Exit criteria that do not hold yet. */
  unmet: string[];
  /** True when the gate waits for a resubmission after rework. */
  awaitingResubmission: boolean;
  openedAt: string;
}

/** Reminder to the PM: the gate cannot ask for approval yet (criteria, or resubmission). */
export function gateWaiting(input: GateWaitingInput): Notification {
  const { ctx } = input;
  const title = `${input.stageName} is waiting for you`;
  const intro = input.awaitingResubmission
    ? `The gate of ${input.stageName} waits for the stage to be resubmitted after rework.`
    : `The gate of ${input.stageName} has been open since ${formatTime(input.openedAt, ctx.timezone)} and cannot ask for approval yet.`;
  const blocks: Block[] = [{ type: 'paragraph', text: intro }];
  if (input.unmet.length > 0) {
    blocks.push({ type: 'list', lead: 'These exit criteria do not hold yet:', items: input.unmet });
  }
  return notice('gate-waiting', ctx, input.to, title, blocks);
}

export interface EscalationInput {
  ctx: NotificationContext;
  /** Every recipient (each gets their own copy). */
  to: string[];
  stageName: string;
  approves: string;
  /** Since when approval was requested (ISO). */
  since: string;
  /** How long it has waited, in words (`8 days`). */
  waited: string;
  undecided: { name: string; email: string }[];
}

/** Escalation of a gate that waited `waited` without a decision. */
export function escalation(input: EscalationInput): Notification {
  const { ctx } = input;
  const title = `Escalation: ${input.stageName} is waiting for approval`;
  const intro = `The gate of ${input.stageName} (${input.approves}) has waited for a decision since ${formatTime(input.since, ctx.timezone)}: ${input.waited}.`;
  const people = input.undecided.map((p) => `${p.name} <${p.email}>`);
  const blocks: Block[] = [{ type: 'paragraph', text: intro }];
  if (people.length > 0) blocks.push({ type: 'list', lead: 'Not decided yet:', items: people });
  return notice('gate-escalation', ctx, input.to, title, blocks);
}

export interface ApprovalWithdrawnInput {
  ctx: NotificationContext;
  /** Every recipient (each gets their own copy). */
  to: string[];
  stageName: string;
  round: number;
}

/** "The approval request was withdrawn; a new one will follow" for the approvers of a round. */
export function approvalWithdrawn(input: ApprovalWithdrawnInput): Notification {
  const { ctx } = input;
  const title = `Approval of ${input.stageName} withdrawn`;
  const intro = `The request to approve ${input.stageName} (round ${input.round}) was withdrawn because the work changed after it was sent. Its link no longer works and nothing needs doing now; a new request will follow when the stage is ready again.`;
  return notice('approval-withdrawn', ctx, input.to, title, [{ type: 'paragraph', text: intro }]);
}
