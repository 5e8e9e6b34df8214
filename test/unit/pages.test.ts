import { describe, expect, it } from 'vitest';
import {
  confirmPage,
  decidedPage,
  neutralPage,
  thankYouPage,
} from '../../functions/core/pages/approval-pages.js';
import { PAGE_HEADERS } from '../../functions/core/pages/layout.js';
import { formatLocalTime } from '../../functions/core/time.js';
import type { ApprovalView } from '../../functions/core/use-cases/view-approval.js';

const view: ApprovalView = {
  projectId: 'acme-m365',
  mspName: 'North<wind> "IT"',
  projectName: `<img src=x onerror=alert(1)> O'Neil`,
  customerName: 'Acme & Sons',
  timezone: 'Europe/London',
  stageKey: 'risk',
  stageName: 'Risk Assessment & Mitigation',
  approves: 'the project plan document',
  documentVersion: 3,
  due: '2026-12-20',
  rule: 'all 2 approvers must approve',
  round: 1,
  approverName: 'Amara <b>Okafor</b>',
  approverEmail: 'sponsor@acme.example',
  sections: [],
  acceptances: [],
};

describe('approval pages', () => {
  it('escapes every value on the confirmation page', () => {
    const page = confirmPage(view, '123.abc');
    expect(page.html).not.toContain('<img');
    expect(page.html).not.toContain('<b>');
    expect(page.html).toContain('&lt;img src=x onerror=alert(1)&gt; O&#39;Neil');
    expect(page.html).toContain('North&lt;wind&gt; &quot;IT&quot;');
    expect(page.html).toContain('Acme &amp; Sons');
  });

  it('shows the plan document version for the risk stage', () => {
    expect(confirmPage(view, 'n').html).toContain('the project plan document (version 3)');
  });

  it('posts the form to its own URL with the nonce and both decisions', () => {
    const { html } = confirmPage(view, '1700000000000.nonce');
    expect(html).toContain('<form method="post">');
    expect(html).not.toMatch(/action=/);
    expect(html).toContain('<input type="hidden" name="csrf" value="1700000000000.nonce">');
    expect(html).toContain('value="approve"');
    expect(html).toContain('value="reject"');
  });

  it('shows the errors of a previous attempt with status 400 and keeps the comment escaped', () => {
    const page = confirmPage(view, 'n', [{ path: 'comment', message: 'a comment is required to reject' }], {
      decision: 'reject',
      comment: '</textarea><script>x()</script>',
    });
    expect(page.status).toBe(400);
    expect(page.html).toContain('a comment is required to reject');
    expect(page.html).toContain('&lt;/textarea&gt;&lt;script&gt;x()&lt;/script&gt;</textarea>');
    expect(page.html).toMatch(/value="reject" checked/);
  });

  it('renders one neutral page with status 404', () => {
    expect(neutralPage()).toEqual(neutralPage());
    expect(neutralPage().status).toBe(404);
    expect(neutralPage().html).toContain('Ask your project manager for a new link.');
  });

  it('names who decided and when, in the project time zone', () => {
    const page = decidedPage({
      by: 'Amara <Okafor>',
      at: '2026-07-01T13:05:00.000Z',
      decision: 'approve',
      timezone: 'Europe/London',
    });
    expect(page.html).toContain(
      'already decided by Amara &lt;Okafor&gt; at 1 Jul 2026, 14:05 (Europe/London)',
    );
  });

  it('thanks for an approval or a rejection', () => {
    expect(thankYouPage(view, 'approve').html).toContain('Thank you, your approval is recorded');
    expect(thankYouPage(view, 'reject').html).toContain('Thank you, your rejection is recorded');
  });

  it('uses no script and an inline style allowed by its hash', () => {
    const { html } = confirmPage(view, 'n');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/ style=/);
    expect(PAGE_HEADERS['content-security-policy']).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('formats a bad time as given', () => {
    expect(formatLocalTime('not a time', 'Europe/London')).toBe('not a time');
  });

  it('names the zone of a time, and falls back to UTC for a zone it does not know', () => {
    expect(formatLocalTime('2026-12-04T14:05:00Z', 'Europe/London')).toBe(
      '4 Dec 2026, 14:05 (Europe/London)',
    );
    expect(formatLocalTime('2026-07-04T14:05:00Z', 'America/New_York')).toBe(
      '4 Jul 2026, 10:05 (America/New_York)',
    );
    expect(formatLocalTime('2026-12-04T14:05:00Z', 'Mars/Olympus')).toBe('4 Dec 2026, 14:05 (UTC)');
  });
});
