import { describe, expect, it } from 'vitest';
import type { BudgetBurn } from '../../functions/core/budget.js';
import type { Project } from '../../functions/core/model.js';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { sendStatusReport } from '../../functions/core/use-cases/send-status-report.js';
import { handleHttp } from '../../functions/http/app.js';
import type { HttpResponse } from '../../functions/http/exchange.js';
import { pdfText } from '../support/fakes.js';
import { countEvents, type LifecycleFixture, lifecycleFixture, START } from './lifecycle-support.js';

const PM = 'pm@msp.example';
const ENGINEER = 'eng@msp.example';
const SPONSOR = 'sponsor@acme.example';
const DELIVERY_MANAGER = 'delivery@msp.example';
const STAFF = new Set([PM, ENGINEER, DELIVERY_MANAGER]);

/**
 * Budget 10,000 GBP and 200 hours; one resource of 1,000 (10 % before any time). Engineers cost 100
 * an hour inside and bill 150; project managers cost 80 and bill 120.
 */
const MONEY: Partial<ProjectSpecInput> = {
  budget: { currency: 'GBP', amount: 10000, hours: 200 },
  resources: [{ kind: 'software', name: 'M365 Business Premium', quantity: 12, cost: 1000 }],
  rateCard: [
    { role: 'Engineer', costRate: 100, billingRate: 150 },
    { role: 'project manager', costRate: 80, billingRate: 120 },
  ],
};

/** A registered project at initiation whose gate has sent its approval request to the sponsor. */
async function atInitiation(overrides: Partial<ProjectSpecInput> = {}): Promise<LifecycleFixture> {
  const f = await lifecycleFixture({ ...MONEY, ...overrides });
  f.deps.config.deliveryManagerEmail = DELIVERY_MANAGER;
  f.clock.set('2026-12-10T09:00:00.000Z');
  await enterStage(f.deps, { projectId: f.projectId, stage: 'initiation', executionStartedAt: START });
  await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: 'token-initiation-AAAA' });
  return f;
}

function call(f: LifecycleFixture, method: string, path: string, body?: unknown): Promise<HttpResponse> {
  return handleHttp(f.deps, {
    method,
    path,
    query: {},
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body),
    caller: 'local',
  });
}

async function book(f: LifecycleFixture, hours: number, extra: Record<string, unknown> = {}) {
  const res = await call(f, 'POST', `/api/projects/${f.projectId}/time-entries`, {
    person: ENGINEER,
    date: '2026-12-09',
    hours,
    ...extra,
  });
  expect(res.status, res.body).toBe(201);
  return JSON.parse(res.body) as { id: string; cost: number; billable: number; burn: BudgetBurn };
}

const alerts = (f: LifecycleFixture) => f.mailer.tagged('budget-threshold');

async function detail(f: LifecycleFixture) {
  const res = await call(f, 'GET', `/api/projects/${f.projectId}`);
  expect(res.status).toBe(200);
  return JSON.parse(res.body) as {
    criteria: { met: boolean; unmet: string[] };
    budget: BudgetBurn;
    tasks: { id: string; actualHours: number }[];
  };
}

/** What an approved change request does to the baseline: the effective spec's budget amount. */
async function raiseBudget(f: LifecycleFixture, amount: number): Promise<void> {
  const project = (await f.deps.store.getProject(f.projectId)) as Project;
  await f.deps.store.commit([
    { ...project, spec: { ...project.spec, budget: { ...project.spec.budget, amount } } },
  ]);
}

describe('time entries and budget burn', () => {
  it('records an entry priced by the role, updating the ledger and the task in one go', async () => {
    const f = await atInitiation();
    const entry = await book(f, 8, { task: 'tenant', note: 'Tenant baseline' });
    expect(entry).toMatchObject({ person: ENGINEER, hours: 8, task: 'tenant', cost: 800, billable: 1200 });
    expect(entry.id.startsWith('2026-12-09.')).toBe(true);
    // 800 of time + 1,000 of resources against 10,000.
    expect(entry.burn).toMatchObject({
      actualCost: 1800,
      billable: 2200,
      burnPercent: 18,
      hours: 8,
      hoursBurnPercent: 4,
    });

    const d = await detail(f);
    expect(d.budget.actualCost).toBe(1800);
    expect(d.tasks.find((t) => t.id === 'tenant')?.actualHours).toBe(8);
    const list = JSON.parse((await call(f, 'GET', `/api/projects/${f.projectId}/time-entries`)).body);
    expect(list.entries).toHaveLength(1);
    expect(list.entries[0]).toMatchObject({ person: ENGINEER, costRate: 100, billingRate: 150 });
    expect(list.burn.actualCost).toBe(1800);
    expect(countEvents(await f.events(), 'time_recorded')).toBe(1);
  });

  it('alerts the PM and the delivery manager once when 50 % is crossed, not again below 75 %', async () => {
    const f = await atInitiation();
    await book(f, 20); // 3,000: 30 %
    expect(alerts(f)).toHaveLength(0);
    await book(f, 24); // 5,400: 54 %
    expect(
      alerts(f)
        .map((m) => m.to[0])
        .sort(),
    ).toEqual([DELIVERY_MANAGER, PM]);
    expect(alerts(f)[0]?.subject).toContain('Budget burn passed 50%');
    expect(alerts(f)[0]?.text).toContain('£5,400.00 of £10,000.00 (54%)');
    await book(f, 10); // 6,400: 64 %
    expect(alerts(f)).toHaveLength(2);
    const events = await f.events();
    expect(countEvents(events, 'budget_threshold_crossed')).toBe(1);
    const ledger = await f.deps.store.get(f.projectId, 'ledger', 'budget');
    expect(ledger).toMatchObject({ crossed: [50], entries: 3, hours: 54, timeCost: 5400 });
  });

  it('past 100 % withdraws the pending approval and names a change request until the budget is raised', async () => {
    const f = await atInitiation();
    expect((await f.gate('initiation')).status).toBe('pending_approval');
    for (const hours of [24, 24, 24]) await book(f, hours); // 8,200: 82 %
    expect(alerts(f)).toHaveLength(4); // 50 % and 75 %, each to the PM and the delivery manager
    await book(f, 24); // 10,600: 106 %: 90 % and 100 % in one alert
    expect(alerts(f)).toHaveLength(6);
    expect(alerts(f)[5]?.text).toContain('90%, 100%');

    // The approval out to the sponsor no longer passes the gate.
    const gate = await f.gate('initiation');
    expect(gate.status).toBe('waiting');
    expect(f.mailer.tagged('approval-withdrawn').map((m) => m.to[0])).toEqual([SPONSOR]);
    const blocked = await detail(f);
    expect(blocked.criteria.met).toBe(false);
    const unmet = blocked.criteria.unmet.join(' ');
    expect(unmet).toContain('change request');
    expect(unmet).toContain(`POST /api/projects/${f.projectId}/change-requests`);
    const refused = await call(f, 'POST', `/api/projects/${f.projectId}/stages/initiation/submit`);
    expect(JSON.parse(refused.body)).toMatchObject({ submitted: false });

    // A change request raised the budget to 9,000: still below the actual cost.
    await raiseBudget(f, 9000);
    expect((await detail(f)).criteria.met).toBe(false);
    // Raised above the actual cost: the criteria clear and the stage can be submitted again.
    await raiseBudget(f, 12000);
    const cleared = await detail(f);
    expect(cleared.criteria).toMatchObject({ met: true, unmet: [] });
    expect(cleared.budget).toMatchObject({ budget: 12000, overBudget: false, burnPercent: 88.3 });
    const submitted = await call(f, 'POST', `/api/projects/${f.projectId}/stages/initiation/submit`);
    expect(JSON.parse(submitted.body)).toMatchObject({ submitted: true });
    expect((await f.gate('initiation')).status).toBe('pending_approval');
  });

  it('re-arms the thresholds the burn fell below after the budget was raised', async () => {
    const f = await atInitiation();
    await book(f, 24); // 3,400: 34 %
    await book(f, 24); // 5,800: 58 %: 50 % crossed
    expect(alerts(f)).toHaveLength(2);
    await raiseBudget(f, 20000); // 29 %
    await book(f, 1); // 5,900 of 20,000: 29.5 %: the 50 % threshold is armed again
    expect((await f.deps.store.get(f.projectId, 'ledger', 'budget'))?.crossed).toEqual([]);
    expect(alerts(f)).toHaveLength(2);
  });

  it('alerts once when a resource change takes the burn past a threshold', async () => {
    const f = await atInitiation();
    const put = (cost: number, version?: number) =>
      call(f, 'PUT', `/api/projects/${f.projectId}/resources/laptops`, {
        kind: 'hardware',
        name: 'Laptops',
        cost,
        ...(version ? { version } : {}),
      });
    expect((await put(4500)).status).toBe(201); // 1,000 + 4,500: 55 %
    expect(
      alerts(f)
        .map((m) => m.to[0])
        .sort(),
    ).toEqual([DELIVERY_MANAGER, PM]);
    expect((await put(4600, 1)).status).toBe(200); // 56 %: nothing new
    expect(alerts(f)).toHaveLength(2);
    expect(countEvents(await f.events(), 'budget_threshold_crossed')).toBe(1);
    expect((await f.deps.store.get(f.projectId, 'ledger', 'budget'))?.crossed).toEqual([50]);
  });

  it('counts every entry when several are recorded at once (the ledger is the lock)', async () => {
    const f = await atInitiation();
    const results = await Promise.all([1, 2, 3, 4].map((h) => book(f, h)));
    expect(results.map((r) => r.cost).sort((a, b) => a - b)).toEqual([100, 200, 300, 400]);
    const ledger = await f.deps.store.get(f.projectId, 'ledger', 'budget');
    expect(ledger).toMatchObject({ entries: 4, hours: 10, timeCost: 1000, timeBillable: 1500 });
    expect(await f.deps.store.list(f.projectId, 'time_entry')).toHaveLength(4);
  });

  it('alerts a crossing once when entries that each would cross it race', async () => {
    const f = await atInitiation();
    await book(f, 3); // 1,300: 13 %
    // Three entries of 2,000 race on the ledger; whichever commits second crosses 50 %.
    await Promise.all([book(f, 20), book(f, 20), book(f, 20)]);
    const events = await f.events();
    const crossed = events.filter((e) => e.type === 'budget_threshold_crossed');
    const thresholds = crossed.flatMap((e) => (e.data?.thresholds as number[]) ?? []);
    // 13 % -> 33 % -> 53 % -> 73 %: 50 % is crossed by exactly one of them, once.
    expect(thresholds).toEqual([50]);
    expect(alerts(f)).toHaveLength(2);
    expect((await f.deps.store.get(f.projectId, 'ledger', 'budget'))?.crossed).toEqual([50]);
  });

  it('uses the spec thresholds when given', async () => {
    const f = await atInitiation({
      budget: { currency: 'GBP', amount: 10000, hours: 200, thresholds: [20] },
    });
    await book(f, 11); // 2,100: 21 %
    expect(alerts(f).map((m) => m.subject)).toEqual([
      expect.stringContaining('passed 20%'),
      expect.stringContaining('passed 20%'),
    ]);
  });

  it('counts expenses in the actual cost and billable expenses in the billable value', async () => {
    const f = await atInitiation();
    const res = await call(f, 'POST', `/api/projects/${f.projectId}/expenses`, {
      date: '2026-12-08',
      description: 'Train to the customer site',
      amount: 250,
      billable: false,
    });
    expect(res.status, res.body).toBe(201);
    expect(JSON.parse(res.body).burn).toMatchObject({ actualCost: 1250, billable: 1000, expenses: 250 });
    const list = JSON.parse((await call(f, 'GET', `/api/projects/${f.projectId}/time-entries`)).body);
    expect(list.expenses).toHaveLength(1);
  });

  it('gives EAC as BAC/CPI once work is done, and VAC against the budget', async () => {
    const f = await atInitiation();
    // Half of the estimated hours done for 8,000 of actual cost: EAC = 8,000 / 0.5 = 16,000.
    const put = (id: string, status: string) =>
      call(f, 'PUT', `/api/projects/${f.projectId}/tasks/${id}`, {
        name: id,
        stage: 'execution',
        estimateHours: 10,
        status,
      });
    expect((await put('a', 'done')).status).toBe(201);
    expect((await put('b', 'todo')).status).toBe(201);
    await book(f, 24);
    await book(f, 24);
    await book(f, 22); // 7,000 + 1,000 of resources
    const { budget } = await detail(f);
    // The spec's deliverables carry no estimate: 10 of 20 estimated hours are done.
    expect(budget).toMatchObject({
      actualCost: 8000,
      percentComplete: 0.5,
      eac: 16000,
      vac: -6000,
      eacMethod: 'BAC/CPI',
    });
    expect(budget.cpi).toBe(0.63);
  });
});

describe('time entry validation', () => {
  it.each([
    [{ person: 'nobody@msp.example', date: '2026-12-09', hours: 2 }, 'person', 'not a team member'],
    [{ person: ENGINEER, date: '2026-12-09', hours: 0 }, 'hours', 'more than 0'],
    [{ person: ENGINEER, date: '2026-12-09', hours: 24.5 }, 'hours', 'at most 24'],
    [{ person: ENGINEER, date: '2026-12-09', hours: '3' }, 'hours', 'number'],
    [{ person: ENGINEER, date: '09/12/2026', hours: 2 }, 'date', 'YYYY-MM-DD'],
    [{ person: ENGINEER, date: '2026-02-30', hours: 2 }, 'date', 'YYYY-MM-DD'],
    [{ person: ENGINEER, date: '2026-12-11', hours: 2 }, 'date', 'after today'],
    [{ person: ENGINEER, date: '2026-12-09', hours: 2, task: 'no-such-task' }, 'task', 'no task'],
    [{ person: 'not-an-email', date: '2026-12-09', hours: 2 }, 'person', 'email'],
    [{ person: ENGINEER, date: '2026-12-09', hours: 2, rate: 5 }, '(body)', 'rate'],
  ])('refuses %j naming the field %s', async (body, field, words) => {
    const f = await atInitiation();
    const res = await call(f, 'POST', `/api/projects/${f.projectId}/time-entries`, body);
    expect(res.status).toBe(400);
    const issues = JSON.parse(res.body).issues as { path: string; message: string }[];
    const issue = issues.find((i) => i.path === field);
    expect(issue, res.body).toBeDefined();
    if (words)
      expect(`${issue?.message}`.toLowerCase() + res.body.toLowerCase()).toContain(words.toLowerCase());
    // Nothing was written.
    expect(await f.deps.store.get(f.projectId, 'ledger', 'budget')).toBeUndefined();
    expect(await f.deps.store.list(f.projectId, 'time_entry')).toEqual([]);
  });

  it('refuses time by a member whose role has no rate in the rate card', async () => {
    const f = await atInitiation();
    const added = await call(f, 'PUT', `/api/projects/${f.projectId}/team/designer@msp.example`, {
      name: 'Dana Lee',
      role: 'designer',
      allocation: 20,
    });
    expect(added.status).toBe(201);
    const res = await call(f, 'POST', `/api/projects/${f.projectId}/time-entries`, {
      person: 'designer@msp.example',
      date: '2026-12-09',
      hours: 2,
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).issues).toEqual([
      { path: 'person', message: expect.stringContaining('"designer"') },
    ]);
  });

  it('answers 404 for an unknown project', async () => {
    const f = await atInitiation();
    const res = await call(f, 'POST', '/api/projects/no-such-project/time-entries', {
      person: ENGINEER,
      date: '2026-12-09',
      hours: 1,
    });
    expect(res.status).toBe(404);
  });
});

describe('rates and costs stay inside the MSP', () => {
  it('sends no rate or cost figure to a customer stakeholder, while staff get the burn', async () => {
    const f = await atInitiation();
    // Fridays are report days; 11 Dec 2026 is a Friday.
    await book(f, 24);
    await book(f, 24);
    await book(f, 24);
    await book(f, 24); // 10,600: over budget, approvals withdrawn
    f.clock.set('2026-12-11T17:00:00.000Z');
    const report = await sendStatusReport(f.deps, f.projectId);
    expect(report.status).toBe('sent');

    // Every internal figure, as money and as a bare number.
    const ledger = await f.deps.store.get(f.projectId, 'ledger', 'budget');
    const figures = [
      100,
      150,
      80,
      120,
      2400,
      9600,
      10600,
      ledger?.timeCost ?? -1,
      ledger?.timeBillable ?? -1,
    ];
    const forms = figures.flatMap((n) => [
      `£${n.toLocaleString('en-GB', { minimumFractionDigits: 2 })}`,
      n.toFixed(2),
      ...(n >= 1000 ? [n.toLocaleString('en-GB'), String(n)] : []),
    ]);
    const customerMail = f.mailer.sent.filter((m) => m.to.every((to) => !STAFF.has(to)));
    expect(customerMail.length).toBeGreaterThanOrEqual(3); // approval request, withdrawal, status reports
    for (const m of customerMail) {
      for (const body of [m.subject, m.text, m.html]) {
        for (const form of forms) expect(body, `${m.tag} to ${m.to.join()}`).not.toContain(form);
        expect(body).not.toMatch(/budget burn|actual cost|cost rate|billing rate|estimate at completion/i);
      }
    }
    // The stored report document (a PDF) is the customer's copy.
    const stored = await f.deps.store.get(f.projectId, 'document', 'status-2026-12-11');
    const bytes = await f.deps.documents.get(stored?.key ?? '-');
    expect(pdfText(bytes ?? new Uint8Array())).toContain('Status report');
    expect(pdfText(bytes ?? new Uint8Array())).not.toMatch(/budget burn|actual cost|cost rate/i);

    const staffReport = f.mailer.sent.filter((m) => m.tag === 'status-report' && m.to.includes(PM));
    expect(staffReport).toHaveLength(1);
    expect(staffReport[0]?.text).toContain('Budget burn');
    expect(staffReport[0]?.text).toContain('£10,600.00 of £10,000.00 (106%)');
    const customerReport = f.mailer.sent.filter((m) => m.tag === 'status-report' && m.to.includes(SPONSOR));
    expect(customerReport).toHaveLength(1);
  });
});
