/**
 * Staff alerts: the project's health changed colour, deviations opened, and the delivery manager's
 * daily portfolio digest. Plain content for every channel (email, Teams, Slack); they name no
 * rate or cost and go to MSP staff only, never to the customer's stakeholders.
 */
import type { Rag } from '../health.js';
import { subject } from './format.js';
import type { Block, Notification, NotificationContext, Tone } from './notification.js';

const RAG_LOOK: Record<Rag, { label: string; tone: Tone }> = {
  green: { label: 'Green: on track', tone: 'good' },
  amber: { label: 'Amber: needs attention', tone: 'warning' },
  red: { label: 'Red: at risk', tone: 'bad' },
};

export interface HealthChangedInput {
  ctx: NotificationContext;
  to: { email: string; name?: string }[];
  from: Rag;
  rag: Rag;
  reasons: string[];
  spi: number;
  cpi: number;
  /** The project's console page (staff only; not a secret). */
  projectUrl: string;
}

/** "Health is now red (was green)", with why, to the PM. */
export function healthChanged(input: HealthChangedInput): Notification {
  const { ctx } = input;
  const worse = rank(input.rag) > rank(input.from);
  const title = `Health is ${input.rag} (was ${input.from})`;
  const intro = worse
    ? `The monitoring check found ${ctx.projectName} ${input.rag === 'red' ? 'at risk' : 'needing attention'}: it was ${input.from} and is ${input.rag} now.`
    : `${ctx.projectName} is ${input.rag} again (it was ${input.from}).`;
  const blocks: Block[] = [
    { type: 'status', label: RAG_LOOK[input.rag].label, tone: RAG_LOOK[input.rag].tone },
    { type: 'paragraph', text: intro },
    {
      type: 'list',
      lead: 'Why:',
      items: input.reasons,
      empty: 'No deviations: the project is on track.',
    },
    {
      type: 'facts',
      rows: [
        ['Project', ctx.projectName],
        ['Customer', ctx.customerName],
        ['Schedule (SPI)', input.spi.toFixed(2)],
        ['Cost (CPI)', input.cpi.toFixed(2)],
      ],
    },
    { type: 'paragraph', text: `Open the project: ${input.projectUrl}` },
  ];
  return {
    kind: 'health-changed',
    to: input.to,
    context: ctx,
    content: { subject: subject(ctx, `${ctx.projectName}: ${title}`), title, blocks },
  };
}

export interface DeviationOpenedInput {
  ctx: NotificationContext;
  to: { email: string; name?: string }[];
  /** The deviations the check found for the first time, in words, with their keys. */
  deviations: { key: string; summary: string }[];
  projectUrl: string;
}

/** "A deviation opened: record a corrective action", to the PM. */
export function deviationOpened(input: DeviationOpenedInput): Notification {
  const { ctx } = input;
  const n = input.deviations.length;
  const title = n === 1 ? 'A deviation opened' : `${n} deviations opened`;
  const blocks: Block[] = [
    {
      type: 'paragraph',
      text: `The monitoring check of ${ctx.projectName} found ${n === 1 ? 'a deviation' : `${n} deviations`} that need${n === 1 ? 's' : ''} a corrective action.`,
    },
    { type: 'list', items: input.deviations.map((d) => `${d.summary} (key ${d.key})`) },
    {
      type: 'paragraph',
      text: `Record what will be done on the project page (${input.projectUrl}) or with milepost corrective-action.`,
    },
  ];
  return {
    kind: 'deviation-opened',
    to: input.to,
    context: ctx,
    content: { subject: subject(ctx, `${ctx.projectName}: ${title}`), title, blocks },
  };
}

function rank(rag: Rag): number {
  return rag === 'green' ? 0 : rag === 'amber' ? 1 : 2;
}
