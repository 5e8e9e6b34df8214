import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '../../local/dynamodb-local.js';
import { type Runtime, startRuntime } from '../../local/runtime.js';
import { projectSpecInput } from '../support/dynamo.js';
import { approvalLinks, decide, getJson, project, waitFor } from './helpers.js';

const ID = 'restart-check';
const SPONSOR = 'sponsor@acme.example';
const PM = 'pm@msp.example';

const root = mkdtempSync(join(tmpdir(), 'milepost-restart-'));
const projectsDir = join(root, 'projects');
const dataDir = join(root, 'data');
const runtimes: Runtime[] = [];
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.stop()));
  rmSync(root, { recursive: true, force: true });
});

async function start(port: number): Promise<Runtime> {
  const rt = await startRuntime({ projectsDir, port, dataDir, inMemory: false, notify: () => undefined });
  runtimes.push(rt);
  return rt;
}

/** Submits the current stage if its gate waits for the PM (a gate whose criteria held has requested already). */
async function submitIfWaiting(base: string, stage: string): Promise<void> {
  const status = await waitFor(`the gate of ${stage}`, async () => {
    const p = await project(base, ID);
    const g = p.gates.find((x) => x.stage === stage);
    return (
      p.currentStage === stage && (g?.status === 'waiting' || g?.status === 'pending_approval') && g.status
    );
  });
  if (status === 'waiting') {
    await getJson(`${base}/api/projects/${ID}/stages/${stage}/submit`, {
      method: 'POST',
      headers: { 'x-milepost-actor': PM },
    });
  }
}

describe('restart of the local runtime', () => {
  it('resumes a waiting gate from DynamoDB: the old email link approves and the project goes on to close', async () => {
    mkdirSync(projectsDir, { recursive: true });
    writeFileSync(
      join(projectsDir, `${ID}.yaml`),
      stringify(
        projectSpecInput({
          id: ID,
          stages: [{ key: 'initiation' }, { key: 'execution' }],
          deliverables: [{ id: 'tenant', name: 'Configured tenant', stage: 'execution', acceptance: 'CIS' }],
        }),
      ),
    );
    const port = await freePort();

    // First run: the initiation gate sends its approval request, then the runtime stops.
    const first = await start(port);
    await submitIfWaiting(first.url, 'initiation');
    const [oldLink] = await waitFor('the approval email', async () => {
      const links = await approvalLinks(first.url, SPONSOR);
      return links.length > 0 && links;
    });
    const eventsBefore = await getJson<{ items: { id: string; type: string }[] }>(
      `${first.url}/api/projects/${ID}/events?limit=100`,
    );
    await first.stop();
    expect((await fetch(`${first.url}/health`).catch(() => undefined))?.status).toBeUndefined();

    // Second run on the same data: the project resumes at its current stage.
    const second = await start(port);
    const resumed = second.sfn.listExecutions(`milepost-${ID}`);
    expect(resumed.map((e) => [e.name, e.status])).toEqual([
      [`${ID}-g0`, 'ABORTED'],
      [`${ID}-g0-r1`, 'RUNNING'],
    ]);
    expect(await approvalLinks(second.url, SPONSOR)).toContain(oldLink);
    const beforeDecision = await project(second.url, ID);
    expect(beforeDecision.currentStage).toBe('initiation');

    // The link of the email sent before the restart decides the reopened gate.
    const decided = await decide(oldLink!, second.url, 'approve');
    expect(decided.status).toBe(200);
    expect(decided.html).toContain('Thank you');
    await waitFor(
      'the execution stage',
      async () => (await project(second.url, ID)).currentStage === 'execution',
    );

    // Nothing was lost: the earlier events are still there, followed by the new ones.
    const eventsAfter = await getJson<{ items: { id: string; type: string }[] }>(
      `${second.url}/api/projects/${ID}/events?limit=100`,
    );
    expect(eventsAfter.items.slice(0, eventsBefore.items.length)).toEqual(eventsBefore.items);
    expect(eventsAfter.items.length).toBeGreaterThan(eventsBefore.items.length);
    const initiation = (await project(second.url, ID)).gates.find((g) => g.stage === 'initiation')!;
    expect(initiation.status).toBe('approved');
    expect(initiation.approvers.find((a) => a.email === SPONSOR)?.decision).toBe('approve');

    // And the project goes on to close.
    const p = await project(second.url, ID);
    const tenant = (p as unknown as { tasks: { id: string; version: number }[] }).tasks.find(
      (t) => t.id === 'tenant',
    )!;
    await getJson(`${second.url}/api/projects/${ID}/tasks/tenant`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-milepost-actor': PM },
      body: JSON.stringify({ status: 'done', version: tenant.version }),
    });
    await submitIfWaiting(second.url, 'execution');
    const newLink = await waitFor('the execution approval email', async () =>
      (await approvalLinks(second.url, SPONSOR)).find((l) => l !== oldLink),
    );
    expect((await decide(newLink, second.url, 'approve')).status).toBe(200);
    const closed = await waitFor('the project to close', async () => {
      const q = await project(second.url, ID);
      return q.status === 'closed' && q;
    });
    expect(closed.stages.map((s) => s.status)).toEqual(['completed', 'completed']);
  }, 150_000);
});
