/**
 * Gates that stay true while records and specs change, through the local runtime as a user meets
 * it: specs of our own in a folder, the staff API, the emailed links, and restarts on the same
 * `--data`. Then an accelerated clock for the reminder cap and the escalation deadline.
 */
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { emailLinks } from '../../functions/core/pages/console/outbox.js';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { freePort } from '../../local/dynamodb-local.js';
import { type Runtime, type RuntimeOptions, startRuntime } from '../../local/runtime.js';
import type { OutboxEmail } from '../../local/ses-local.js';
import { projectSpecInput } from '../support/dynamo.js';
import { decide, getJson, project, waitFor } from './helpers.js';

const SPONSOR = 'sponsor@acme.example';
const APPROVER = 'approver@acme.example';
const PM = 'pm@msp.example';
const QA = 'scenario-qa';
const SWAP = 'scenario-swap';
const GONE = 'scenario-gone';

const root = mkdtempSync(join(tmpdir(), 'milepost-gates-'));
const runtimes: Runtime[] = [];
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.stop()));
  rmSync(root, { recursive: true, force: true });
});

async function start(options: Partial<RuntimeOptions> & Pick<RuntimeOptions, 'projectsDir' | 'port'>) {
  const rt = await startRuntime({
    dataDir: join(root, 'data'),
    inMemory: false,
    notify: () => undefined,
    ...options,
  });
  runtimes.push(rt);
  return rt;
}

/** A spec of our own with `stages`; its one deliverable belongs to the last of them. */
function writeSpec(dir: string, id: string, overrides: Partial<ProjectSpecInput>) {
  const last = overrides.stages?.at(-1)?.key ?? 'execution';
  const deliverables = [{ id: 'handover', name: 'Handover', stage: last, acceptance: 'Signed' }];
  writeFileSync(
    join(dir, `${id}.yaml`),
    stringify(projectSpecInput({ id, name: `Project ${id}`, deliverables, ...overrides })),
  );
}

/** The approval links emailed to `email` about project `id` (its name is in the subject), oldest first. */
async function linksAbout(base: string, email: string, id: string): Promise<string[]> {
  const outbox = await getJson<OutboxEmail[]>(`${base}/api/outbox`);
  return (
    outbox
      .filter((m) => m.to.includes(email) && m.subject.includes(`Project ${id}`))
      .flatMap((m) => emailLinks(m))
      // The page links, not the document downloads (`?document=`) of the same links.
      .filter((u) => u.startsWith(`${base}/approve/`) && !u.includes('?'))
  );
}

async function putTestCase(base: string, id: string, taskId: string, status: 'todo' | 'done') {
  const p = (await project(base, id)) as unknown as { tasks: { id: string; version: number }[] };
  const version = p.tasks.find((t) => t.id === taskId)?.version ?? 0;
  await getJson(`${base}/api/projects/${id}/tasks/${taskId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-milepost-actor': PM },
    body: JSON.stringify({ name: `Test case ${taskId}`, stage: 'qa', status, version }),
  });
}

interface EventView {
  type: string;
  at: string;
  data?: Record<string, unknown>;
}
async function events(base: string, id: string): Promise<EventView[]> {
  const all: EventView[] = [];
  let cursor: string | undefined;
  do {
    const page = await getJson<{ items: EventView[]; cursor?: string }>(
      `${base}/api/projects/${id}/events?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return all;
}

/** The page a link shows now: 404 with the neutral page when it no longer decides. */
async function linkStatus(link: string): Promise<number> {
  return (await fetch(link)).status;
}

describe('gates through the local runtime, with restarts on the same data', () => {
  it('withdraws QA approvals for a new todo test case, moves approvers and archives a removed spec', async () => {
    const projectsDir = join(root, 'projects');
    mkdirSync(projectsDir, { recursive: true });
    writeSpec(projectsDir, QA, {
      stages: [{ key: 'qa', gate: { approvers: ['approver'], rule: 'all' } }, { key: 'deployment' }],
    });
    writeSpec(projectsDir, SWAP, {
      stages: [{ key: 'initiation', gate: { approvers: ['approver'], rule: 'all' } }, { key: 'execution' }],
    });
    writeSpec(projectsDir, GONE, {
      stages: [{ key: 'initiation', gate: { approvers: ['sponsor'], rule: 'all' } }, { key: 'execution' }],
    });
    const port = await freePort();
    const first = await start({ projectsDir, port });
    const base = first.url;

    // QA with no test cases asks nobody: its gate waits for its criteria.
    await waitFor('the QA gate', async () => (await project(base, QA)).gates.find((g) => g.stage === 'qa'));
    const empty = await project(base, QA);
    expect(empty.gates.find((g) => g.stage === 'qa')?.status).toBe('waiting');
    expect((empty as unknown as { criteria: { unmet: string[] } }).criteria.unmet.join(' ')).toMatch(
      /test case/,
    );

    // One passed test case: the approval request goes out.
    await putTestCase(base, QA, 'login', 'done');
    const [oldQaLink] = await waitFor('the QA approval email', async () => {
      const p = await project(base, QA);
      return (
        p.gates.find((g) => g.stage === 'qa')?.status === 'pending_approval' &&
        (await linksAbout(base, APPROVER, QA))
      );
    });
    // A new test case still to do withdraws it: the link is neutral, the stage does not complete.
    await putTestCase(base, QA, 'restore', 'todo');
    const withdrawn = await project(base, QA);
    expect(withdrawn.gates.find((g) => g.stage === 'qa')?.status).toBe('waiting');
    expect(withdrawn.stages.find((s) => s.key === 'qa')?.status).toBe('active');
    expect((await events(base, QA)).filter((e) => e.type === 'approvals_withdrawn')).toHaveLength(1);
    expect(await linkStatus(oldQaLink!)).toBe(404);
    expect(
      (await decide(oldQaLink!, base, 'approve').catch((e: Error) => ({ status: e.message }))).status,
    ).toMatch(/no form on the approval page \(404\)/);
    expect((await project(base, QA)).stages.find((s) => s.key === 'qa')?.status).toBe('active');
    expect((await project(base, QA)).currentStage).toBe('qa');

    // The other two wait on their approvers.
    const swapOld = await waitFor('the approver’s link of the swap project', async () => {
      const p = await project(base, SWAP);
      if (p.gates.find((g) => g.stage === 'initiation')?.status !== 'pending_approval') return undefined;
      return (await linksAbout(base, APPROVER, SWAP))[0];
    });
    const goneLink = await waitFor('the sponsor’s link of the removed project', async () => {
      const p = await project(base, GONE);
      if (p.gates.find((g) => g.stage === 'initiation')?.status !== 'pending_approval') return undefined;
      return (await linksAbout(base, SPONSOR, GONE))[0];
    });
    await first.stop();

    // The approver of SWAP is replaced in its spec; GONE's file is removed. Restart on the same data.
    writeSpec(projectsDir, SWAP, {
      stages: [{ key: 'initiation', gate: { approvers: ['sponsor'], rule: 'all' } }, { key: 'execution' }],
    });
    unlinkSync(join(projectsDir, `${GONE}.yaml`));
    const second = await start({ projectsDir, port });

    // The new approver gets a link of a new round; the old approver's link is neutral.
    const swapNew = await waitFor('the new approver’s link', async () => {
      return (await linksAbout(second.url, SPONSOR, SWAP))[0];
    });
    const swapped = await project(second.url, SWAP);
    const gate = swapped.gates.find((g) => g.stage === 'initiation');
    expect(gate).toMatchObject({ status: 'pending_approval', round: 2 });
    expect(gate?.approvers.map((a) => a.email)).toEqual([SPONSOR]);
    expect(await linkStatus(swapOld)).toBe(404);
    expect((await decide(swapNew, second.url, 'approve')).status).toBe(200);
    await waitFor('the swap project to reach execution', async () => {
      return (await project(second.url, SWAP)).currentStage === 'execution';
    });

    // The removed spec's project is archived, its records kept, its link neutral.
    const archived = await project(second.url, GONE);
    expect(archived.status).toBe('archived');
    expect(archived.gates.find((g) => g.stage === 'initiation')?.status).toBe('pending_approval');
    expect((await events(second.url, GONE)).map((e) => e.type)).toContain('project_archived');
    expect(await linkStatus(goneLink)).toBe(404);
    const listed = await getJson<{ id: string; status: string }[]>(`${second.url}/api/projects`);
    expect(listed.find((p) => p.id === GONE)?.status).toBe('archived');
    // And the QA project is still where it was: its withdrawn link stays neutral.
    expect(await linkStatus(oldQaLink!)).toBe(404);
    expect((await project(second.url, QA)).currentStage).toBe('qa');
    await second.stop();
  }, 240_000);

  it('asks a waiting gate again when a change request is approved, and the same gate task passes it', async () => {
    const projectsDir = join(root, 'projects-change');
    mkdirSync(projectsDir, { recursive: true });
    const ID = 'scenario-change';
    writeSpec(projectsDir, ID, {
      stages: [
        { key: 'initiation', gate: { approvers: ['sponsor', 'approver'], rule: 'all' } },
        { key: 'execution' },
      ],
    });
    const rt = await start({ projectsDir, port: await freePort(), dataDir: join(root, 'data-change') });
    const base = rt.url;
    const requestsTo = async (email: string) => {
      const outbox = await getJson<OutboxEmail[]>(`${base}/api/outbox`);
      return outbox.filter((m) => m.to.includes(email) && m.subject.includes('Approval needed'));
    };
    const pageLinks = (mails: OutboxEmail[]) =>
      mails.flatMap((m) => emailLinks(m)).filter((u) => u.startsWith(`${base}/approve/`) && !u.includes('?'));

    const [approverOld, sponsorOld] = await waitFor('both approvers’ links', async () => {
      const links = [pageLinks(await requestsTo(APPROVER))[0], pageLinks(await requestsTo(SPONSOR))[0]];
      return links.every(Boolean) && links;
    });
    expect((await decide(approverOld!, base, 'approve')).status).toBe(200);

    // The PM raises a budget change; the sponsor approves it while the gate still waits.
    const raised = await getJson<{ id: string }>(`${base}/api/projects/${ID}/change-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-milepost-actor': PM },
      body: JSON.stringify({
        changes: { budget: { hours: 200 } },
        reason: 'More sites',
        impact: 'More effort',
      }),
    });
    const crLink = await waitFor('the change request email', async () => {
      const outbox = await getJson<OutboxEmail[]>(`${base}/api/outbox`);
      return pageLinks(outbox.filter((m) => m.to.includes(SPONSOR) && m.subject.includes(raised.id)))[0];
    });
    expect((await decide(crLink, base, 'approve')).status).toBe(200);

    // A new round with the new charter; the old links are neutral; both approvers are asked again.
    const renewed = await project(base, ID);
    expect(renewed.gates.find((g) => g.stage === 'initiation')).toMatchObject({
      status: 'pending_approval',
      round: 2,
    });
    const resets = (await events(base, ID)).filter((e) => e.type === 'approvals_reset');
    expect(resets.map((e) => e.data)).toEqual([
      expect.objectContaining({ changeId: raised.id, round: 1, approvedBy: [APPROVER] }),
    ]);
    expect(await linkStatus(approverOld!)).toBe(404);
    expect(await linkStatus(sponsorOld!)).toBe(404);
    const approverNew = pageLinks(await requestsTo(APPROVER)).at(-1);
    const sponsorNew = pageLinks(await requestsTo(SPONSOR)).at(-1);
    expect(approverNew).not.toBe(approverOld);
    expect(sponsorNew).not.toBe(sponsorOld);

    // The state machine waited on the same gate task: the new round's approvals pass it.
    expect((await decide(sponsorNew!, base, 'approve')).status).toBe(200);
    expect((await project(base, ID)).currentStage).toBe('initiation');
    expect((await decide(approverNew!, base, 'approve')).status).toBe(200);
    await waitFor(
      'the project to reach execution',
      async () => (await project(base, ID)).currentStage === 'execution',
    );
    await rt.stop();
  }, 240_000);

  it('caps reminders and escalates within 6 hours of project time after timeoutDays (accelerated clock)', async () => {
    const projectsDir = join(root, 'projects-clock');
    mkdirSync(projectsDir, { recursive: true });
    const ID = 'scenario-clock';
    // Reminders every 12 hours, at most one; escalation after 1.1 days (26.4 hours). Without the
    // cap a reminder would follow every 12 hours; at "the next reminder" the escalation would come
    // at 36 hours.
    writeSpec(projectsDir, ID, {
      stages: [
        {
          key: 'initiation',
          gate: {
            approvers: ['approver'],
            rule: 'all',
            remindAfterDays: 0.5,
            maxReminders: 1,
            timeoutDays: 1.1,
            escalateTo: PM,
          },
        },
        { key: 'execution' },
      ],
    });
    // One project hour is half a real second.
    const rt = await start({
      projectsDir,
      port: await freePort(),
      inMemory: true,
      clock: { factor: 7200 },
      schedules: false,
    });
    const requestedAt = await waitFor('the approval request', async () => {
      const p = (await project(rt.url, ID)) as unknown as {
        gates: { stage: string; requestedAt?: string }[];
      };
      return p.gates.find((g) => g.stage === 'initiation')?.requestedAt;
    });
    const requested = Date.parse(requestedAt);
    const HOUR = 3_600_000;
    // Until 60 hours of project time have passed (30 s).
    await waitFor(
      '60 hours of project time',
      () => rt.clock.now().getTime() > requested + 60 * HOUR,
      180_000,
    );

    const log = await events(rt.url, ID);
    const reminded = log.filter((e) => e.type === 'gate_reminded');
    expect(reminded).toHaveLength(1);
    const escalated = log.filter((e) => e.type === 'gate_escalated');
    expect(escalated).toHaveLength(1);
    const late = Date.parse(escalated[0]!.at) - (requested + 1.1 * 24 * HOUR);
    expect(late).toBeGreaterThanOrEqual(-60_000);
    expect(late).toBeLessThanOrEqual(6 * HOUR);
    // The routine 6-hour reopens of the waiting gate leave no trace in the log.
    expect(log.filter((e) => e.type === 'gate_reopened')).toHaveLength(0);
    const outbox = await getJson<OutboxEmail[]>(`${rt.url}/api/outbox`);
    const toApprover = outbox.filter((m) => m.to.includes(APPROVER));
    expect(toApprover).toHaveLength(2); // the request and one reminder
    const escalation = outbox.filter((m) => m.to.includes(PM) && /waited for a decision since/.test(m.text));
    expect(escalation).toHaveLength(1);
    expect(escalation[0]?.text).toMatch(/: 1 day (2|3|4|5|6|7|8) hours\./);
    await rt.stop();
  }, 240_000);
});
