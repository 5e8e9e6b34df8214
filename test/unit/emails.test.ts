import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { newLinkId } from '../../functions/core/approval-links.js';
import {
  type ApprovalRequestInput,
  approvalRequest,
  type CloseoutInput,
  closeout,
  closeoutContent,
  closeoutSummary,
  type EmailMessage,
  emailHtml,
  escalation,
  gateWaiting,
  type Notification,
  type NotificationContext,
  renderEmail,
  reworkNotice,
  ruleInWords,
  stageNotice,
} from '../../functions/core/notifications/index.js';
import { makeGate, makeProject, makeStages, makeTask } from '../support/dynamo.js';

/** The email the notification's only recipient gets. */
function emailOf(notification: Notification): EmailMessage {
  expect(notification.to).toHaveLength(1);
  const [to] = notification.to;
  if (!to) throw new Error('no recipient');
  return renderEmail(notification, to);
}

// The builders as the tests call them: one recipient, rendered as that recipient's email.
const approvalRequestEmail = (input: ApprovalRequestInput) => emailOf(approvalRequest(input));
type One<T extends (input: never) => unknown> = Omit<Parameters<T>[0], 'to'> & { to: string };
const reworkNoticeEmail = (i: One<typeof reworkNotice>) => emailOf(reworkNotice({ ...i, to: [i.to] }));
const stageNoticeEmail = (i: One<typeof stageNotice>) => emailOf(stageNotice({ ...i, to: [i.to] }));
const gateWaitingEmail = (i: One<typeof gateWaiting>) => emailOf(gateWaiting({ ...i, to: [i.to] }));
const escalationEmail = (i: One<typeof escalation>) => emailOf(escalation({ ...i, to: [i.to] }));
const closeoutEmail = (input: CloseoutInput, to: string) => emailOf(closeout(input, [to]));
const closeoutReportHtml = (input: CloseoutInput) => emailHtml('closeout', input.ctx, closeoutContent(input));

const EVIL = `<script>alert("x")</script> O'Brien & "Sons"`;
const ctx: NotificationContext = {
  mspName: 'Northwind <b>IT</b>',
  projectName: EVIL,
  customerName: `Acme "Dental" <img src=x onerror=alert(1)>`,
  timezone: 'Europe/London',
};

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

function approval(overrides: Partial<ApprovalRequestInput> = {}) {
  const id = newLinkId();
  const url = `https://pm.example.com/approve/${id}`;
  const message = approvalRequestEmail({
    ctx,
    to: 'sponsor@acme.example',
    approverName: `Amara "<b>" O'Kafor`,
    stageName: 'Initiation & Planning',
    approves: 'the project charter',
    due: '2026-12-18',
    rule: 'all',
    approverCount: 1,
    url,
    expiresAt: Date.parse('2026-12-22T09:00:00Z') / 1000,
    ...overrides,
  });
  return { id, url, message };
}

/** No raw markup from user input: the dangerous tags only appear escaped. */
function expectEscaped(message: EmailMessage) {
  expect(message.html).not.toContain('<script>');
  expect(message.html).not.toContain('<img src=x');
  expect(message.html).not.toContain('<b>');
  expect(message.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  expect(message.html).toContain('O&#39;Brien &amp; &quot;Sons&quot;');
}

describe('approvalRequestEmail', () => {
  it('escapes the project name, customer and approver in the HTML body', () => {
    const { message } = approval();
    expectEscaped(message);
    expect(message.html).toContain('Amara &quot;&lt;b&gt;&quot; O&#39;Kafor');
  });

  it('carries the link once per button rendering (Outlook, others) in the HTML and once in the text body', () => {
    const { id, url, message } = approval();
    // The Outlook VML button and the table-cell button: one is shown, never both.
    expect(count(message.html, id)).toBe(2);
    expect(count(message.html, `href="${url}"`)).toBe(2);
    expect(count(message.text, id)).toBe(1);
    expect(count(message.text, url)).toBe(1);
    expect(message.subject).not.toContain(id);
    expect(message.tag ?? '').not.toContain(id);
  });

  it('names the MSP, project, customer, stage, what is approved, the due date and the rule', () => {
    const { message } = approval({
      approves: 'project plan document v3',
      rule: { quorum: 2 },
      approverCount: 3,
    });
    for (const body of [message.text, message.html]) {
      expect(body).toContain('project plan document v3');
      expect(body).toContain('18 Dec 2026');
      expect(body).toContain('2 of the 3 approvers must approve');
      expect(body).toContain('Initiation &');
    }
    expect(message.text).toContain('Northwind <b>IT</b>');
    expect(message.text).toContain(EVIL);
    expect(message.text).toContain('Acme "Dental"');
    expect(message.to).toEqual(['sponsor@acme.example']);
  });

  it('marks a reminder and says earlier links still work', () => {
    const { message } = approval({ reminder: 2 });
    expect(message.subject).toMatch(/^\[Northwind <b>IT<\/b>\] Reminder: approval needed/);
    expect(message.text).toContain('Links in earlier emails about this request still work');
    expect(message.tag).toBe('approval-reminder');
  });

  it('keeps the subject on one line', () => {
    const { message } = approval({ ctx: { ...ctx, projectName: 'Evil\r\nBcc: victim@example.com' } });
    expect(message.subject).not.toMatch(/[\r\n]/);
    expect(message.subject).toContain('Evil Bcc: victim@example.com');
  });
});

describe('notices', () => {
  it('escapes the rejection comment of a rework notice', () => {
    const message = reworkNoticeEmail({
      ctx,
      to: 'pm@msp.example',
      stageName: 'Risk Assessment',
      round: 1,
      comment: `Not yet: <script>steal()</script> "quoted" 'single'`,
    });
    expectEscaped(message);
    expect(message.html).toContain(
      '&lt;script&gt;steal()&lt;/script&gt; &quot;quoted&quot; &#39;single&#39;',
    );
    expect(message.text).toContain(`Not yet: <script>steal()</script> "quoted" 'single'`);
  });

  it('says when a stage started and when it is due', () => {
    const message = stageNoticeEmail({
      ctx,
      to: 'informed@acme.example',
      kind: 'entered',
      stageName: 'Execution & Implementation',
      due: '2027-01-29',
      at: '2026-12-20T10:00:00.000Z',
      position: { index: 4, count: 7 },
    });
    expectEscaped(message);
    expect(message.text).toContain('Execution & Implementation (4 of 7)');
    expect(message.text).toContain('Due: Fri, 29 Jan 2027');
    expect(message.text).toContain('20 Dec 2026, 10:00 (Europe/London)');
  });

  it('names the next stage when a stage completes', () => {
    const message = stageNoticeEmail({
      ctx,
      to: 'informed@acme.example',
      kind: 'completed',
      stageName: 'QA',
      at: '2026-12-20T10:00:00.000Z',
      nextStageName: 'Deployment & Training',
      position: { index: 5, count: 7 },
    });
    expect(message.text).toContain('Next: Deployment & Training');
    expect(message.html).toContain('Deployment &amp; Training');
  });

  it('lists unmet criteria to the PM, escaped', () => {
    const message = gateWaitingEmail({
      ctx,
      to: 'pm@msp.example',
      stageName: 'Execution',
      unmet: ['task <b>"x"</b> is not done'],
      awaitingResubmission: false,
      openedAt: '2026-12-20T10:00:00.000Z',
    });
    expectEscaped(message);
    expect(message.html).toContain('task &lt;b&gt;&quot;x&quot;&lt;/b&gt; is not done');
    expect(message.text).toContain('- task <b>"x"</b> is not done');
  });

  it('names the undecided approvers in an escalation', () => {
    const message = escalationEmail({
      ctx,
      to: 'boss@msp.example',
      stageName: 'QA',
      approves: 'customer acceptance',
      since: '2026-12-01T10:00:00.000Z',
      waited: '7 days 2 hours',
      undecided: [{ name: `Jen <i>`, email: 'jen@acme.example' }],
    });
    expectEscaped(message);
    expect(message.html).toContain('Jen &lt;i&gt; &lt;jen@acme.example&gt;');
    expect(message.text).toContain('since 1 Dec 2026, 10:00 (Europe/London)');
    expect(message.text).toContain(': 7 days 2 hours.');
  });
});

describe('close-out report', () => {
  const project = makeProject({ name: EVIL });
  const stages = makeStages(project).map((s, i) => ({
    ...s,
    status: 'completed' as const,
    startedAt: `2026-12-0${i + 1}T09:00:00.000Z`,
    completedAt: `2026-12-0${i + 2}T09:00:00.000Z`,
  }));
  const input = {
    ctx,
    project,
    stages,
    gates: [
      makeGate({
        status: 'approved',
        round: 1,
        approvers: [
          {
            email: 'sponsor@acme.example',
            name: 'Amara',
            decision: 'approve',
            decidedAt: '2026-12-02T09:00:00.000Z',
            comment: '<script>ok</script>',
          },
        ],
      }),
    ],
    tasks: [
      makeTask({ id: 'a', estimateHours: 10, actualHours: 12.5, status: 'done' }),
      makeTask({ id: 'b', estimateHours: 5, actualHours: 3, status: 'in_progress' }),
    ],
    closedAt: '2026-12-20T09:00:00.000Z',
  };

  it('sums budget, estimate and actual hours from the tasks', () => {
    expect(closeoutSummary(input)).toEqual({
      budgetHours: 160,
      estimateHours: 15,
      actualHours: 15.5,
      tasksDone: 1,
      tasksTotal: 2,
    });
  });

  it('lists stages and approvals with everything escaped', () => {
    const report = closeoutReportHtml(input);
    expect(report).not.toContain('<script>');
    expect(report).toContain('&lt;script&gt;ok&lt;/script&gt;');
    expect(report).toContain('Risk Assessment &amp; Mitigation');
    expect(report).toContain('Amara');
    expect(report).toContain('-144.5');
  });

  it('emails the report with a plain-text summary', () => {
    const message = closeoutEmail(input, 'sponsor@acme.example');
    expectEscaped(message);
    expect(message.text).toContain('Actual (hours): 15.5');
    expect(message.text).toContain('- Initiation & Planning: started');
  });
});

describe('notifications', () => {
  it('keep the approval link secret: a serialised or inspected notification never shows it', () => {
    const id = newLinkId();
    const notification = approvalRequest({
      ctx,
      to: 'sponsor@acme.example',
      approverName: 'Amara',
      stageName: 'Risk',
      approves: 'project plan document v3',
      rule: 'all',
      approverCount: 1,
      url: `https://pm.example.com/approve/${id}`,
      expiresAt: Date.parse('2026-12-22T09:00:00Z') / 1000,
    });
    expect(JSON.stringify(notification)).not.toContain(id);
    expect(JSON.stringify(notification)).toContain('[secret]');
    expect(inspect(notification, { depth: 10 })).not.toContain(id);
    expect(`${notification.content.blocks.find((b) => b.type === 'action')?.url}`).toBe('[secret]');
    expect(emailOf(notification).text).toContain(id);
  });

  it('hold plain data, no markup, and name every recipient of a notice', () => {
    const notice = stageNotice({
      ctx,
      to: ['a@acme.example', 'b@acme.example'],
      kind: 'entered',
      stageName: 'QA',
      at: '2026-12-20T10:00:00.000Z',
      position: { index: 5, count: 7 },
    });
    expect(notice.kind).toBe('stage-entered');
    expect(notice.to).toEqual([{ email: 'a@acme.example' }, { email: 'b@acme.example' }]);
    expect(JSON.stringify(notice.content)).not.toMatch(/<(p|table|a|h1|div)[ >]/);
    const [first, second] = notice.to.map((r) => renderEmail(notice, r));
    expect(first?.to).toEqual(['a@acme.example']);
    expect(second?.to).toEqual(['b@acme.example']);
    expect(second?.html).toBe(first?.html);
    expect(first?.tag).toBe('stage-entered');
  });
});

describe('ruleInWords', () => {
  it('describes every rule', () => {
    expect(ruleInWords('all', 3)).toBe('all 3 approvers must approve');
    expect(ruleInWords('any', 2)).toBe('one approval of the 2 approvers is enough');
    expect(ruleInWords({ quorum: 2 }, 3)).toBe('2 of the 3 approvers must approve');
    expect(ruleInWords('auto', 0)).toMatch(/automatically/);
  });
});
