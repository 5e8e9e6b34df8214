/** Helpers of the end-to-end tests: polling, the outbox's approval links, the staff API. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { emailLinks } from '../../functions/core/pages/console/outbox.js';
import type { OutboxEmail } from '../../local/ses-local.js';

/** Polls `check` every 100 ms until it returns a value; fails after `limitMs` with `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  // A bound for a busy machine, not the expected time: checks pass as soon as they hold.
  limitMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function getJson<T = unknown>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The approval links sent to `email`, oldest first. */
export async function approvalLinks(baseUrl: string, email: string): Promise<string[]> {
  const outbox = await getJson<OutboxEmail[]>(`${baseUrl}/api/outbox`);
  return (
    outbox
      .filter((m) => m.to.includes(email))
      .flatMap((m) => emailLinks(m))
      // The page links, not the document downloads (`?document=`) of the same links.
      .filter((u) => u.startsWith(`${baseUrl}/approve/`) && !u.includes('?'))
  );
}

export interface ProjectView {
  id: string;
  status: string;
  currentStage: string;
  stages: { key: string; status: string; startedAt?: string; completedAt?: string }[];
  gates: {
    stage: string;
    status: string;
    round: number;
    approvers: { email: string; decision?: string; decidedAt?: string }[];
  }[];
}

export function project(baseUrl: string, id: string): Promise<ProjectView> {
  return getJson<ProjectView>(`${baseUrl}/api/projects/${id}`);
}

/** Posts the decision form of an approval page the way a browser would (CSRF nonce from the page). */
export async function decide(link: string, origin: string, decision: 'approve' | 'reject', comment = '') {
  const page = await fetch(link);
  const html = await page.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!csrf) throw new Error(`no form on the approval page (${page.status})`);
  const res = await fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams({ csrf, decision, comment }).toString(),
  });
  return { status: res.status, html: await res.text(), page: html };
}

/** The system Chromium the browser tests drive (never a downloaded browser; .ci/run installs it). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium with a profile in `profileDir`, the flags that keep it off the network, and
 * `options` (viewport, bypassCSP...). A missing browser is one clear error.
 */
export async function launchBrowser(
  profileDir: string,
  options: Parameters<typeof chromium.launchPersistentContext>[1] = {},
): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: install it (apt-get install -y chromium) to run this test`,
    );
  }
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    ...options,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** axe-core, injected into pages to check their accessibility. */
const AXE = join(process.cwd(), 'node_modules/axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now (rule id: the elements). */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(c: unknown): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    return (await axe.run((globalThis as unknown as { document: unknown }).document)).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
