/**
 * The staff console in a browser (headless Chromium) on the local runtime: sign in locally as a
 * project's PM, record a task, see a form's errors next to its fields, submit a stage, find the
 * approval request in the outbox, see the gate change state on the project page, and be refused
 * when signed in as someone outside the project's team. axe-core runs in the portfolio, the
 * project page and a form with errors: no serious or critical violation. At 375 px the pages do
 * not scroll sideways (tables scroll inside their sections).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type Runtime, startRuntime } from '../../local/runtime.js';
import { projectSpecInput } from '../support/dynamo.js';
import { approvalLinks, decide, launchBrowser, project, seriousViolations, waitFor } from './helpers.js';

const A = 'console-a';
const B = 'console-b';
const PM = 'pm@msp.example';
const OUTSIDER = 'outsider@msp.example';
const SPONSOR = 'sponsor@acme.example';
const root = mkdtempSync(join(tmpdir(), 'milepost-console-'));
let runtime: Runtime | undefined;
let context: BrowserContext | undefined;
afterAll(async () => {
  await context?.close();
  await runtime?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** True when the page is no wider than the viewport. */
const fitsWidth = (page: Page) =>
  page.evaluate(() => {
    const w = globalThis as unknown as {
      innerWidth: number;
      document: { documentElement: { scrollWidth: number } };
    };
    return w.document.documentElement.scrollWidth <= w.innerWidth;
  });

async function signIn(page: Page, base: string, email: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.waitForURL(/\/auth\/local/);
  expect(await page.locator('main').textContent()).toContain('For local use only');
  // A person is chosen by clicking their label: the radio sits beside it, on its line, not
  // stretched across the form above it (the console's field style once made it so).
  const radio = page.locator(`input[name="email"][value="${email}"]`);
  const label = page.locator(`label[for="${await radio.getAttribute('id')}"]`);
  await label.click();
  expect(await radio.isChecked()).toBe(true);
  const [r, l] = [await radio.boundingBox(), await label.boundingBox()];
  expect(r && l && r.width < 40 && r.x + r.width <= l.x && r.y >= l.y && r.y < l.y + l.height).toBe(true);
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
}

describe('the staff console in a browser', () => {
  it('signs in locally, records a task, submits a stage, and refuses someone outside the team', async () => {
    const projectsDir = join(root, 'projects');
    mkdirSync(projectsDir);
    const stages = [{ key: 'initiation', gate: { submit: true } }, { key: 'execution' }];
    const deliverables = [{ id: 'tenant', name: 'Configured tenant', stage: 'execution', acceptance: 'CIS' }];
    writeFileSync(
      join(projectsDir, `${A}.yaml`),
      stringify(projectSpecInput({ id: A, name: 'Acme <console> & co', stages, deliverables } as never)),
    );
    writeFileSync(
      join(projectsDir, `${B}.yaml`),
      stringify(
        projectSpecInput({
          id: B,
          name: 'Other project',
          stages,
          deliverables,
          team: [
            {
              name: 'Oscar Outside',
              email: OUTSIDER,
              role: 'project manager',
              skills: ['exchange'],
              allocation: 50,
            },
          ],
        } as never),
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
    await waitFor('the initiation gate to wait for the submit', async () => {
      const g = (await project(base, A)).gates.find((x) => x.stage === 'initiation');
      return g?.status === 'waiting';
    });

    context = await launchBrowser(join(root, 'profile'), {
      // axe-core is injected as a script, which the console's CSP (rightly) forbids.
      bypassCSP: true,
      viewport: { width: 375, height: 800 },
    });
    const page = context.pages()[0] ?? (await context.newPage());

    // Signed out, the console sends you to the local sign-in page.
    await signIn(page, base, PM);
    expect(await page.locator('header').textContent()).toContain('Priya Shah');
    expect(await page.locator('main').textContent()).toContain('Acme <console> & co');
    expect(await fitsWidth(page)).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);

    // The project page: every action is a POST form with the session's CSRF token.
    await page.goto(`${base}/projects/${A}`);
    expect(await fitsWidth(page)).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    const forms = page.locator('main form[method="post"]');
    expect(await forms.count()).toBeGreaterThanOrEqual(5);
    for (const form of await forms.all()) expect(await form.locator('input[name="csrf"]').count()).toBe(1);

    // A task with mistakes: the form comes back with each error under its field.
    await page.getByText('Add a task or deliverable').click();
    await page.locator('#new-task-id').fill('bad id');
    await page.locator('#new-task-name').fill('Kick-off meeting');
    await page.locator('#new-task-estimateHours').fill('lots');
    await page.getByRole('button', { name: 'Add task or deliverable' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toContain('Add a task');
    expect(await page.locator('#new-task-estimateHours-error').textContent()).toBe('must be a number');
    expect(await page.locator('#new-task-id-error').textContent()).toContain('letters, digits');
    expect(await page.locator('#new-task-name').inputValue()).toBe('Kick-off meeting');
    expect(await seriousViolations(page)).toEqual([]);

    // Corrected, it is saved, and the project page shows it after the redirect.
    await page.locator('#new-task-id').fill('kickoff');
    await page.locator('#new-task-estimateHours').fill('4');
    await page.locator('#new-task-actualHours').fill('3');
    await page.locator('#new-task-status').selectOption('done');
    await page.locator('#new-task-stage').selectOption('initiation');
    await page.locator('#new-task-assignee').fill(PM);
    await page.locator('#new-task-due').fill('2026-12-10');
    await page.getByRole('button', { name: 'Add task or deliverable' }).click();
    await page.waitForURL(new RegExp(`/projects/${A}\\?notice=task`));
    expect(await page.locator('.notice').first().textContent()).toContain('Saved task kickoff.');
    const row = page.locator('#tasks tr', { hasText: 'Kick-off meeting' });
    expect(await row.textContent()).toContain('done');
    const saved = await runtime.deps.store.get(A, 'task', 'kickoff');
    expect(saved).toMatchObject({ status: 'done', estimateHours: 4, actualHours: 3, assignee: PM });

    // Emptied on its edit page, the assignee and the due date are cleared (the browser posts them empty).
    expect(await row.textContent()).toContain(PM);
    await page.goto(`${base}/projects/${A}/tasks/kickoff`);
    await page.locator('#edit-task-assignee').fill('');
    await page.locator('#edit-task-due').fill('');
    await page.getByRole('button', { name: 'Save task or deliverable' }).click();
    await page.waitForURL(new RegExp(`/projects/${A}\\?notice=task`));
    expect(await row.textContent()).not.toContain(PM);
    expect(await row.textContent()).not.toContain('2026-12-10');
    const cleared = await runtime.deps.store.get(A, 'task', 'kickoff');
    expect(cleared).toMatchObject({ status: 'done', actualHours: 3, version: 2 });
    expect(cleared).not.toHaveProperty('assignee');
    expect(cleared).not.toHaveProperty('due');

    // Submit the stage: the approval request goes out and the gate waits on the sponsor.
    await page.getByRole('button', { name: /Submit Initiation & Planning/ }).click();
    await page.waitForURL(/notice=submitted/);
    const gateRow = page.locator('#gates tr', { hasText: 'Initiation & Planning' });
    expect(await gateRow.textContent()).toContain('pending_approval');
    expect(await gateRow.textContent()).toContain('waiting');
    await page.goto(`${base}/outbox`);
    const [link] = await waitFor('the approval email', async () => {
      const links = await approvalLinks(base, SPONSOR);
      return links.length > 0 && links;
    });
    expect(await page.locator(`a[href="${link}"]`).count()).toBeGreaterThan(0);

    // The sponsor approves; the page shows the gate approved.
    expect((await decide(link!, base, 'approve')).status).toBe(200);
    await waitFor('the stage to advance', async () => (await project(base, A)).currentStage === 'execution');
    await page.goto(`${base}/projects/${A}`);
    expect(await page.locator('#gates tr', { hasText: 'Initiation & Planning' }).textContent()).toContain(
      'approved',
    );
    const events = await runtime.deps.store.listEvents(A);
    expect(events.items.find((e) => e.type === 'task_created')?.actor).toBe(PM);

    // Signed out, then in as someone outside the team: reading works, changing is refused.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/auth\/signed-out/);
    await signIn(page, base, OUTSIDER);
    await page.goto(`${base}/projects/${A}`);
    expect(await page.locator('main').textContent()).toContain(
      'Only its team and administrators can change it',
    );
    expect(await page.locator('main form[method="post"]').count()).toBe(0);
    await page.goto(`${base}/projects/${A}/tasks/kickoff`);
    await page.locator('#edit-task-actualHours').fill('40');
    const refused = page.waitForResponse((r) => r.url().endsWith(`/projects/${A}/tasks`));
    await page.getByRole('button', { name: 'Save task or deliverable' }).click();
    expect((await refused).status()).toBe(403);
    expect(await page.locator('main').textContent()).toContain(`${OUTSIDER} is not on its team`);
    expect(await runtime.deps.store.get(A, 'task', 'kickoff')).toMatchObject({ actualHours: 3 });
  }, 180_000);
});
