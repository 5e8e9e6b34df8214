import { beforeEach, describe, expect, it } from 'vitest';
import { hashLinkId } from '../../functions/core/approval-links.js';
import type { Entity } from '../../functions/core/model.js';
import type { Deps, DocumentRenderer } from '../../functions/core/ports.js';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { progressGate } from '../../functions/core/use-cases/progress-gate.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import { handleRegister } from '../../functions/handlers/register.js';
import { handleHttp } from '../../functions/http/app.js';
import type { HttpResponse } from '../../functions/http/exchange.js';
import { makeProjectSpec, type TestStore } from '../support/dynamo.js';
import { pdfText, START, type TestDeps } from '../support/fakes.js';
import { getPage, postForm } from './approval-support.js';
import { isGateDecision, useGateMail } from './gate-mail-support.js';

const ID = 'acme-m365';
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

const STAGES: ProjectSpecInput['stages'] = [
  { key: 'initiation', gate: { approvers: ['sponsor', 'approver'], rule: 'all' } },
  { key: 'resourcing' },
  { key: 'risk' },
  { key: 'execution' },
  { key: 'qa' },
  { key: 'deployment' },
  { key: 'support' },
];

/** The spec with `overrides`, as the spec file would say. */
const specWith = (overrides: Partial<ProjectSpecInput> = {}) =>
  makeProjectSpec({ id: ID, stages: STAGES, ...overrides });

/** Deploys `overrides` on the spec as a deploy does (`renew`: ask a stale round again right after). */
async function deploy(overrides: Partial<ProjectSpecInput>, on: Deps = deps, renew = true) {
  const spec = specWith(overrides);
  return registerProject(
    on,
    { file: `${ID}.yaml`, spec, stages: resolveStages(spec) },
    { start: false, renewStaleRound: renew },
  );
}

/** A registered project in initiation whose gate has approval requests out (round 1, charter v1). */
async function gateWaiting(): Promise<void> {
  await deploy({});
  await enterStage(deps, { projectId: ID, stage: 'initiation', executionStartedAt: START });
  await openGate(deps, { projectId: ID, stage: 'initiation', taskToken: TOKEN });
}

/** The deploy's commit of the new spec (the project record with a budget other than 18500). */
const isSpecCommit = (changes: Entity[]) =>
  changes.some((c) => c.entity === 'project' && c.spec.budget.amount !== 18500);

const BUDGET = { currency: 'GBP', amount: 20350, hours: 160 };

describe('a spec edit deployed while the gate waits on approvers', () => {
  it('changes the charter: old links neutral, decisions reset, a new round on a new charter version, told why', async () => {
    await gateWaiting();
    const [approverOld] = await gateLinks(APPROVER);
    const [sponsorOld] = await gateLinks(SPONSOR);
    expect((await charter()).docVersion).toBe(1);
    expect((await decide(approverOld!, 'approve')).status).toBe(200);
    const before = (await approvalRequests()).length;

    await deploy({ budget: BUDGET, objectives: ['Move mail to Microsoft 365', 'Retire the old server'] });

    // The charter says the new budget, as a new version, and that version is under approval.
    const doc = await charter();
    expect(doc.docVersion).toBe(2);
    expect(pdfText((await deps.documents.get(doc.key, doc.storageVersion))!)).toContain('20,350');
    const g = await gate();
    expect(g).toMatchObject({ status: 'pending_approval', round: 2, documentVersion: 2, taskToken: TOKEN });
    expect(g.rebaselined).toBeUndefined();
    expect(g.approvers.every((a) => a.decision === undefined)).toBe(true);

    const [updated] = await events('spec_updated');
    expect(updated?.data).toMatchObject({
      staleApprovals: { stage: 'initiation', round: 1, fields: ['budget.amount', 'objectives'] },
    });
    const resets = await events('approvals_reset');
    expect(resets).toHaveLength(1);
    expect(resets[0]).toMatchObject({ stage: 'initiation', actor: 'system' });
    expect(resets[0]?.data).toEqual({
      reason: 'spec',
      baseline: 2,
      specFields: ['budget.amount', 'objectives'],
      specChanges: [{ field: 'budget.amount', old: 18500, new: 20350 }],
      round: 1,
      approvedBy: [APPROVER],
      rejectedBy: [],
      documentVersion: 1,
    });
    expect(resets[0]?.summary).toContain(
      'a deployed spec edit changed the project charter (Budget (money), Objectives)',
    );
    expect(resets[0]?.summary).toContain('approved by Jenny Price');
    expect((await events('approval_requested')).at(-1)?.data).toMatchObject({ round: 2, documentVersion: 2 });

    // One new request per approver, with a new link, the new version and why.
    const fresh = (await approvalRequests()).slice(before);
    expect(fresh.map((m) => m.to).sort()).toEqual([[APPROVER], [SPONSOR]]);
    for (const mail of fresh) {
      const why = mail.text.indexOf('Why you are asked again');
      expect(why).toBeGreaterThan(-1);
      expect(mail.text).toContain("The project's specification was changed after approval of");
      expect(mail.text).toContain('Budget (money): 18500 → 20350');
      expect(mail.text).toContain('Objectives: changed');
      expect(mail.text).toContain('The earlier approval link no longer works');
      expect(mail.text).toContain('v2');
    }
    // Nothing internal: only the fields the charter shows are named.
    expect(fresh.every((m) => !m.text.includes('rate'))).toBe(true);

    // The old links: the neutral page, and a post changes nothing.
    const neutral = (await getPage(deps, 'A'.repeat(43))).body;
    const unchanged = await projectItems();
    for (const old of [approverOld!, sponsorOld!]) {
      const page = await getPage(deps, old);
      expect(page.status).toBe(404);
      expect(page.body).toBe(neutral);
      expect((await postForm(deps, old, { decision: 'approve', comment: '', csrf: 'x' })).status).toBe(404);
    }
    expect(await projectItems()).toEqual(unchanged);
    expect(deps.workflow.successes).toEqual([]);

    // The new round passes the gate, on the same task.
    for (const to of [SPONSOR, APPROVER]) {
      expect((await decide((await gateLinks(to)).at(-1)!, 'approve')).status).toBe(200);
    }
    expect(deps.workflow.successes).toEqual([
      { taskToken: TOKEN, output: { stage: 'initiation', round: 2, decision: 'approved' } },
    ]);
  });

  it('an edit the charter does not show asks nobody again; the next one names only what the charter shows', async () => {
    await gateWaiting();
    const [approverLink] = await gateLinks(APPROVER);
    expect((await decide(approverLink!, 'approve')).status).toBe(200);
    const before = (await sent()).length;

    // Budget alert thresholds, required skills and the gate's reminder: none is in the charter.
    const quiet = {
      budget: { ...BUDGET, amount: 18500, thresholds: [80, 100] },
      requiredSkills: ['exchange', 'intune'],
      stages: [
        {
          key: 'initiation',
          gate: { approvers: ['sponsor', 'approver'], rule: 'all' as const, remindAfterDays: 2 },
        },
        ...STAGES!.slice(1),
      ],
    };
    expect((await deploy(quiet)).updated).toBe(true);

    const g = await gate();
    expect(g).toMatchObject({ round: 1, status: 'pending_approval', documentVersion: 1 });
    expect(g.rebaselined).toBeUndefined();
    expect(g.approvers.find((a) => a.email === APPROVER)?.decision).toBe('approve');
    expect((await charter()).docVersion).toBe(1);
    expect(await events('approvals_reset')).toEqual([]);
    expect((await sent()).length).toBe(before);

    // The budget too now: only the budget is named (the thresholds changed again, unseen).
    await deploy({ ...quiet, budget: { ...BUDGET, thresholds: [90] } });
    const [reset] = await events('approvals_reset');
    expect(reset?.data).toMatchObject({
      reason: 'spec',
      specFields: ['budget.amount'],
      approvedBy: [APPROVER],
    });
    expect(await gate()).toMatchObject({ round: 2, documentVersion: 2 });
  });

  it('leaves the gate alone once the new round decided it', async () => {
    await gateWaiting();
    await deploy({ budget: BUDGET });
    expect((await gate()).round).toBe(2);
    for (const to of [SPONSOR, APPROVER]) {
      expect((await decide((await gateLinks(to)).at(-1)!, 'approve')).status).toBe(200);
    }
    const decided = await gate();
    expect(decided.status).toBe('approved');
    const before = (await sent()).length;

    await deploy({ budget: { ...BUDGET, amount: 21000 } });

    expect(await gate()).toEqual(decided);
    expect((await charter()).docVersion).toBe(2);
    expect(await events('approvals_reset')).toHaveLength(1);
    expect((await sent()).length).toBe(before);
  });

  it('through the register handler (as the deploy calls it), asks again right away', async () => {
    await gateWaiting();
    const spec = specWith({ budget: BUDGET });
    await handleRegister(deps, {
      RequestType: 'Update',
      ResourceProperties: { spec: JSON.stringify(spec) },
    });
    expect(await gate()).toMatchObject({ round: 2, documentVersion: 2 });
    expect((await events('approvals_reset'))[0]?.data).toMatchObject({ reason: 'spec' });
  });
});

describe('a spec edit with other changes to the round', () => {
  it('changes the approvers too: the new round asks whom the spec names now, on the new charter', async () => {
    await gateWaiting();
    const before = (await approvalRequests()).length;

    await deploy({
      budget: BUDGET,
      stages: [{ key: 'initiation', gate: { approvers: ['sponsor'], rule: 'all' } }, ...STAGES!.slice(1)],
    });

    const g = await gate();
    expect(g).toMatchObject({ round: 2, documentVersion: 2, rule: 'all' });
    expect(g.approvers.map((a) => a.email)).toEqual([SPONSOR]);
    const fresh = (await approvalRequests()).slice(before);
    expect(fresh.map((m) => m.to)).toEqual([[SPONSOR]]);
    expect(fresh[0]?.text).toContain('Budget (money): 18500 → 20350');
    expect(await events('approvals_reset')).toHaveLength(1);
  });

  it('a change request approved before the round is asked again: the new request names both', async () => {
    await gateWaiting();
    // The deploy marks the round but does not ask again (the documents function was unreachable).
    await deploy({ objectives: ['Move mail to Microsoft 365', 'Retire the old server'] }, deps, false);
    expect((await gate()).rebaselined).toMatchObject({ reason: 'spec', spec: { fields: ['objectives'] } });
    const raised = await handleHttp(deps, {
      method: 'POST',
      path: `/api/projects/${ID}/change-requests`,
      query: {},
      headers: { 'content-type': 'application/json', 'x-milepost-actor': 'pm@msp.example' },
      body: JSON.stringify({
        changes: { budget: { amount: 20350 } },
        reason: 'A second site',
        impact: 'More',
      }),
      caller: 'local',
    });
    expect(raised.status).toBe(201);
    const crMail = (await sent()).filter((m) => m.to.includes(SPONSOR) && m.subject.includes('cr-1 ')).at(-1);
    const crLink = crMail?.text.match(/\/approve\/([A-Za-z0-9_-]{43})/)?.[1];
    const before = (await approvalRequests()).length;

    // Approving it asks the round again right after: for the spec edit and the change request.
    expect((await decide(crLink!, 'approve')).status).toBe(200);

    expect(await gate()).toMatchObject({ round: 2, documentVersion: 2 });
    const [reset] = await events('approvals_reset');
    expect(reset?.data).toMatchObject({ reason: 'spec', changeId: 'cr-1', specFields: ['objectives'] });
    expect(reset?.summary).toContain('change request cr-1 re-baselined the project');
    expect(reset?.summary).toContain('a deployed spec edit changed the project charter (Objectives)');
    const fresh = (await approvalRequests()).slice(before);
    expect(fresh).toHaveLength(2);
    for (const mail of fresh) {
      expect(mail.text).toContain('Change request cr-1 changed the project baseline');
      expect(mail.text).toContain('Budget (money): 18500 → 20350');
      expect(mail.text).toContain("The project's specification was changed");
      expect(mail.text).toContain('Objectives: changed');
    }
  });
});

describe('a spec edit at the risk stage', () => {
  it('a risk added in the spec changes the plan under approval: asked again on the new plan version', async () => {
    const stages: ProjectSpecInput['stages'] = [
      { key: 'risk', gate: { approvers: ['sponsor', 'approver'], rule: 'all' } },
      { key: 'support' },
    ];
    const base = makeProjectSpec({ id: ID, stages });
    await registerProject(
      deps,
      { file: `${ID}.yaml`, spec: base, stages: resolveStages(base) },
      { start: false },
    );
    await enterStage(deps, { projectId: ID, stage: 'risk', executionStartedAt: START });
    await openGate(deps, { projectId: ID, stage: 'risk', taskToken: TOKEN });
    const riskGate = async () => (await deps.store.get(ID, 'gate', 'risk'))!;
    expect(await riskGate()).toMatchObject({ status: 'pending_approval', round: 1, documentVersion: 1 });
    const [approverOld] = await gateLinks(APPROVER);
    const before = (await approvalRequests()).length;

    const spec = makeProjectSpec({
      id: ID,
      stages,
      risks: [...base.risks, { id: 'licences', title: 'Licence delivery late', likelihood: 1, impact: 2 }],
    });
    await registerProject(
      deps,
      { file: `${ID}.yaml`, spec, stages: resolveStages(spec) },
      { start: false, renewStaleRound: true },
    );

    const plan = (await deps.store.get(ID, 'document', 'plan'))!;
    expect(plan.docVersion).toBe(2);
    expect(pdfText((await deps.documents.get(plan.key, plan.storageVersion))!)).toContain(
      'Licence delivery late',
    );
    expect(await riskGate()).toMatchObject({ status: 'pending_approval', round: 2, documentVersion: 2 });
    expect((await events('approvals_reset'))[0]?.data).toMatchObject({
      reason: 'spec',
      specFields: ['risks'],
    });
    const fresh = (await approvalRequests()).slice(before);
    expect(fresh).toHaveLength(2);
    for (const mail of fresh) {
      expect(mail.text).toContain('the project plan document now says something else');
      expect(mail.text).toContain('Risks: changed');
    }
    expect((await getPage(deps, approverOld!)).status).toBe(404);
  });
});

describe('a stale round the deploy could not ask again', () => {
  function failingRenderer(real: DocumentRenderer, failing: { on: boolean }): DocumentRenderer {
    return {
      render: async (doc) => {
        if (failing.on) throw new Error('documents function unreachable');
        return real.render(doc);
      },
    };
  }

  it('keeps the spec, leaves the round undecidable, and the next gate check asks again', async () => {
    await gateWaiting();
    const [approverLink] = await gateLinks(APPROVER);
    const failing = { on: true };
    const broken = { ...deps, renderer: failingRenderer(deps.renderer, failing) };

    await deploy({ budget: BUDGET }, broken);

    expect((await deps.store.getProject(ID))?.spec.budget.amount).toBe(20350);
    expect((await gate()).rebaselined).toMatchObject({
      reason: 'spec',
      spec: { fields: ['budget.amount'] },
    });
    expect((await gate()).round).toBe(1);
    expect((await getPage(deps, approverLink!)).status).toBe(404);

    failing.on = false;
    expect((await progressGate(deps, ID, 'initiation', 'system')).action).toBe('requested');
    expect(await gate()).toMatchObject({ round: 2, documentVersion: 2 });
    expect((await progressGate(deps, ID, 'initiation', 'system')).action).toBe('none');
    expect(await events('approvals_reset')).toHaveLength(1);
  });

  it('two deploys before the round is asked again: the request gives the first old and the latest new value', async () => {
    await gateWaiting();
    await deploy({ budget: BUDGET }, deps, false);
    const marked = await gate();
    expect(marked.rebaselined).toMatchObject({ reason: 'spec' });
    // Another deploy before the round is asked again: the edits merge (first old, latest new).
    await deploy({ budget: { ...BUDGET, amount: 21000 } }, deps, false);
    expect((await gate()).rebaselined?.spec).toEqual({
      fields: ['budget.amount'],
      changes: [{ field: 'budget.amount', old: 18500, new: 21000 }],
    });
    const before = (await approvalRequests()).length;

    expect((await progressGate(deps, ID, 'initiation', 'system')).action).toBe('requested');
    const fresh = (await approvalRequests()).slice(before);
    expect(fresh).toHaveLength(2);
    for (const mail of fresh) expect(mail.text).toContain('Budget (money): 18500 → 21000');
  });
});

describe('an approval click racing the deploy', () => {
  it('a click committed just before the deploy: the deploy conflicts, reads again and the reset names it', async () => {
    await gateWaiting();
    const [approverLink] = await gateLinks(APPROVER);
    let click: HttpResponse | undefined;
    const racing = hooked(isSpecCommit, 'before', async () => {
      click = await decide(approverLink!, 'approve');
    });

    await deploy({ budget: BUDGET }, racing);

    expect(click?.status).toBe(200);
    expect(click?.body).toContain('your approval is recorded');
    expect(await events('spec_updated')).toHaveLength(1);
    expect(await events('approval_decided')).toHaveLength(1);
    const resets = await events('approvals_reset');
    expect(resets).toHaveLength(1);
    expect(resets[0]?.data).toMatchObject({ reason: 'spec', approvedBy: [APPROVER], round: 1 });
    const g = await gate();
    expect(g).toMatchObject({ round: 2, status: 'pending_approval', documentVersion: 2 });
    expect(g.approvers.every((a) => a.decision === undefined)).toBe(true);
    expect((await getPage(deps, approverLink!)).status).toBe(404);
  });

  it('a click between the deploy commit and the renewal: the neutral page, nothing recorded', async () => {
    await gateWaiting();
    const [approverLink] = await gateLinks(APPROVER);
    let click: HttpResponse | undefined;
    const racing = hooked(isSpecCommit, 'after', async () => {
      expect((await gate()).rebaselined).toMatchObject({ reason: 'spec' });
      click = await decide(approverLink!, 'approve');
    });

    await deploy({ budget: BUDGET }, racing);

    expect(click?.status).toBe(404);
    expect((await deps.store.getLink(hashLinkId(approverLink!)))?.status).toBe('pending');
    expect(await events('approval_decided')).toEqual([]);
    expect(await gate()).toMatchObject({ round: 2, status: 'pending_approval' });
    expect(await events('approvals_reset')).toHaveLength(1);
  });

  it('a click read before the deploy and committed after it: conflicts, reads again, the neutral page', async () => {
    await gateWaiting();
    const [approverLink] = await gateLinks(APPROVER);
    const racing = hooked(isGateDecision, 'before', async () => {
      await deploy({ budget: BUDGET });
    });

    const click = await decide(approverLink!, 'approve', racing);

    expect(click.status).toBe(404);
    expect(await events('approval_decided')).toEqual([]);
    const g = await gate();
    expect(g).toMatchObject({ round: 2, status: 'pending_approval' });
    expect(g.approvers.every((a) => a.decision === undefined)).toBe(true);
    expect((await events('approvals_reset'))[0]?.data).toMatchObject({ approvedBy: [] });
    expect(deps.workflow.successes).toEqual([]);
  });
});
