import { describe, expect, it } from 'vitest';
import { EmailNotifier } from '../../functions/adapters/email-notifier.js';
import type { EmailMessage } from '../../functions/core/notifications/email/render.js';
import {
  approvalRequest,
  type Notification,
  notify,
  type Recipient,
  stageNotice,
} from '../../functions/core/notifications/index.js';
import type { NewEvent, Notifier } from '../../functions/core/ports.js';
import { makeTestDeps } from '../support/fakes.js';

const ctx = { mspName: 'Northwind IT', projectName: 'M365', customerName: 'Acme', timezone: 'Europe/London' };
const LINK_ID = 'Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4';

function approvalFor(to: string): Notification {
  return approvalRequest({
    ctx,
    to,
    approverName: to,
    stageName: 'Risk',
    approves: 'project plan document v2',
    rule: 'all',
    approverCount: 2,
    url: `https://pm.example.com/approve/${LINK_ID}`,
    expiresAt: Date.parse('2026-12-22T09:00:00Z') / 1000,
  });
}

/** Deps whose store only records committed events and whose logger keeps every line. */
function recordingDeps(notifier: Notifier) {
  const events: NewEvent[] = [];
  const logs: string[] = [];
  const store = {
    async commit(_changes: unknown[], added: NewEvent[] = []) {
      events.push(...added);
      return [];
    },
  } as never;
  const line = (message: string, fields?: Record<string, unknown>) =>
    logs.push(JSON.stringify({ message, ...fields }));
  const deps = { ...makeTestDeps(store), notifier, log: { info: line, warn: line, error: line } };
  return { deps, events, logs };
}

describe('notify', () => {
  it('delivers a notification to each recipient in order, one copy each', async () => {
    const delivered: [string, string][] = [];
    const { deps } = recordingDeps({
      async send(n: Notification, r: Recipient) {
        delivered.push([n.kind, r.email]);
      },
    });
    const notice = stageNotice({
      ctx,
      to: ['a@acme.example', 'b@acme.example'],
      kind: 'completed',
      stageName: 'QA',
      at: '2026-12-20T10:00:00.000Z',
      position: { index: 5, count: 7 },
    });
    await expect(notify(deps, 'p1', 'qa', [notice, approvalFor('c@acme.example')])).resolves.toEqual({
      sent: 3,
      failed: 0,
    });
    expect(delivered).toEqual([
      ['stage-completed', 'a@acme.example'],
      ['stage-completed', 'b@acme.example'],
      ['approval-request', 'c@acme.example'],
    ]);
  });

  it('records a failed delivery as email_failed with recipient and subject only, and goes on', async () => {
    const sent: EmailMessage[] = [];
    const { deps, events, logs } = recordingDeps(
      new EmailNotifier({
        async send(message) {
          if (message.to.includes('down@acme.example')) throw new Error(`rejected ${message.text}`);
          sent.push(message);
          return { messageId: 'm' };
        },
      }),
    );
    const result = await notify(deps, 'p1', 'risk', [
      approvalFor('down@acme.example'),
      approvalFor('up@acme.example'),
    ]);
    expect(result).toEqual({ sent: 1, failed: 1 });
    expect(sent.map((m) => m.to)).toEqual([['up@acme.example']]);
    expect(events).toEqual([
      {
        projectId: 'p1',
        stage: 'risk',
        type: 'email_failed',
        actor: 'system',
        summary: 'Email to down@acme.example failed: [Northwind IT] Approval needed: M365 - Risk',
        data: {
          to: ['down@acme.example'],
          subject: '[Northwind IT] Approval needed: M365 - Risk',
          tag: 'approval-request',
        },
      },
    ]);
    expect(logs).toHaveLength(1);
    expect(JSON.stringify(logs)).toContain('email failed');
    expect(JSON.stringify([events, logs])).not.toContain(LINK_ID);
  });
});
