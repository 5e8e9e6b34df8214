/**
 * Notices without links: a stage started or completed (to informed stakeholders and the team),
 * a stage back in rework (to the team), a gate waiting for the PM, and an escalation of a gate
 * that waited too long. None of them carries an approval link or a task token.
 */
import { html } from '../html.js';
import type { EmailMessage } from '../ports.js';
import {
  bullets,
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

export interface StageNoticeInput {
  ctx: EmailContext;
  to: string;
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
export function stageNoticeEmail(input: StageNoticeInput): EmailMessage {
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
  return {
    to: [input.to],
    subject: subject(ctx, `${ctx.projectName}: ${title}`),
    html: layout(ctx, title, html`${para(intro)}${facts(rows)}`),
    text: textFrame(ctx, title, `${intro}\n\n${factsText(rows)}`),
    tag: `stage-${input.kind}`,
  };
}

export interface ReworkNoticeInput {
  ctx: EmailContext;
  to: string;
  stageName: string;
  round: number;
  /** The rejection comment(s) of the approvers. */
  comment?: string;
}

/** "Stage X was rejected and is back in rework" for the team. */
export function reworkNoticeEmail(input: ReworkNoticeInput): EmailMessage {
  const { ctx } = input;
  const title = `${input.stageName} needs rework`;
  const intro = `The approvers rejected the gate of ${input.stageName} (round ${input.round}). The stage is back in rework; submit it again when it is ready, and new approval requests go out.`;
  const comment = input.comment?.trim() || 'No comment was given.';
  return {
    to: [input.to],
    subject: subject(ctx, `${ctx.projectName}: ${title}`),
    html: layout(
      ctx,
      title,
      html`${para(intro)}<p style="margin:0 0 4px;color:#52606d;">Comment</p><blockquote style="margin:0 0 12px;padding:8px 12px;border-left:3px solid #d64545;background:#fdf2f2;white-space:pre-wrap;">${comment}</blockquote>`,
    ),
    text: textFrame(ctx, title, `${intro}\n\nComment:\n${comment}`),
    tag: 'stage-rework',
  };
}

export interface GateWaitingInput {
  ctx: EmailContext;
  to: string;
  stageName: string;
  /** Exit criteria that do not hold yet. */
  unmet: string[];
  /** True when the gate waits for a resubmission after rework. */
  awaitingResubmission: boolean;
  openedAt: string;
}

/** Reminder to the PM: the gate cannot ask for approval yet (criteria, or resubmission). */
export function gateWaitingEmail(input: GateWaitingInput): EmailMessage {
  const { ctx } = input;
  const title = `${input.stageName} is waiting for you`;
  const intro = input.awaitingResubmission
    ? `The gate of ${input.stageName} waits for the stage to be resubmitted after rework.`
    : `The gate of ${input.stageName} has been open since ${formatTime(input.openedAt, ctx.timezone)} and cannot ask for approval yet.`;
  const unmetIntro = input.unmet.length > 0 ? 'These exit criteria do not hold yet:' : undefined;
  return {
    to: [input.to],
    subject: subject(ctx, `${ctx.projectName}: ${title}`),
    html: layout(
      ctx,
      title,
      html`${para(intro)}${unmetIntro ? html`${para(unmetIntro)}${bullets(input.unmet)}` : ''}`,
    ),
    text: textFrame(
      ctx,
      title,
      [intro, unmetIntro ? `${unmetIntro}\n${input.unmet.map((u) => `- ${u}`).join('\n')}` : undefined]
        .filter(Boolean)
        .join('\n\n'),
    ),
    tag: 'gate-waiting',
  };
}

export interface EscalationInput {
  ctx: EmailContext;
  to: string;
  stageName: string;
  approves: string;
  /** Since when approval was requested (ISO). */
  since: string;
  days: number;
  undecided: { name: string; email: string }[];
}

/** Escalation of a gate that waited `days` without a decision. */
export function escalationEmail(input: EscalationInput): EmailMessage {
  const { ctx } = input;
  const title = `Escalation: ${input.stageName} is waiting for approval`;
  const intro = `The gate of ${input.stageName} (${input.approves}) has waited for a decision since ${formatTime(input.since, ctx.timezone)}, more than ${input.days} day(s).`;
  const people = input.undecided.map((p) => `${p.name} <${p.email}>`);
  const who = people.length > 0 ? 'Not decided yet:' : undefined;
  return {
    to: [input.to],
    subject: subject(ctx, `${ctx.projectName}: ${title}`),
    html: layout(ctx, title, html`${para(intro)}${who ? html`${para(who)}${bullets(people)}` : ''}`),
    text: textFrame(
      ctx,
      title,
      [intro, who ? `${who}\n${people.map((p) => `- ${p}`).join('\n')}` : undefined]
        .filter(Boolean)
        .join('\n\n'),
    ),
    tag: 'gate-escalation',
  };
}
