import { describe, expect, it } from 'vitest';
import { newLinkId } from '../../functions/core/approval-links.js';
import {
  approvalRequest,
  type EmailMessage,
  type Notification,
  type NotificationContext,
  renderEmail,
  reworkNotice,
  statusReportContent,
} from '../../functions/core/notifications/index.js';

// A name that tries to close the Outlook conditional comments and open markup of its own.
const HOSTILE = `--><![endif]--><script>alert(1)</script><!--[if mso]> "Q" & 'A'`;
const ctx: NotificationContext = {
  mspName: 'Northwind IT',
  projectName: HOSTILE,
  customerName: 'Acme <b>Dental</b>',
  timezone: 'Europe/London',
};

function only(notification: Notification): EmailMessage {
  const [to] = notification.to;
  if (!to) throw new Error('no recipient');
  return renderEmail(notification, to);
}

function approvalEmail() {
  const id = newLinkId();
  const url = `https://pm.example.com/approve/${id}`;
  const message = only(
    approvalRequest({
      ctx,
      to: 'amara@acme.example',
      approverName: 'Amara',
      stageName: 'Initiation & Planning',
      approves: 'the project charter',
      sections: [
        {
          title: 'Objectives',
          items: [{ label: `Objective ${HOSTILE}`, detail: ['<img src=x onerror=alert(2)>'] }],
        },
      ],
      rule: 'all',
      approverCount: 1,
      url,
      expiresAt: Date.parse('2026-12-22T09:00:00Z') / 1000,
    }),
  );
  return { id, url, message };
}

const count = (haystack: string, needle: string | RegExp) =>
  typeof needle === 'string' ? haystack.split(needle).length - 1 : (haystack.match(needle) ?? []).length;

/** The markup of the HTML part with the conditional comments' contents kept (they are markup too). */
function tags(html: string, name: string): string[] {
  return html.match(new RegExp(`<${name}\\b[^>]*>`, 'gi')) ?? [];
}

describe('email layout', () => {
  it('is a table layout: every table is presentational, the container is 600 px wide with a fluid fallback and an Outlook wrapper', () => {
    const { message } = approvalEmail();
    const tables = tags(message.html, 'table');
    expect(tables.length).toBeGreaterThan(4);
    for (const t of tables) expect(t).toContain('role="presentation"');
    // Fixed width for Outlook (attribute + MSO wrapper), fluid elsewhere (width 100%, max 600).
    expect(message.html).toMatch(
      /<!--\[if mso\]><table role="presentation" align="center" width="600"[^>]*style="width:600px;"><tr><td><!\[endif\]-->/,
    );
    expect(message.html).toMatch(/<table role="presentation" align="center" width="600"[^>]*max-width:600px/);
    // No div-based layout: the only div is the hidden preview line.
    const divs = tags(message.html, 'div');
    expect(divs).toHaveLength(1);
    expect(divs[0]).toContain('display:none');
    expect(message.html).not.toMatch(/<ul\b|<ol\b|<blockquote\b/);
    // max-width only on elements that also have a fixed width or are hidden.
    for (const t of [...tables, ...divs].filter((x) => x.includes('max-width')))
      expect(t).toMatch(/width="600"|display:none/);
  });

  it('styles inline: the only style blocks are dark-mode colours and the Outlook font', () => {
    const { message } = approvalEmail();
    const blocks = message.html.match(/<style>[\s\S]*?<\/style>/g) ?? [];
    expect(blocks).toHaveLength(2);
    expect(blocks.some((b) => b.includes('prefers-color-scheme: dark'))).toBe(true);
    expect(message.html).toMatch(/<!--\[if mso\]>[\s\S]*?<style>body,table,td/);
    // Layout properties never come from a class: every class is a dark-mode colour hook.
    for (const cls of message.html.match(/class="([^"]*)"/g) ?? [])
      expect(cls).toMatch(/^class="(mp-[a-z]+ ?)+"$/);
    for (const td of tags(message.html, 'td')) if (td.includes('class=')) expect(td).toContain('style=');
  });

  it('declares light and dark colour schemes and gives every coloured area an explicit background', () => {
    const { message } = approvalEmail();
    expect(message.html).toContain('<meta name="color-scheme" content="light dark">');
    expect(message.html).toContain('<meta name="supported-color-schemes" content="light dark">');
    expect(message.html).not.toMatch(/<img\b/);
    // The page and the card set their background as attribute and style, so an inverting client
    // inverts text and background together.
    expect(message.html).toMatch(/<body class="mp-page" style="[^"]*background-color:#f4f5f7/);
    expect(message.html).toMatch(
      /<td class="mp-card mp-text" bgcolor="#ffffff" style="[^"]*background-color:#ffffff;[^"]*color:#1f2933/,
    );
    // White text only ever sits on a cell with its own background colour.
    for (const td of tags(message.html, 'td').filter(
      (x) => x.includes('color:#ffffff;') && !x.includes('background-color:#ffffff'),
    ))
      expect(td).toMatch(/bgcolor="#[0-9a-f]{6}"/);
  });

  it('makes the button bulletproof: a VML roundrect for Outlook and a padded table cell link for everyone else', () => {
    const { url, message } = approvalEmail();
    const mso = message.html.match(/<!--\[if mso\]><v:roundrect[\s\S]*?<!\[endif\]-->/)?.[0] ?? '';
    expect(mso).toContain(`href="${url}"`);
    expect(mso).toContain('fillcolor="#1f5fc4"');
    expect(mso).toMatch(/<center[^>]*>Review and decide<\/center><\/v:roundrect>/);
    const others = message.html.match(/<!--\[if !mso\]><!-->([\s\S]*?)<!--<!\[endif\]-->/)?.[1] ?? '';
    expect(others).toMatch(
      new RegExp(
        `<td bgcolor="#1f5fc4" style="[^"]*padding:12px 22px;"><a href="${url.replace(/[.?]/g, '\\$&')}"[^>]*>Review and decide</a></td>`,
      ),
    );
    expect(message.html).toContain('xmlns:v="urn:schemas-microsoft-com:vml"');
  });

  it('escapes a hostile project name everywhere, so it can neither add markup nor close a conditional comment', () => {
    const { message } = approvalEmail();
    expect(message.html).not.toContain('<script>');
    expect(message.html).not.toContain('<b>Dental');
    expect(message.html).not.toContain('<img src=x');
    expect(message.html).toContain('--&gt;&lt;![endif]--&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    // The conditional comments are exactly the layout's own: head, wrapper open and close, button.
    expect(count(message.html, '<!--[if mso]>')).toBe(4);
    expect(count(message.html, '<![endif]-->')).toBe(5); // 4 + the end of the !mso block
    expect(count(message.html, '<!--[if !mso]><!-->')).toBe(1);
    expect(count(message.html, '<!--<![endif]-->')).toBe(1);
    expect(count(message.html, '-->')).toBe(6);
  });

  it('has a plain-text part with the content, the link and no markup', () => {
    const { url, message } = approvalEmail();
    expect(message.text).toContain(`Review and decide (approve or reject):\n${url}`);
    expect(message.text).toContain('Stage: Initiation & Planning');
    expect(message.text).toContain(`Objective ${HOSTILE}`);
    expect(message.text).toContain('Hello Amara');
    // Unescaped: plain text is not HTML.
    expect(message.text).not.toContain('&amp;');
    expect(message.text).not.toMatch(/<(table|td|a|p|div)\b/);
  });

  it('renders quotes, reports and badges as tables too', () => {
    const rework = only(
      reworkNotice({
        ctx,
        to: ['pm@msp.example'],
        stageName: 'QA',
        round: 1,
        comment: 'Line one\n<script>x</script>',
      }),
    );
    expect(rework.html).not.toContain('<script>x');
    expect(rework.html).toMatch(/<td class="mp-quote" bgcolor="#fdf2f2"/);
    const report = statusReportContent({
      ctx,
      date: '2026-12-04',
      health: {
        rag: 'amber',
        reasons: ['SPI below threshold'],
        spi: 0.8,
        cpi: 1,
        plannedHours: 10,
        earnedHours: 8,
        actualHours: 10,
        customerWaitMs: 0,
        forecastEnd: '2027-02-26',
      },
      currentStage: 'Execution',
      stages: [{ name: 'Initiation', status: 'completed', due: '2026-12-05' }],
      doneTasks: [],
      openTasks: [{ name: HOSTILE, stageName: 'Execution', status: 'todo' }],
      risks: [],
      pendingApprovals: [],
      milestones: [],
      budget: { hours: 100, currency: 'GBP', amount: 1000 },
      plannedEnd: '2027-02-26',
    });
    const email = only({
      kind: 'status-report',
      to: [{ email: 'a@acme.example' }],
      context: ctx,
      content: report,
    });
    for (const t of tags(email.html, 'table')) expect(t).toContain('role="presentation"');
    expect(email.html).toMatch(/<th class="mp-muted mp-rule" align="left"[^>]*>Task<\/th>/);
    expect(email.html).toMatch(/<td bgcolor="#8a5300"[^>]*>Amber: needs attention<\/td>/);
    expect(email.html).not.toContain('<script>');
    expect(email.text).toContain('Health: Amber: needs attention');
  });
});
