import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type Runtime, startRuntime } from '../../local/runtime.js';
import { projectSpecInput } from '../support/dynamo.js';
import { approvalLinks, getJson, launchBrowser, project, waitFor } from './helpers.js';

const ID = 'browser-check';
const SPONSOR = 'sponsor@acme.example';
const root = mkdtempSync(join(tmpdir(), 'milepost-browser-'));
let runtime: Runtime | undefined;
let context: BrowserContext | undefined;
afterAll(async () => {
  await context?.close();
  await runtime?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('approving in a browser', () => {
  it('opens the link from the outbox, approves, and sees the stage advance on the dashboard', async () => {
    const projectsDir = join(root, 'projects');
    mkdirSync(projectsDir);
    writeFileSync(
      join(projectsDir, `${ID}.yaml`),
      stringify(
        projectSpecInput({
          id: ID,
          name: 'Browser <check> & "quotes"',
          stages: [{ key: 'initiation' }, { key: 'execution' }],
          // An acceptance criterion with a long unbroken word (an address), as approvers read it
          // on a phone in the page's nested lists.
          deliverables: [
            {
              id: 'tenant',
              name: 'Configured tenant',
              stage: 'execution',
              acceptance: 'Signed off by itoperations.manager@brightsmiledentalpractice.example',
            },
          ],
        }),
      ),
    );
    runtime = await startRuntime({
      projectsDir,
      port: 0,
      dataDir: join(root, 'data'),
      inMemory: true,
      schedules: false,
      notify: () => undefined,
    });
    const base = runtime.url;
    const status = await waitFor('the initiation gate', async () => {
      const g = (await project(base, ID)).gates.find((x) => x.stage === 'initiation');
      return (g?.status === 'waiting' || g?.status === 'pending_approval') && g.status;
    });
    if (status === 'waiting') {
      await getJson(`${base}/api/projects/${ID}/stages/initiation/submit`, {
        method: 'POST',
        headers: { 'x-milepost-actor': 'pm@msp.example' },
      });
    }
    const [link] = await waitFor('the approval email', async () => {
      const links = await approvalLinks(base, SPONSOR);
      return links.length > 0 && links;
    });

    context = await launchBrowser(join(root, 'profile'));
    const page = context.pages()[0] ?? (await context.newPage());

    // The console needs a session: sign in locally as the project's PM.
    await page.goto(`${base}/outbox`);
    await page.waitForURL(/\/auth\/local/);
    await page.locator('input[name="email"][value="pm@msp.example"]').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/outbox`);

    // The outbox lists the email with its link clickable.
    await page.locator(`a[href="${link}"]`).first().click();
    await page.waitForURL(link!);
    await expect
      .poll(() => page.locator('h1').textContent())
      .toContain('Your decision: Initiation & Planning');
    expect(await page.locator('main').textContent()).toContain('Browser <check> & "quotes"');
    expect(await page.content()).not.toContain('<check>');
    // On a phone (375 px) the page does not scroll sideways: long words wrap.
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.locator('main').textContent()).toContain('itoperations.manager@');
    expect(
      await page.evaluate(() => {
        const w = globalThis as unknown as {
          innerWidth: number;
          document: { documentElement: { scrollWidth: number } };
        };
        return w.document.documentElement.scrollWidth <= w.innerWidth;
      }),
    ).toBe(true);

    await page.getByLabel('Approve').check();
    await page.getByRole('button', { name: 'Submit decision' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('your approval is recorded');

    // The dashboard shows the stage completed and the next one current.
    await waitFor('the stage to advance', async () => (await project(base, ID)).currentStage === 'execution');
    await page.goto(`${base}/projects/${ID}`);
    const row = page.locator('tr', { hasText: 'Initiation & Planning' }).first();
    expect(await row.textContent()).toContain('completed');
    expect(await page.locator('dd', { hasText: 'Execution & Implementation' }).count()).toBe(1);
    expect(await page.locator('svg[aria-label^="Stage timeline"]').count()).toBe(1);
    await page.goto(base);
    expect(await page.locator('main').textContent()).toContain('1/2 stages');
  }, 120_000);
});
