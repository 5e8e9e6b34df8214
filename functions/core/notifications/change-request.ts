/**
 * The change request sent to a sponsor: what changes in the baseline, each as old → new, the
 * reason and the impact, and the personal link to the decision page (secret, like a gate's).
 */
import { describeField, describeValue } from '../change-requests/baseline.js';
import type { BaselineChange } from '../model.js';
import { formatTime, subject } from './format.js';
import { type Block, type Notification, type NotificationContext, Secret } from './notification.js';

export interface ChangeRequestNotificationInput {
  ctx: NotificationContext;
  to: string;
  approverName: string;
  changeId: string;
  changes: BaselineChange[];
  reason: string;
  impact: string;
  raisedBy: string;
  /** The project's stages (names of the stage due dates that change). */
  stages: { key: string; name: string }[];
  /** The sponsor's personal decision page URL (contains the link id). */
  url: string;
  /** When the link expires (epoch seconds). */
  expiresAt: number;
}

/** Each change as one line: `Budget (money): 18500 → 20350`. */
export function changeLines(changes: BaselineChange[], stages: { key: string; name: string }[]): string[] {
  return changes.map(
    (c) => `${describeField(c.field, stages)}: ${describeValue(c.old)} → ${describeValue(c.new)}`,
  );
}

/** The change request for one sponsor. */
export function changeRequestNotification(input: ChangeRequestNotificationInput): Notification {
  const { ctx } = input;
  const expires = formatTime(new Date(input.expiresAt * 1000).toISOString(), ctx.timezone);
  const blocks: Block[] = [
    {
      type: 'paragraph',
      text: `Hello ${input.approverName}, ${ctx.mspName} asks you to approve or reject a change to the baseline of ${ctx.projectName} (change request ${input.changeId}).`,
    },
    {
      type: 'facts',
      rows: [
        ['Project', ctx.projectName],
        ['Customer', ctx.customerName],
        ['Change request', input.changeId],
        ['Raised by', input.raisedBy],
      ],
    },
    { type: 'heading', text: 'What changes (old → new)' },
    { type: 'list', items: changeLines(input.changes, input.stages) },
    { type: 'quote', label: 'Reason', text: input.reason },
    { type: 'quote', label: 'Impact', text: input.impact },
    {
      type: 'action',
      label: 'Review and decide',
      hint: 'Review and decide (approve or reject)',
      url: new Secret(input.url),
    },
    {
      type: 'paragraph',
      text: `The link is personal to you: please do not forward it. It opens a page where you confirm your decision; opening it alone changes nothing. It works until ${expires}.`,
      fine: true,
    },
  ];
  return {
    kind: 'change-request',
    to: [{ email: input.to, name: input.approverName }],
    context: ctx,
    content: {
      subject: subject(ctx, `Change request ${input.changeId} needs your decision: ${ctx.projectName}`),
      title: `Your decision on change request ${input.changeId}`,
      blocks,
    },
  };
}
