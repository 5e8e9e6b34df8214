/**
 * Removing records from the console in a browser (headless Chromium) on the local runtime: the
 * Remove form on a risk's edit page takes the PM back to the project page with the risk gone; a
 * refused removal (a team member who owns an open risk) shows the edit page again with why. axe-core
 * finds no serious or critical violation on the edit page with its Remove form, or after a refusal.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type Runtime, startRuntime } from '../../local/runtime.js';
import { projectSpecInput } from '../support/dynamo.js';
import { launchBrowser, seriousViolations } from './helpers.js';

const ID = 'remove-a';
const PM = 'pm@msp.example';
const root = mkdtempSync(join(tmpdir(), 'milepost-remove-'));
let runtime: Runtime | undefined;
let context: BrowserContext | undefined;
afterAll(async () => {
  await context?.close();
  await runtime?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('removing records in the console', () => {
  it('removes a risk from its edit page, and shows why a team member cannot be removed', async () => {
    const projectsDir = join(root, 'projects');
    mkdirSync(projectsDir);
    writeFileSync(
      join(projectsDir, `${ID}.yaml`),
      stringify(projectSpecInput({ id: ID, name: 'Remove <test> & co' } as never)),
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
    context = await launchBrowser(join(root, 'profile'), { bypassCSP: true });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${base}/`);
    await page.waitForURL(/\/auth\/local/);
    await page.locator(`input[name="email"][value="${PM}"]`).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);

    // The risk's edit page has a Remove form; removing goes back to the project page without it.
    await page.goto(`${base}/projects/${ID}`);
    await page.getByRole('link', { name: 'Edit risk Staff locked out by MFA' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toContain('Update risk mfa-lockout');
    expect(await page.locator('#remove-heading').textContent()).toBe('Remove this risk');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Remove risk mfa-lockout' }).click();
    await page.waitForURL(new RegExp(`/projects/${ID}\\?notice=removed`));
    expect(await page.locator('.notice').first().textContent()).toContain(
      'Removed risk mfa-lockout; the project’s event log keeps it.',
    );
    expect(await page.locator('#risks').textContent()).not.toContain('Staff locked out by MFA');
    expect(await runtime.deps.store.get(ID, 'risk', 'mfa-lockout')).toBeUndefined();

    // A team member who owns an open risk: refused, the edit page again with what to do.
    await page.goto(`${base}/projects/${ID}/team/eng%40msp.example`);
    await page.getByRole('button', { name: 'Remove team member eng@msp.example' }).click();
    await expect
      .poll(() => page.locator('[role="alert"]').textContent())
      .toContain(
        'Not removed: team member eng@msp.example cannot be removed: they are the assignee or owner of risk data-loss (open): reassign or close it first.',
      );
    expect(await page.locator('h1').textContent()).toContain('Update team member eng@msp.example');
    expect(await seriousViolations(page)).toEqual([]);
    expect(await runtime.deps.store.get(ID, 'member', 'eng@msp.example')).toBeDefined();
  });
});
