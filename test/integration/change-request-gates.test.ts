import { beforeEach, describe, expect, it } from 'vitest';
import { hashLinkId } from '../../functions/core/approval-links.js';
import type { Entity } from '../../functions/core/model.js';
import type { DocumentRenderer } from '../../functions/core/ports.js';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { progressGate } from '../../functions/core/use-cases/progress-gate.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import { remindGate } from '../../functions/core/use-cases/remind-gate.js';
import type { HttpResponse } from '../../functions/http/exchange.js';
import { apiCall } from '../support/api.js';
import { makeProjectSpec, type TestStore } from '../support/dynamo.js';
import { pdfText, START, type TestDeps } from '../support/fakes.js';
import { getPage, postForm } from './approval-support.js';
import { isGateDecision, useGateMail } from './gate-mail-support.js';

const ID = 'acme-m365';
const PM = 'pm@msp.example';
const SPONSOR = 'sponsor@acme.example';
const APPROVER = 'approver@acme.example';
const TOKEN = 'gate-task-token-AAAAAAAAAAAAAAAAAAAAAAAAAA';

const mail = useGateMail(ID);
const { sent, gateLinks, approvalRequests, decide, gate, events, charter, projectItems, hooked } = mail;
let deps: TestDeps;
let _ts: TestStore;
beforeEach(() => {
  deps = mail.deps;
  _ts = mail.ts;
});

/** The initiation gate asks the sponsor and the approver (`rule`), the charter under approval. */
function twoApprovers(rule: 'all' | 'any'): ProjectSpecInput['stages'] {
  return [
    { key: 'initiation', gate: { approvers: ['sponsor', 'approver'], rule } },
    { key: 'resourcing' },
    { key: 'risk' },
    { key: 'execution' },
    { key: 'qa' },
    { key: 'deployment' },
    { key: 'support' },
  ];
}

/** A registered project in initiation whose gate has approval requests out (round 1). */
async function gateWaiting(rule: 'all' | 'any' = 'all'): Promise<void> {
  const spec = makeProjectSpec({ id: ID, stages: twoApprovers(rule) });
  await registerProject(deps, { file: `${ID}.yaml`, spec, stages: resolveStages(spec) }, { start: false });
  await enterStage(deps, { projectId: ID, stage: 'initiation', executionStartedAt: START });
  await openGate(deps, { projectId: ID, stage: 'initiation', taskToken: TOKEN });
}

const api = (method: string, path: string, body?: unknown): Promise<HttpResponse> =>
  apiCall(deps, method, path, { body, actor: PM });

/** Raises a budget change and returns the sponsor's link to decide it. */
async function raiseBudget(amount: number): Promise<string> {
  const res = await api('POST', `/api/projects/${ID}/change-requests`, {
    changes: { budget: { amount } },
    reason: 'A second site joined',
    impact: 'More effort',
  });
  expect(res.status).toBe(201);
  const { id } = JSON.parse(res.body) as { id: string };
  const mail = (await sent()).filter((m) => m.to.includes(SPONSOR) && m.subject.includes(`${id} `)).at(-1);
  const linkId = mail?.text.match(/\/approve\/([A-Za-z0-9_-]{43})/)?.[1];
  if (!linkId) throw new Error(`no link for ${id}`);
  return linkId;
}

const isChangeApproval = (changes: Entity[]) =>
  changes.some((c) => c.entity === 'change_request' && c.status === 'approved');

describe('a change request approved while the gate waits on approvers', () => {
  it('generates the document again, spends the old links, resets the decisions and asks again', async () => {
    await gateWaiting('all');
    const [approverOld] = await gateLinks(APPROVER);
    const [sponsorOld] = await gateLinks(SPONSOR);
    expect((await charter()).docVersion).toBe(1);
    expect((await gate()).documentVersion).toBe(1);
    // The approver approves the charter as it is (baseline 1); the sponsor has not decided yet.
    expect((await decide(approverOld!, 'approve')).status).toBe(200);
    expect((await gate()).approvers.find((a) => a.email === APPROVER)?.decision).toBe('approve');

    const crLink = await raiseBudget(20350);
    const before = (await approvalRequests()).length;
    const res = await decide(crLink, 'approve');
    expect(res.status).toBe(200);
    expect(res.body).toContain('your approval is recorded');

    // The charter says the new budget, as a new version, and that version is under approval.
    const doc = await charter();
    expect(doc.docVersion).toBe(2);
    const bytes = await deps.documents.get(doc.key, doc.storageVersion);
    expect(pdfText(bytes!)).toContain('20,350');
    const g = await gate();
    expect(g).toMatchObject({ status: 'pending_approval', round: 2, documentVersion: 2, taskToken: TOKEN });
    expect(g.rebaselined).toBeUndefined();
    // The approval given on the old baseline no longer counts.
    expect(g.approvers.every((a) => a.decision === undefined)).toBe(true);

    const [reset] = await events('approvals_reset');
    expect(reset).toMatchObject({ stage: 'initiation', actor: 'system' });
    expect(reset?.data).toEqual({
      changeId: 'cr-1',
      baseline: 2,
      round: 1,
      approvedBy: [APPROVER],
      rejectedBy: [],
      documentVersion: 1,
    });
    expect(reset?.summary).toContain('change request cr-1');
    expect(reset?.summary).toContain('approved by Jenny Price');
    const requested = await events('approval_requested');
    expect(requested.at(-1)?.data).toMatchObject({ round: 2, documentVersion: 2 });

    // New requests, one per approver, with new links, the new version and why.
    const fresh = (await approvalRequests()).slice(before);
    expect(fresh.map((m) => m.to).sort()).toEqual([[APPROVER], [SPONSOR]]);
    for (const mail of fresh) {
      expect(mail.text).toContain('Why you are asked again');
      expect(mail.text).toContain('Change request cr-1');
      expect(mail.text).toContain('Budget (money): 18500 → 20350');
      expect(mail.text).toContain('v2');
    }
    const [approverNew] = (await gateLinks(APPROVER)).slice(-1);
    const [sponsorNew] = (await gateLinks(SPONSOR)).slice(-1);
    expect(approverNew).not.toBe(approverOld);

    // The old links: the neutral page, and a post changes nothing.
    const neutral = (await getPage(deps, 'A'.repeat(43))).body;
    const unchanged = await projectItems();
    for (const old of [approverOld!, sponsorOld!]) {
      const page = await getPage(deps, old);
      expect(page.status).toBe(404);
      expect(page.body).toBe(neutral);
      const post = await postForm(deps, old, { decision: 'approve', comment: '', csrf: 'x' });
      expect(post.status).toBe(404);
      expect(post.body).toBe(neutral);
    }
    expect(await projectItems()).toEqual(unchanged);
    // The state machine keeps waiting on the same task: nothing was sent to it.
    expect(deps.workflow.successes).toEqual([]);
    expect(deps.workflow.failures).toEqual([]);

    // The sponsor's approval alone does not pass the gate (the approver's old one is gone)...
    expect((await decide(sponsorNew!, 'approve')).status).toBe(200);
    expect((await gate()).status).toBe('pending_approval');
    expect(deps.workflow.successes).toEqual([]);
    // ...the approver's new one does, on round 2, to the same task.
    expect((await decide(approverNew!, 'approve')).status).toBe(200);
    expect(deps.workflow.successes).toEqual([
      { taskToken: TOKEN, output: { stage: 'initiation', round: 2, decision: 'approved' } },
    ]);
  });

  it('resets a rejection given on the old baseline too', async () => {
    await gateWaiting('any');
    const [approverOld] = await gateLinks(APPROVER);
    expect((await decide(approverOld!, 'reject')).status).toBe(200);
    expect((await gate()).status).toBe('pending_approval');

    await decide(await raiseBudget(20350), 'approve');

    const g = await gate();
    expect(g).toMatchObject({ round: 2, status: 'pending_approval' });
    expect(g.approvers.every((a) => a.decision === undefined && a.comment === undefined)).toBe(true);
    expect((await events('approvals_reset'))[0]?.data).toMatchObject({
      approvedBy: [],
      rejectedBy: [APPROVER],
    });
    expect((await getPage(deps, approverOld!)).status).toBe(404);
  });

  it('withdraws the round when the change adds work the stage has not done', async () => {
    // A project whose first stage is execution: its tasks done, the PM submitted it.
    const spec = makeProjectSpec({
      id: ID,
      deliverables: [
        { id: 'tenant', name: 'Configured tenant', stage: 'execution', acceptance: 'CIS baseline applied' },
      ],
      stages: [
        { key: 'execution', gate: { approvers: ['sponsor', 'approver'], rule: 'all' } },
        { key: 'support' },
      ],
    });
    await registerProject(deps, { file: `${ID}.yaml`, spec, stages: resolveStages(spec) }, { start: false });
    await enterStage(deps, { projectId: ID, stage: 'execution', executionStartedAt: START });
    await openGate(deps, { projectId: ID, stage: 'execution', taskToken: TOKEN });
    for (const t of await deps.store.list(ID, 'task')) {
      const put = await api('PUT', `/api/projects/${ID}/tasks/${t.id}`, {
        status: 'done',
        version: t.version,
      });
      expect(put.status).toBe(200);
    }
    expect((await api('POST', `/api/projects/${ID}/stages/execution/submit`)).status).toBe(200);
    const [approverOld] = await gateLinks(APPROVER);
    expect(approverOld).toBeDefined();
    const before = (await approvalRequests()).length;

    // A new deliverable of the stage: a todo task, so its exit criteria no longer hold.
    const res = await api('POST', `/api/projects/${ID}/change-requests`, {
      changes: {
        deliverables: [
          ...spec.deliverables,
          { id: 'site-b', name: 'Site B network', stage: 'execution', acceptance: 'Ping test' },
        ],
      },
      reason: 'A second site joined',
      impact: 'Two days',
    });
    expect(res.status).toBe(201);
    const mail = (await sent()).filter((m) => m.subject.includes('cr-1 ')).at(-1);
    const crLink = mail?.text.match(/\/approve\/([A-Za-z0-9_-]{43})/)?.[1];
    expect((await decide(crLink!, 'approve')).status).toBe(200);

    const g = await deps.store.get(ID, 'gate', 'execution');
    expect(g).toMatchObject({ status: 'waiting', awaitingResubmission: true, round: 1, taskToken: TOKEN });
    expect(g?.rebaselined).toBeUndefined();
    expect((await events('approvals_reset'))[0]?.data).toMatchObject({ changeId: 'cr-1', round: 1 });
    expect((await events('approvals_withdrawn'))[0]?.data).toMatchObject({
      round: 1,
      unmet: [expect.stringContaining('Site B network')],
    });
    expect((await approvalRequests()).length).toBe(before);
    expect((await getPage(deps, approverOld!)).status).toBe(404);
    expect(deps.workflow.successes).toEqual([]);
  });
});

describe('the largest change request while a gate waits', () => {
  it('fits its approval, the gate included, in one transaction of 100 items, and refuses one more record', async () => {
    await gateWaiting('all');
    const deliverables = (n: number) => ({
      changes: {
        deliverables: Array.from({ length: n }, (_, i) => ({
          id: `site-${i}`,
          name: `Site ${i}`,
          stage: 'execution',
          acceptance: 'Ping test',
        })),
      },
      reason: 'Every branch joins',
      impact: 'Much more effort',
    });
    // n new deliverables and the two of the spec waived: n + 2 records, and each new one brings
    // the check of its id's removal marker: 2n + 2 items of the 95.
    const tooMany = await api('POST', `/api/projects/${ID}/change-requests`, deliverables(47));
    expect(tooMany.status).toBe(400);
    expect(JSON.parse(tooMany.body).issues[0].message).toContain(
      'changes 49 stage and task records (47 of them new deliverables, which count twice)',
    );
    const res = await api('POST', `/api/projects/${ID}/change-requests`, deliverables(46));
    expect(res.status).toBe(201);
    const { id } = JSON.parse(res.body) as { id: string };
    const mail = (await sent()).filter((m) => m.to.includes(SPONSOR) && m.subject.includes(`${id} `)).at(-1);
    const crLink = mail?.text.match(/\/approve\/([A-Za-z0-9_-]{43})/)?.[1];

    expect((await decide(crLink!, 'approve')).status).toBe(200);

    expect((await deps.store.getProject(ID))?.baseline).toBe(2);
    expect(await deps.store.get(ID, 'task', 'site-45')).toMatchObject({ status: 'todo' });
    expect(await gate()).toMatchObject({ round: 2, status: 'pending_approval' });
    expect(await events('approvals_reset')).toHaveLength(1);
  });
});

describe('a change request approved while no gate waits on approvers', () => {
  it('leaves a decided gate, its document and its links alone', async () => {
    await gateWaiting('all');
    for (const to of [SPONSOR, APPROVER]) {
      const [link] = await gateLinks(to);
      expect((await decide(link!, 'approve')).status).toBe(200);
    }
    expect((await gate()).status).toBe('approved');
    const gateBefore = await gate();
    const before = (await approvalRequests()).length;

    await decide(await raiseBudget(20350), 'approve');

    expect((await deps.store.getProject(ID))?.baseline).toBe(2);
    expect(await gate()).toEqual(gateBefore);
    expect((await charter()).docVersion).toBe(1);
    expect(await events('approvals_reset')).toEqual([]);
    expect((await approvalRequests()).length).toBe(before);
    // The decided links still say who decided.
    expect((await getPage(deps, (await gateLinks(SPONSOR))[0]!)).body).toContain('Already decided');
  });

  it('changes no gate before the gate opens', async () => {
    const spec = makeProjectSpec({ id: ID, stages: twoApprovers('all') });
    await registerProject(deps, { file: `${ID}.yaml`, spec, stages: resolveStages(spec) }, { start: false });
    await enterStage(deps, { projectId: ID, stage: 'initiation', executionStartedAt: START });

    await decide(await raiseBudget(20350), 'approve');

    expect((await deps.store.getProject(ID))?.baseline).toBe(2);
    expect(await deps.store.get(ID, 'gate', 'initiation')).toBeUndefined();
    expect(await events('approvals_reset')).toEqual([]);
    // When it opens, it asks on the new baseline at once.
    await openGate(deps, { projectId: ID, stage: 'initiation', taskToken: TOKEN });
    expect((await gate()).round).toBe(1);
    const doc = await charter();
    expect(pdfText((await deps.documents.get(doc.key, doc.storageVersion))!)).toContain('20,350');
  });
});

describe('an approval click racing the change request', () => {
  it('a click committed just before the change request: the change reads again and resets it, saying so', async () => {
    await gateWaiting('all');
    const [approverLink] = await gateLinks(APPROVER);
    const crLink = await raiseBudget(20350);
    let click: HttpResponse | undefined;
    // The click commits after the change request read the gate, before its commit.
    const racing = hooked(isChangeApproval, 'before', async () => {
      click = await decide(approverLink!, 'approve');
    });

    const res = await decide(crLink, 'approve', racing);

    expect(res.status).toBe(200);
    expect(click?.status).toBe(200);
    expect(click?.body).toContain('your approval is recorded');
    expect((await deps.store.getProject(ID))?.baseline).toBe(2);
    expect(await events('change_approved')).toHaveLength(1);
    const g = await gate();
    expect(g).toMatchObject({ round: 2, status: 'pending_approval' });
    expect(g.approvers.every((a) => a.decision === undefined)).toBe(true);
    const resets = await events('approvals_reset');
    expect(resets).toHaveLength(1);
    expect(resets[0]?.data).toMatchObject({ approvedBy: [APPROVER], round: 1 });
    expect((await getPage(deps, approverLink!)).status).toBe(404);
  });

  it('a click between the change request commit and the renewal: neutral page, asked again once', async () => {
    await gateWaiting('all');
    const [approverLink] = await gateLinks(APPROVER);
    const crLink = await raiseBudget(20350);
    const before = (await approvalRequests()).length;
    let click: HttpResponse | undefined;
    const racing = hooked(isChangeApproval, 'after', async () => {
      // The gate is marked now and the renewal has not run: the click decides nothing.
      expect((await gate()).rebaselined).toMatchObject({ changeId: 'cr-1', baseline: 2 });
      click = await decide(approverLink!, 'approve');
    });

    expect((await decide(crLink, 'approve', racing)).status).toBe(200);

    expect(click?.status).toBe(404);
    expect((await deps.store.getLink(hashLinkId(approverLink!)))?.status).toBe('pending');
    const g = await gate();
    expect(g).toMatchObject({ round: 2, status: 'pending_approval' });
    expect(g.approvers.every((a) => a.decision === undefined)).toBe(true);
    // One reset, that names no decision, and one new request per approver.
    const resets = await events('approvals_reset');
    expect(resets).toHaveLength(1);
    expect(resets[0]?.data).toMatchObject({ approvedBy: [], rejectedBy: [] });
    expect((await approvalRequests()).length - before).toBe(2);
    expect(await events('approval_decided')).toEqual([]);
  });

  it('a click read before the change request and committed after it: conflicts, reads again, neutral page', async () => {
    await gateWaiting('all');
    const [approverLink] = await gateLinks(APPROVER);
    const crLink = await raiseBudget(20350);
    // The change request is approved (and the gate asked again) while the click is in flight.
    const racing = hooked(isGateDecision, 'before', async () => {
      expect((await decide(crLink, 'approve')).status).toBe(200);
    });

    const click = await decide(approverLink!, 'approve', racing);

    expect(click.status).toBe(404);
    const g = await gate();
    expect(g).toMatchObject({ round: 2, status: 'pending_approval' });
    expect(g.approvers.every((a) => a.decision === undefined)).toBe(true);
    expect(await events('approval_decided')).toEqual([]);
    expect((await events('approvals_reset'))[0]?.data).toMatchObject({ approvedBy: [] });
    expect(deps.workflow.successes).toEqual([]);
  });
});

describe('a renewal that could not run after the decision', () => {
  /** A renderer that fails while `failing` is set (the documents function unreachable). */
  function failingRenderer(real: DocumentRenderer, failing: { on: boolean }): DocumentRenderer {
    return {
      render: async (doc) => {
        if (failing.on) throw new Error('documents function unreachable');
        return real.render(doc);
      },
    };
  }

  it('keeps the change, leaves the round undecidable, and the next gate check asks again', async () => {
    await gateWaiting('all');
    const [approverLink] = await gateLinks(APPROVER);
    const crLink = await raiseBudget(20350);
    const failing = { on: true };
    const broken = { ...deps, renderer: failingRenderer(deps.renderer, failing) };

    const res = await decide(crLink, 'approve', broken);
    expect(res.status).toBe(200);
    expect((await deps.store.getProject(ID))?.baseline).toBe(2);
    expect((await gate()).rebaselined).toMatchObject({ changeId: 'cr-1' });
    expect((await gate()).round).toBe(1);
    // Meanwhile the round's links decide nothing, and the reminder step sends none of them.
    expect((await getPage(deps, approverLink!)).status).toBe(404);
    expect((await getPage(deps, (await gateLinks(SPONSOR))[0]!)).status).toBe(404);
    expect((await postForm(broken, approverLink!, { decision: 'approve', csrf: 'x' })).status).toBe(404);
    const before = (await sent()).length;
    deps.clock.set('2026-12-20T09:00:00.000Z');
    await remindGate(broken, { projectId: ID, stage: 'initiation', executionStartedAt: START });
    expect((await sent()).length).toBe(before);
    expect((await gate()).rebaselined).toBeDefined();

    failing.on = false;
    const result = await progressGate(deps, ID, 'initiation', 'system');
    expect(result.action).toBe('requested');
    expect(await gate()).toMatchObject({ round: 2, status: 'pending_approval', documentVersion: 2 });
    expect(await events('approvals_reset')).toHaveLength(1);
    // Idempotent: another check asks nothing again.
    expect((await progressGate(deps, ID, 'initiation', 'system')).action).toBe('none');
    expect(await events('approvals_reset')).toHaveLength(1);
  });

  it('two change requests approved before the round is asked again: the request names both', async () => {
    await gateWaiting('all');
    const failing = { on: true };
    const broken = { ...deps, renderer: failingRenderer(deps.renderer, failing) };
    await decide(await raiseBudget(20350), 'approve', broken);
    await decide(await raiseBudget(21000), 'approve', broken);
    expect((await gate()).rebaselined).toMatchObject({ changeId: 'cr-2', baseline: 3, earlier: ['cr-1'] });
    const before = (await approvalRequests()).length;

    failing.on = false;
    expect((await progressGate(deps, ID, 'initiation', 'system')).action).toBe('requested');

    const [reset] = await events('approvals_reset');
    expect(reset?.data).toMatchObject({ changeId: 'cr-2', earlierChangeIds: ['cr-1'], baseline: 3 });
    expect(reset?.summary).toContain('change requests cr-1, cr-2');
    const fresh = (await approvalRequests()).slice(before);
    expect(fresh).toHaveLength(2);
    for (const mail of fresh) {
      expect(mail.text).toContain(
        'Change requests cr-1 and cr-2 changed the project baseline (now baseline 3)',
      );
      expect(mail.text).toContain('cr-1: Budget (money): 18500 → 20350');
      expect(mail.text).toContain('cr-2: Budget (money): 20350 → 21000');
    }
    expect((await gate()).rebaselined).toBeUndefined();
  });

  it('a click on a link of the marked round asks again, and decides nothing', async () => {
    await gateWaiting('all');
    const [approverLink] = await gateLinks(APPROVER);
    const crLink = await raiseBudget(20350);
    const failing = { on: true };
    await decide(crLink, 'approve', { ...deps, renderer: failingRenderer(deps.renderer, failing) });
    expect((await gate()).rebaselined).toBeDefined();
    const before = (await approvalRequests()).length;

    failing.on = false;
    const click = await postForm(deps, approverLink!, { decision: 'approve', csrf: 'x' });

    expect(click.status).toBe(404);
    expect(await gate()).toMatchObject({ round: 2, status: 'pending_approval', documentVersion: 2 });
    expect((await approvalRequests()).length - before).toBe(2);
    expect(await events('approval_decided')).toEqual([]);
  });

  it('the reminder step asks again instead of reminding with the old links', async () => {
    await gateWaiting('all');
    const crLink = await raiseBudget(20350);
    const failing = { on: true };
    await decide(crLink, 'approve', { ...deps, renderer: failingRenderer(deps.renderer, failing) });
    expect((await gate()).rebaselined).toBeDefined();
    const before = (await approvalRequests()).length;

    await remindGate(deps, { projectId: ID, stage: 'initiation', executionStartedAt: START });

    expect(await gate()).toMatchObject({ round: 2, status: 'pending_approval', reminders: 0 });
    // The timeout is marked handled, so the gate task's routine reopen logs nothing either.
    expect((await gate()).remindedFor).toBeDefined();
    const fresh = (await approvalRequests()).slice(before);
    expect(fresh).toHaveLength(2);
    expect(fresh.every((m) => !m.subject.includes('Reminder'))).toBe(true);
    expect(await events('gate_reminded')).toEqual([]);
  });
});
