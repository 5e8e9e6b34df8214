import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { freePort } from '../../local/dynamodb-local.js';
import { type Runtime, type RuntimeOptions, startRuntime } from '../../local/runtime.js';
import type { TaskCall } from '../../local/sfn-local.js';
import { projectSpecInput } from '../support/dynamo.js';
import { approvalLinks, decide, getJson, project, waitFor } from './helpers.js';

const SPONSOR = 'sponsor@acme.example';
const APPROVER = 'approver@acme.example';
const PM = 'pm@msp.example';

const root = mkdtempSync(join(tmpdir(), 'milepost-recovery-'));
const runtimes: Runtime[] = [];
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.stop()));
  rmSync(root, { recursive: true, force: true });
});

/** A two-stage project whose initiation gate needs both the sponsor and the approver. */
function writeSpec(dir: string, id: string): void {
  mkdirSync(dir, { recursive: true });
  const stages: ProjectSpecInput['stages'] = [
    { key: 'initiation', gate: { approvers: ['sponsor', 'approver'], rule: 'all' } },
    { key: 'execution' },
  ];
  writeFileSync(
    join(dir, `${id}.yaml`),
    stringify(
      projectSpecInput({
        id,
        stages,
        deliverables: [{ id: 'tenant', name: 'Configured tenant', stage: 'execution', acceptance: 'CIS' }],
      }),
    ),
  );
}

async function start(options: Partial<RuntimeOptions> & { projectsDir: string }): Promise<Runtime> {
  const rt = await startRuntime({
    port: 0,
    dataDir: join(root, 'unused'),
    inMemory: true,
    schedules: false,
    notify: () => undefined,
    ...options,
  });
  runtimes.push(rt);
  return rt;
}

/** The initiation gate once its approval requests are out (submitting it when it waits for the PM). */
async function requestInitiation(base: string, id: string): Promise<void> {
  const status = await waitFor('the initiation gate', async () => {
    const g = (await project(base, id)).gates.find((x) => x.stage === 'initiation');
    return (g?.status === 'waiting' || g?.status === 'pending_approval') && g.status;
  });
  if (status === 'waiting') await submit(base, id, 'initiation');
}

function submit(base: string, id: string, stage: string): Promise<unknown> {
  return getJson(`${base}/api/projects/${id}/stages/${stage}/submit`, {
    method: 'POST',
    headers: { 'x-milepost-actor': PM },
  });
}

function events(base: string, id: string): Promise<{ items: { type: string; stage?: string }[] }> {
  return getJson(`${base}/api/projects/${id}/events?limit=100`);
}

/** Status and body of the page a link shows (GET: changes nothing). */
async function page(link: string): Promise<{ status: number; neutral: boolean; decided: boolean }> {
  const res = await fetch(link);
  const html = await res.text();
  return {
    status: res.status,
    neutral: !html.includes('name="csrf"'),
    decided: /already decided/i.test(html),
  };
}

describe('failed executions while the runtime runs', () => {
  it('restarts a failed execution at the current stage, and gives up after the bounded attempts', async () => {
    const projectsDir = join(root, 'failing');
    writeSpec(projectsDir, 'fails-once');
    writeSpec(projectsDir, 'fails-always');
    const notices: string[] = [];
    let failedOnce = false;
    const aroundTask = async (call: TaskCall, run: () => Promise<unknown>) => {
      if (call.stateName === 'initiation: gate') {
        const payload = JSON.stringify(call.input);
        // A fault the state machine neither retries nor catches (like States.Runtime in AWS): the
        // execution fails. (Task faults are retried by the gate task's own Retry first.)
        const fault = Object.assign(new Error('the gate task broke'), {
          isRetryable: false,
          isCatchable: false,
        });
        fault.name = 'States.Runtime';
        if (payload.includes('fails-always')) throw fault;
        if (payload.includes('fails-once') && !failedOnce) {
          failedOnce = true;
          throw fault;
        }
      }
      return run();
    };
    const rt = await start({
      projectsDir,
      aroundTask,
      restartFailed: { attempts: 2, backoffMs: 50 },
      notify: (l) => notices.push(l),
    });

    // The first execution failed in its gate task; the restarted one opened the gate.
    await requestInitiation(rt.url, 'fails-once');
    const once = rt.sfn.listExecutions('milepost-fails-once').map((e) => [e.name, e.status]);
    expect(once.sort()).toEqual([
      ['fails-once-g0', 'FAILED'],
      ['fails-once-g0-r1', 'RUNNING'],
    ]);
    // The notice follows the restart's start, asynchronously: wait for it rather than race it.
    await waitFor('the restart notice', () =>
      notices.includes('milepost: fails-once restarted at stage initiation as fails-once-g0-r1'),
    );
    // Only fails-once has requests out (fails-always never opened its gate): one link per approver.
    const links = await waitFor('both approval emails', async () => {
      const l = [...(await approvalLinks(rt.url, SPONSOR)), ...(await approvalLinks(rt.url, APPROVER))];
      return l.length >= 2 && l;
    });
    expect(links).toHaveLength(2);
    for (const link of links) expect((await decide(link, rt.url, 'approve')).status).toBe(200);
    await waitFor(
      'fails-once to reach execution',
      async () => (await project(rt.url, 'fails-once')).currentStage === 'execution',
    );

    // fails-always: the first execution and two restarts failed, then the runtime gave up on it.
    await waitFor('the runtime to give up', () =>
      notices.some((l) => l.startsWith('milepost: fails-always failed 3 times at stage initiation')),
    );
    const always = rt.sfn.listExecutions('milepost-fails-always');
    expect(always.map((e) => e.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(always.map((e) => e.name).sort()).toEqual([
      'fails-always-g0',
      'fails-always-g0-r1',
      'fails-always-g0-r2',
    ]);
    expect(notices.filter((l) => l.includes('fails-always restarted'))).toHaveLength(2);
    expect((await project(rt.url, 'fails-always')).status).toBe('active');
  }, 240_000);
});

describe('restart while a gate waits after a rejection', () => {
  it('keeps waiting for the resubmit; the resubmit sends new links and the old ones stay dead', async () => {
    const ID = 'rework-restart';
    const projectsDir = join(root, 'rework');
    const dataDir = join(root, 'rework-data');
    writeSpec(projectsDir, ID);
    const port = await freePort();

    // First run: both approvers get links; the sponsor rejects; the stage goes to rework.
    const first = await start({ projectsDir, dataDir, inMemory: false, port });
    await requestInitiation(first.url, ID);
    const [sponsorOld] = await waitFor('the sponsor link', async () => {
      const l = await approvalLinks(first.url, SPONSOR);
      return l.length > 0 && l;
    });
    const [approverOld] = await approvalLinks(first.url, APPROVER);
    expect((await decide(sponsorOld!, first.url, 'reject', 'Scope misses the phones')).status).toBe(200);
    await waitFor('the rework', async () => {
      const p = await project(first.url, ID);
      return p.stages.find((s) => s.key === 'initiation')?.status === 'rework';
    });
    await first.stop();

    // Second run on the same data: the gate task opens again, and still waits for the PM.
    const second = await start({ projectsDir, dataDir, inMemory: false, port });
    await waitFor('the gate task to open again', async () => {
      const all = (await events(second.url, ID)).items;
      const rework = all.findIndex((e) => e.type === 'stage_rework');
      return all.slice(rework + 1).some((e) => e.type === 'gate_reopened');
    });
    const waiting = await project(second.url, ID);
    expect(waiting.currentStage).toBe('initiation');
    expect(waiting.stages.find((s) => s.key === 'initiation')?.status).toBe('rework');
    expect(waiting.gates.find((g) => g.stage === 'initiation')).toMatchObject({
      status: 'waiting',
      round: 1,
    });
    expect(await approvalLinks(second.url, SPONSOR)).toEqual([sponsorOld]);
    expect(await approvalLinks(second.url, APPROVER)).toEqual([approverOld]);
    const forged = await page(`${second.url}/approve/${'A'.repeat(43)}`);
    expect(await page(approverOld!)).toEqual(forged);
    expect((await page(sponsorOld!)).decided).toBe(true);

    // The PM resubmits: new links of round 2 go out; the old links do not work.
    await submit(second.url, ID, 'initiation');
    const sponsorNew = await waitFor('the new sponsor link', async () =>
      (await approvalLinks(second.url, SPONSOR)).find((l) => l !== sponsorOld),
    );
    const approverNew = await waitFor('the new approver link', async () =>
      (await approvalLinks(second.url, APPROVER)).find((l) => l !== approverOld),
    );
    expect((await project(second.url, ID)).gates.find((g) => g.stage === 'initiation')).toMatchObject({
      status: 'pending_approval',
      round: 2,
    });
    expect(await page(approverOld!)).toEqual(forged);
    expect(await page(sponsorOld!)).toEqual(forged);
    const stale = await fetch(approverOld!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: second.url },
      body: new URLSearchParams({ decision: 'approve', comment: '', csrf: 'x' }).toString(),
    });
    expect(stale.status).toBe(forged.status);

    for (const link of [sponsorNew, approverNew]) {
      expect((await decide(link, second.url, 'approve')).status).toBe(200);
    }
    await waitFor(
      'the execution stage',
      async () => (await project(second.url, ID)).currentStage === 'execution',
    );
    const gate = (await project(second.url, ID)).gates.find((g) => g.stage === 'initiation');
    expect(gate).toMatchObject({ status: 'approved', round: 2 });
    expect(gate?.approvers.every((a) => a.decision === 'approve')).toBe(true);
  }, 240_000);
});
