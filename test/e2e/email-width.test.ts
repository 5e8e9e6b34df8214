/**
 * Emails on a phone: customer stakeholders read the approval requests and the status reports in
 * their mail apps, often at 375 px. Rendered in headless Chromium at that width, an email does
 * not scroll sideways, even with the unbroken strings they carry: a document's SHA-256 (64 hex
 * characters), an address, a long link-like acceptance criterion in a report's table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  approvalRequest,
  type EmailMessage,
  type Notification,
  type NotificationContext,
  renderEmail,
  statusReportContent,
} from '../../functions/core/notifications/index.js';
import { launchBrowser } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'milepost-email-width-'));
let context: BrowserContext | undefined;
afterAll(async () => {
  await context?.close();
  rmSync(root, { recursive: true, force: true });
});

const ctx: NotificationContext = {
  mspName: 'Northwind Managed IT',
  projectName: 'Microsoft 365 migration',
  customerName: 'BrightSmile Dental Practice',
  timezone: 'Europe/London',
};
const ADDRESS = 'itoperations.manager@brightsmiledentalpractice.example';
const LONG = 'https://brightsmiledentalpractice.sharepoint.example/sites/ITOperations/Baseline.xlsx';

function only(notification: Notification): EmailMessage {
  const [to] = notification.to;
  if (!to) throw new Error('no recipient');
  return renderEmail(notification, to);
}

const approval = only(
  approvalRequest({
    ctx,
    to: ADDRESS,
    approverName: 'Dr Amara Okafor',
    stageName: 'Initiation & Planning',
    approves: 'the project charter (version 1)',
    document: {
      name: 'project charter',
      version: 1,
      sha256: 'fbba22582fe2bbc0db326cc90b0323351f7ca97df18e6d4c8245ede7a04c4da4',
      url: 'https://pm.example.com/approve/abc?document=charter',
    },
    sections: [
      { title: 'Stakeholders', items: [{ label: 'Dr Amara Okafor', detail: ['sponsor', ADDRESS] }] },
    ],
    due: '2026-12-05',
    rule: 'all',
    approverCount: 1,
    url: 'https://pm.example.com/approve/abc',
    expiresAt: Date.parse('2026-12-22T09:00:00Z') / 1000,
  }),
);

const report = only({
  kind: 'status-report',
  to: [{ email: ADDRESS }],
  context: ctx,
  content: statusReportContent({
    ctx,
    date: '2026-12-04',
    health: {
      rag: 'green',
      reasons: [],
      spi: 1,
      cpi: 1,
      plannedHours: 10,
      earnedHours: 10,
      actualHours: 10,
      customerWaitMs: 0,
      forecastEnd: '2027-02-26',
    },
    currentStage: 'Execution & Implementation',
    stages: [{ name: 'Initiation & Planning', status: 'completed', due: '2026-12-05' }],
    doneTasks: [],
    openTasks: [{ name: `Check ${LONG}`, stageName: 'Execution & Implementation', status: 'todo' }],
    risks: [],
    pendingApprovals: [],
    milestones: [],
    budget: { hours: 160, currency: 'GBP', amount: 18500 },
    plannedEnd: '2027-02-26',
  }),
});

describe('emails on a phone (375 px)', () => {
  it('do not scroll sideways: long hashes, addresses and links wrap', async () => {
    context = await launchBrowser(join(root, 'profile'), { viewport: { width: 375, height: 800 } });
    const page = context.pages()[0] ?? (await context.newPage());
    for (const [name, email, long] of [
      ['approval request', approval, 'fbba22582fe2'],
      ['status report', report, 'sharepoint.example'],
    ] as const) {
      await page.setContent(email.html);
      const [scrollWidth, innerWidth, text] = await page.evaluate(() => {
        const w = globalThis as unknown as {
          innerWidth: number;
          document: { documentElement: { scrollWidth: number }; body: { textContent: string } };
        };
        return [w.document.documentElement.scrollWidth, w.innerWidth, w.document.body.textContent] as const;
      });
      expect(text, name).toContain(long);
      expect(scrollWidth, `${name}: ${scrollWidth} px wide at ${innerWidth}`).toBeLessThanOrEqual(innerWidth);
    }
  }, 60_000);
});
