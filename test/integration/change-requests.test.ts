import { beforeEach, describe, expect, it } from 'vitest';
import { newApprovalLink, newLinkId } from '../../functions/core/approval-links.js';
import { computeHealth } from '../../functions/core/health.js';
import type { ChangeRequest, Project, ProjectEvent } from '../../functions/core/model.js';
import type { ProjectSpec } from '../../functions/core/spec/schema.js';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import { sendStatusReport } from '../../functions/core/use-cases/send-status-report.js';
import type { HttpResponse } from '../../functions/http/exchange.js';
import { apiCall } from '../support/api.js';
import { makeProjectSpec, type TestStore } from '../support/dynamo.js';
import type { TestDeps } from '../support/fakes.js';
import { getPage, nonceOf, postForm, snapshot } from './approval-support.js';
import { useGateMail } from './gate-mail-support.js';

const ID = 'acme-m365';
const PM = 'pm@msp.example';
const SPONSOR = 'sponsor@acme.example';

const mail = useGateMail(ID);
/** The emails this test sent. */
const sent = mail.sent;
let ts: TestStore;
let deps: TestDeps;

beforeEach(async () => {
  ts = mail.ts;
  deps = mail.deps;
  // Friday 4 December 2026, 16:00 in London: a status report day of the spec.
  deps.clock.set('2026-12-04T16:00:00.000Z');
  await register(makeProjectSpec({ id: ID }));
});

function register(spec: ProjectSpec) {
  return registerProject(
    deps,
    { file: `${spec.id}.yaml`, spec, stages: resolveStages(spec) },
    { start: false },
  );
}

const api = (method: string, path: string, body?: unknown, actor = PM): Promise<HttpResponse> =>
  apiCall(deps, method, path, { body, actor });

const raise = (body: unknown, actor = PM) => api('POST', `/api/projects/${ID}/change-requests`, body, actor);
const body = (changes: unknown) => ({ changes, reason: 'Two more sites joined', impact: '10% more effort' });

/** The link ids in the emails sent to `to` about change request `crId` (newest last). */
async function linksFor(to: string, crId: string): Promise<string[]> {
  const mails = (await sent()).filter((m) => m.to.includes(to) && m.subject.includes(`${crId} `));
  return mails.flatMap((m) => [...m.text.matchAll(/\/approve\/([A-Za-z0-9_-]{43})/g)].map((x) => x[1]!));
}

async function project(): Promise<Project> {
  const p = await deps.store.getProject(ID);
  if (!p) throw new Error('no project');
  return p;
}

async function events(type: string): Promise<ProjectEvent[]> {
  const page = await deps.store.listEvents(ID, { limit: 1000 });
  return page.items.filter((e) => e.type === type);
}

async function decide(linkId: string, decision: 'approve' | 'reject', comment = '') {
  const page = await getPage(deps, linkId);
  return postForm(deps, linkId, { decision, comment, csrf: nonceOf(page) });
}

describe('raising a change request', () => {
  it('answers 201 with the id and pending, and emails the sponsor each change as old → new with a personal link', async () => {
    const res = await raise(body({ budget: { amount: 20350, hours: 176 } }));
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toEqual({ id: 'cr-1', status: 'pending' });

    const mails = (await sent()).filter((m) => m.subject.includes('cr-1'));
    expect(mails.map((m) => m.to)).toEqual([[SPONSOR]]);
    expect(mails[0]?.text).toContain('Budget (money): 18500 → 20350');
    expect(mails[0]?.text).toContain('Budget (hours): 160 → 176');
    expect(mails[0]?.text).toContain('Two more sites joined');
    expect(await linksFor(SPONSOR, 'cr-1')).toHaveLength(1);
    // Only the link's hash is stored.
    const [id] = await linksFor(SPONSOR, 'cr-1');
    expect(JSON.stringify(await snapshot(ts))).not.toContain(id);
    expect((await events('change_requested'))[0]?.data).toMatchObject({
      changeId: 'cr-1',
      changes: [
        { field: 'budget.amount', old: 18500, new: 20350 },
        { field: 'budget.hours', old: 160, new: 176 },
      ],
    });
  });

  it('numbers requests per project and lists them newest first with their changes', async () => {
    await raise(body({ budget: { amount: 20000 } }));
    await raise(body({ timeline: { end: '2027-03-12' } }));
    const res = await api('GET', `/api/projects/${ID}/change-requests`);
    expect(res.status).toBe(200);
    const { items } = JSON.parse(res.body);
    expect(items.map((i: { id: string }) => i.id)).toEqual(['cr-2', 'cr-1']);
    expect(items[0]).toMatchObject({
      status: 'pending',
      changes: [{ field: 'timeline.end', label: 'Timeline end', old: '2027-02-26', new: '2027-03-12' }],
      reason: 'Two more sites joined',
      raisedBy: PM,
      baseline: 1,
      approvers: [SPONSOR],
    });
    expect(items[0].patch).toBeUndefined();
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    const before = await snapshot(ts);
    const cases: [unknown, string][] = [
      [body({ budget: { amount: 18500 } }), 'changes.budget.amount'],
      [body({ budget: { amount: -5 } }), 'changes.budget.amount'],
      [body({ stages: { execution: { due: '2027-06-01' } } }), 'changes.stages.execution.due'],
      [body({ stages: { nowhere: { due: '2027-01-10' } } }), 'changes.stages.nowhere'],
      [body({ timeline: { end: '2026-11-01' } }), 'changes.timeline.end'],
      [body({}), 'changes'],
      [{ changes: { budget: { amount: 20000 } }, impact: 'x' }, 'reason'],
      [
        body({ deliverables: [{ id: 'x', name: 'X', stage: 'nowhere', acceptance: 'ok' }] }),
        'changes.deliverables.0.stage',
      ],
    ];
    for (const [input, path] of cases) {
      const res = await raise(input);
      expect(res.status, path).toBe(400);
      expect(
        JSON.parse(res.body).issues.map((i: { path: string }) => i.path),
        path,
      ).toContain(path);
    }
    expect(await snapshot(ts)).toEqual(before);
  });

  it('refuses a request whose approval would change more records than one transaction holds', async () => {
    const many = Array.from({ length: 98 }, (_, i) => ({
      id: `site-${i}`,
      name: `Site ${i}`,
      stage: 'execution',
      acceptance: 'Ping test',
    }));
    const res = await raise(body({ deliverables: many }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).issues).toEqual([
      {
        path: 'changes',
        message:
          'changes 100 stage and task records (98 of them new deliverables, which count twice); one change request may change at most 95: split it',
      },
    ]);
    expect(await deps.store.list(ID, 'change_request')).toEqual([]);
  });

  it('answers 404 for an unknown project', async () => {
    const res = await api('POST', '/api/projects/nobody/change-requests', body({ budget: { amount: 1 } }));
    expect(res.status).toBe(404);
  });
});

describe('the sponsor approves', () => {
  it('re-baselines the project in one commit: budget changed, baseline 2, an event with old and new, the YAML patch', async () => {
    await raise(body({ budget: { amount: 20350 } }));
    const [linkId] = await linksFor(SPONSOR, 'cr-1');

    // GET shows the change and decides nothing.
    const before = await snapshot(ts);
    const page = await getPage(deps, linkId!);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Budget (money): 18500 → 20350');
    expect(page.body).toContain('Two more sites joined');
    expect(page.body).toContain('<dt>Request</dt><dd>Change request cr-1</dd>');
    expect(await snapshot(ts)).toEqual(before);

    const res = await postForm(deps, linkId!, { decision: 'approve', comment: '', csrf: nonceOf(page) });
    expect(res.status).toBe(200);
    expect(res.body).toContain('your approval is recorded');

    const p = await project();
    expect(p.spec.budget.amount).toBe(20350);
    expect(p.baseline).toBe(2);
    const [approved] = await events('change_approved');
    expect(approved).toMatchObject({ actor: SPONSOR });
    expect(approved?.data).toEqual({
      changeId: 'cr-1',
      baseline: 2,
      changes: [{ field: 'budget.amount', old: 18500, new: 20350 }],
    });
    const cr = await deps.store.get(ID, 'change_request', 'cr-1');
    expect(cr).toMatchObject({ status: 'approved', decidedBy: SPONSOR, appliedBaseline: 2 });

    const { items } = JSON.parse((await api('GET', `/api/projects/${ID}/change-requests`)).body);
    expect(items[0].decision).toMatchObject({ decision: 'approve', by: SPONSOR });
    expect(items[0].patch).toBe('budget:\n  amount: 20350\n');
    const baseline = JSON.parse((await api('GET', `/api/projects/${ID}/baseline`)).body);
    expect(baseline.baseline).toBe(2);
    expect(baseline.yaml).toContain(`# ${ID}: baseline 2`);
    expect(baseline.yaml).toContain('amount: 20350');
    // Gates went on untouched: the request never called the workflow.
    expect(deps.workflow.successes).toEqual([]);
    expect(deps.workflow.failures).toEqual([]);
  });

  it('shows the new baseline and its approved change in the next status report', async () => {
    await raise(body({ budget: { amount: 20350 } }));
    const [linkId] = await linksFor(SPONSOR, 'cr-1');
    await decide(linkId!, 'approve');

    const result = await sendStatusReport(deps, ID);
    expect(result.status).toBe('sent');
    const report = (await sent()).filter((m) => m.subject.includes('Status report')).at(-1);
    expect(report?.html).toContain('Baseline');
    expect(report?.html).toContain('version 2');
    expect(report?.html).toContain('20350 GBP, 160 hours');
    expect(report?.html).toContain('Budget (money): 18500 → 20350');
    expect(report?.text).toContain('Baseline version 2: 20350 GBP');
  });

  it('moves the timeline, stage due dates and deliverables, and health follows the new timeline', async () => {
    // Past the planned end: red for that reason.
    deps.clock.set('2027-03-02T09:00:00.000Z');
    const healthNow = async () => {
      const p = await project();
      const [stages, tasks, risks] = await Promise.all([
        deps.store.list(ID, 'stage'),
        deps.store.list(ID, 'task'),
        deps.store.list(ID, 'risk'),
      ]);
      return computeHealth({ project: p, stages, tasks, risks, now: deps.clock.now() });
    };
    expect((await healthNow()).reasons.join(' ')).toContain('past its planned end 2027-02-26');

    const res = await raise(
      body({
        timeline: { end: '2027-04-30' },
        stages: { support: { due: '2027-04-30' } },
        deliverables: [
          { id: 'tenant', name: 'Configured tenant', stage: 'execution', acceptance: 'CIS baseline applied' },
          { id: 'site-b', name: 'Site B network', stage: 'execution', acceptance: 'Ping test' },
        ],
      }),
    );
    expect(res.status).toBe(201);
    const [linkId] = await linksFor(SPONSOR, 'cr-1');
    expect((await decide(linkId!, 'approve')).status).toBe(200);

    const p = await project();
    expect(p.spec.timeline.end).toBe('2027-04-30');
    expect(p.stages.find((s) => s.key === 'support')?.due).toBe('2027-04-30');
    expect((await deps.store.get(ID, 'stage', 'support'))?.due).toBe('2027-04-30');
    expect(await deps.store.get(ID, 'task', 'site-b')).toMatchObject({ type: 'deliverable', status: 'todo' });
    expect(await deps.store.get(ID, 'task', 'cutover')).toMatchObject({
      status: 'waived',
      waiverReason: 'Removed from the baseline by change request cr-1',
    });
    const health = await healthNow();
    expect(health.reasons.join(' ')).not.toContain('past its planned end');
    expect(health.forecastEnd).toBe('2027-04-30');
  });
});

describe('a deliverable added where a removed task was', () => {
  it('is created above the removed task: a client holding the removed version gets 409', async () => {
    expect((await api('PUT', `/api/projects/${ID}/tasks/site-b`, { name: 'Site B survey' })).status).toBe(
      201,
    );
    expect(
      (await api('PUT', `/api/projects/${ID}/tasks/site-b`, { estimateHours: 3, version: 1 })).status,
    ).toBe(200);
    const removed = await apiCall(deps, 'DELETE', `/api/projects/${ID}/tasks/site-b`, {
      query: { version: '2' },
    });
    expect(removed.status).toBe(200);

    const site = { id: 'site-b', name: 'Site B network', stage: 'execution', acceptance: 'Ping test' };
    const tenant = {
      id: 'tenant',
      name: 'Configured tenant',
      stage: 'execution',
      acceptance: 'CIS baseline applied',
    };
    const cutover = {
      id: 'cutover',
      name: 'Mail cut-over',
      stage: 'deployment',
      acceptance: 'MX points to M365',
    };
    expect((await raise(body({ deliverables: [tenant, cutover, site] }))).status).toBe(201);
    const [linkId] = await linksFor(SPONSOR, 'cr-1');
    expect((await decide(linkId!, 'approve')).status).toBe(200);

    expect(await deps.store.get(ID, 'task', 'site-b')).toMatchObject({
      type: 'deliverable',
      name: 'Site B network',
      version: 3,
    });
    const stale = await api('PUT', `/api/projects/${ID}/tasks/site-b`, { status: 'done', version: 2 });
    expect(stale.status).toBe(409);
    expect(JSON.parse(stale.body).error).toBe('task site-b changed since it was read (version 3 now)');
  });
});

describe('attacks on the decision', () => {
  it('decides exactly once under concurrent clicks: one re-baseline, one event', async () => {
    await raise(body({ budget: { amount: 20350 } }));
    const [linkId] = await linksFor(SPONSOR, 'cr-1');
    const csrf = nonceOf(await getPage(deps, linkId!));
    const results = await Promise.all(
      Array.from({ length: 5 }, () => postForm(deps, linkId!, { decision: 'approve', csrf })),
    );
    expect(results.filter((r) => r.body.includes('your approval is recorded'))).toHaveLength(1);
    expect(results.filter((r) => r.body.includes('Already decided'))).toHaveLength(4);
    expect((await project()).baseline).toBe(2);
    expect(await events('change_approved')).toHaveLength(1);
  });

  it('escapes what the PM wrote on the page and in the email', async () => {
    const script = '<script>alert(1)</script>';
    await raise({
      changes: { scope: { out: ['Phone system', `<img src=x onerror=alert(1)>`] } },
      reason: script,
      impact: '"quoted" & more',
    });
    const [linkId] = await linksFor(SPONSOR, 'cr-1');
    const page = await getPage(deps, linkId!);
    expect(page.body).not.toContain(script);
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const mail = (await sent()).find((m) => m.subject.includes('cr-1'));
    expect(mail?.html).not.toContain(script);
    expect(mail?.html).not.toContain('<img src=x');
  });

  it('refuses a post from another site and changes nothing', async () => {
    await raise(body({ budget: { amount: 20350 } }));
    const [linkId] = await linksFor(SPONSOR, 'cr-1');
    const csrf = nonceOf(await getPage(deps, linkId!));
    const res = await postForm(
      deps,
      linkId!,
      { decision: 'approve', csrf },
      {
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      },
    );
    expect(res.status).toBe(403);
    const noCsrf = await postForm(deps, linkId!, { decision: 'approve', csrf: 'forged' });
    expect(noCsrf.status).toBe(400);
    expect((await project()).spec.budget.amount).toBe(18500);
    expect((await deps.store.get(ID, 'change_request', 'cr-1'))?.status).toBe('pending');
  });
});

describe('the sponsor rejects', () => {
  it('changes nothing but the request and an event', async () => {
    await raise(body({ budget: { amount: 30000 } }));
    const [linkId] = await linksFor(SPONSOR, 'cr-1');
    const before = await project();
    const res = await decide(linkId!, 'reject', 'Not this quarter');
    expect(res.status).toBe(200);
    expect(res.body).toContain('your rejection is recorded');
    const after = await project();
    expect(after).toEqual(before);
    expect(await deps.store.get(ID, 'change_request', 'cr-1')).toMatchObject({
      status: 'rejected',
      comment: 'Not this quarter',
    });
    expect((await events('change_rejected'))[0]?.data).toMatchObject({ changeId: 'cr-1' });
    expect(await events('change_approved')).toEqual([]);
  });
});

describe('links that do not work', () => {
  it('gives a reused link the already-decided page and changes nothing', async () => {
    await raise(body({ budget: { amount: 20350 } }));
    const [linkId] = await linksFor(SPONSOR, 'cr-1');
    const page = await getPage(deps, linkId!);
    await postForm(deps, linkId!, { decision: 'approve', csrf: nonceOf(page) });
    const before = await snapshot(ts);
    const again = await postForm(deps, linkId!, { decision: 'reject', comment: 'no', csrf: nonceOf(page) });
    expect(again.body).toContain('Already decided');
    expect((await getPage(deps, linkId!)).body).toContain('Already decided');
    expect(await snapshot(ts)).toEqual(before);
  });

  it('gives forged, expired and foreign links the neutral page and changes nothing', async () => {
    await raise(body({ budget: { amount: 20350 } }));
    const [linkId] = await linksFor(SPONSOR, 'cr-1');
    const neutral = (await getPage(deps, newLinkId())).body;
    const before = await snapshot(ts);

    // Forged: a well-formed id nobody issued.
    const forged = await postForm(deps, newLinkId(), { decision: 'approve', csrf: 'x' });
    expect(forged.status).toBe(404);
    expect(forged.body).toBe(neutral);

    // Foreign: links (stored as issued, hash only) for a request of another project, for a
    // request that does not exist, and for a person who is not the request's approver.
    await register(makeProjectSpec({ id: 'other-project' }));
    expect(
      (await api('POST', '/api/projects/other-project/change-requests', body({ budget: { amount: 1000 } })))
        .status,
    ).toBe(201);
    const issue = (projectId: string, changeId: string, email: string) =>
      newApprovalLink({
        projectId,
        changeId,
        stage: 'initiation',
        round: 1,
        approverEmail: email,
        approverName: email,
        now: deps.clock.now(),
        linkTtlDays: 21,
      });
    const foreign = [
      issue(ID, 'cr-2', SPONSOR), // cr-2 exists in no project; other-project has only its cr-1
      issue('nobody', 'cr-1', SPONSOR),
      issue(ID, 'cr-1', 'informed@acme.example'),
    ];
    await deps.store.commit(foreign.map((f) => f.link));
    const withForeign = await snapshot(ts);
    for (const f of foreign) {
      expect((await getPage(deps, f.id)).body).toBe(neutral);
      const post = await postForm(deps, f.id, { decision: 'approve', csrf: 'x' });
      expect(post.status).toBe(404);
      expect(post.body).toBe(neutral);
    }
    expect(await snapshot(ts)).toEqual(withForeign);

    // Expired: after the link's lifetime.
    deps.clock.set(new Date(deps.clock.now().getTime() + 22 * 86_400_000).toISOString());
    expect((await getPage(deps, linkId!)).body).toBe(neutral);
    const expiredPost = await postForm(deps, linkId!, { decision: 'approve', csrf: 'x' });
    expect(expiredPost.status).toBe(404);
    expect(expiredPost.body).toBe(neutral);
    expect((await project()).spec.budget.amount).toBe(18500);
    expect((await snapshot(ts)).filter((i) => String(i.PK) === `PROJECT#${ID}`)).toEqual(
      before.filter((i) => String(i.PK) === `PROJECT#${ID}`),
    );
  });

  it('refuses a request decided by the person who raised it (self-approval)', async () => {
    await raise(body({ budget: { amount: 20350 } }), SPONSOR);
    const [linkId] = await linksFor(SPONSOR, 'cr-1');
    const page = await getPage(deps, linkId!);
    expect(page.status).toBe(403);
    expect(page.body).toContain('You raised Change request cr-1');
    expect((await project()).spec.budget.amount).toBe(18500);
  });

  it('refuses a request whose old value no longer holds (409) and marks it superseded', async () => {
    await raise(body({ budget: { amount: 20000 } }));
    await raise(body({ budget: { amount: 21000 } }));
    const [first] = await linksFor(SPONSOR, 'cr-1');
    const [second] = await linksFor(SPONSOR, 'cr-2');
    expect((await decide(first!, 'approve')).status).toBe(200);
    const page = await getPage(deps, second!);
    const res = await postForm(deps, second!, { decision: 'approve', csrf: nonceOf(page) });
    expect(res.status).toBe(409);
    expect(res.body).toContain('Nothing was changed');
    expect((await project()).spec.budget.amount).toBe(20000);
    const cr2 = (await deps.store.get(ID, 'change_request', 'cr-2')) as ChangeRequest;
    expect(cr2).toMatchObject({ status: 'superseded', staleFields: ['budget.amount'] });
    expect((await events('change_superseded'))[0]?.data).toEqual({
      changeId: 'cr-2',
      fields: ['budget.amount'],
    });
    // The request can no longer be decided.
    expect((await getPage(deps, second!)).status).toBe(404);
  });
});

describe('projects stay code: registering a spec again', () => {
  async function approveBudget(amount: number) {
    await raise(body({ budget: { amount } }));
    const id = `cr-${(await deps.store.list(ID, 'change_request')).length}`;
    const [linkId] = await linksFor(SPONSOR, id);
    expect((await decide(linkId!, 'approve')).status).toBe(200);
  }

  it('keeps an approved change that the deployed spec lacks, and says so', async () => {
    await approveBudget(20350);
    const result = await register(makeProjectSpec({ id: ID }));
    expect(result.updated).toBe(false);
    const p = await project();
    expect(p.spec.budget.amount).toBe(20350);
    expect(p.baseline).toBe(2);
    const [kept] = await events('baseline_kept');
    expect(kept?.data).toEqual({
      kept: [{ changeId: 'cr-1', field: 'budget.amount', deployed: 18500, kept: 20350 }],
    });
    expect(await events('spec_updated')).toEqual([]);
  });

  it('is simply in sync with a spec that has the change, and keeps it under another edit', async () => {
    await approveBudget(20350);
    const base = makeProjectSpec({ id: ID });
    await register({ ...base, budget: { ...base.budget, amount: 20350 } });
    expect(await events('baseline_kept')).toEqual([]);
    expect(await events('spec_updated')).toEqual([]);

    // An unrelated edit of a spec that lacks the change: the edit goes in, the change stays.
    await register({ ...base, name: 'Microsoft 365 migration (phase 1)' });
    const p = await project();
    expect(p.name).toBe('Microsoft 365 migration (phase 1)');
    expect(p.spec.budget.amount).toBe(20350);
    expect(p.baseline).toBe(2);
  });

  it('takes a deliberate edit of a baseline field as a new baseline, with old and new in the event', async () => {
    await approveBudget(20350);
    const base = makeProjectSpec({ id: ID });
    await register({ ...base, budget: { ...base.budget, amount: 25000 } });
    const p = await project();
    expect(p.spec.budget.amount).toBe(25000);
    expect(p.baseline).toBe(3);
    expect((await events('spec_updated'))[0]?.data).toMatchObject({
      baseline: 3,
      baselineChanges: [{ field: 'budget.amount', old: 20350, new: 25000 }],
    });
  });
});
