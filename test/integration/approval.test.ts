import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonLogger } from '../../functions/adapters/json-logger.js';
import { newApprovalLink, newLinkId } from '../../functions/core/approval-links.js';
import { bytesSha256 } from '../../functions/core/documents/model.js';
import type { Entity } from '../../functions/core/model.js';
import { handleHttp } from '../../functions/http/app.js';
import type { HttpResponse } from '../../functions/http/exchange.js';
import { makeTestStore, type TestStore } from '../support/dynamo.js';
import { makeTestDeps, pdfText, SettableClock, type TestDeps } from '../support/fakes.js';
import {
  decideViaPage,
  getPage,
  hiddenFields,
  nonceOf,
  postForm,
  type SeedOptions,
  seedApprovalGate,
  seedDocumentVersions,
  snapshot,
} from './approval-support.js';

const TOKEN = 'task-token-0f9e8d7c6b5a-SECRET';
const APPROVERS = [
  { email: 'sponsor@acme.example', name: 'Amara Okafor' },
  { email: 'approver@acme.example', name: 'Jenny Price' },
  { email: 'informed@acme.example', name: 'Tom Reid' },
];

const seed = (deps: TestDeps, options: Omit<SeedOptions, 'taskToken'> = {}) =>
  seedApprovalGate(deps, { taskToken: TOKEN, approvers: APPROVERS.slice(0, 1), ...options });
const get = getPage;
const post = postForm;
const decide = decideViaPage;

async function eventTypes(deps: TestDeps, projectId: string): Promise<string[]> {
  const page = await deps.store.listEvents(projectId, { limit: 100 });
  return page.items.map((e) => e.type);
}

let ts: TestStore;
let deps: TestDeps;
let logLines: string[];

beforeEach(async () => {
  ts = await makeTestStore();
  logLines = [];
  deps = makeTestDeps(ts.store, { log: jsonLogger({}, (line) => logLines.push(line)) });
});

afterEach(async () => {
  await ts.drop();
});

describe('GET /approve/{linkId}', () => {
  it('shows the confirmation page with the gate details and a form posting to itself', async () => {
    const { ids } = await seed(deps);
    const page = await get(deps, ids['sponsor@acme.example'] ?? '');
    expect(page.status).toBe(200);
    for (const text of [
      'Northwind Managed IT',
      'Microsoft 365 migration',
      'Acme Dental',
      'Initiation &amp; Planning',
      'the project charter',
      '2026-12-20',
      'Amara Okafor',
      'name="decision" value="approve"',
      'name="decision" value="reject"',
      'name="comment"',
    ]) {
      expect(page.body).toContain(text);
    }
    expect(page.body).toMatch(/<form method="post">/);
    expect(page.body).not.toMatch(/<form[^>]*action=/);
    expect(page.body).not.toMatch(/<script/i);
  });

  it('sends the security headers on every page', async () => {
    const { ids } = await seed(deps);
    for (const page of [await get(deps, ids['sponsor@acme.example'] ?? ''), await get(deps, newLinkId())]) {
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['x-frame-options']).toBe('DENY');
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      const csp = page.headers['content-security-policy'] ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("form-action 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).not.toContain('script-src');
    }
  });

  it('links the exact plan PDF version being approved with its SHA-256, and downloads it without side effects', async () => {
    // The risk stage's gate approves the plan; its gate records the version (2 of 3 here).
    const { ids, project } = await seed(deps, { stage: 'risk', documentVersion: 2 });
    const record = await seedDocumentVersions(deps, project.id, 'plan', 3);
    const v2 = record.versions?.find((v) => v.docVersion === 2);
    const id = ids['sponsor@acme.example'] ?? '';
    const before = await snapshot(ts);
    const page = await get(deps, id);
    expect(page.body).toContain('href="?document=plan"');
    expect(page.body).toContain('version 2');
    expect(page.body).toContain(v2?.sha256);
    const doc = await get(deps, id, { document: 'plan' });
    expect(doc.status).toBe(200);
    expect(doc.isBase64Encoded).toBe(true);
    const bytes = new Uint8Array(Buffer.from(doc.body, 'base64'));
    expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    expect(bytesSha256(bytes)).toBe(v2?.sha256);
    expect(pdfText(bytes)).toContain('plan text of version 2');
    expect(doc.headers['content-type']).toBe('application/pdf');
    expect(doc.headers['content-disposition']).toBe(`attachment; filename="${project.id}-plan-v2.pdf"`);
    expect(doc.headers['x-content-type-options']).toBe('nosniff');
    expect(doc.headers['cache-control']).toBe('no-store');
    // Another gate's document, and an unknown link, get the neutral page.
    const neutral = await get(deps, newLinkId());
    expect(neutral.status).toBe(404);
    expect(await get(deps, id, { document: 'charter' })).toEqual(neutral);
    expect(await get(deps, id, { document: 'closeout' })).toEqual(neutral);
    expect(await get(deps, newLinkId(), { document: 'plan' })).toEqual(neutral);
    expect(await snapshot(ts)).toEqual(before);
  });

  it('refuses the document to a used link and to an expired one with the neutral page', async () => {
    const { ids, project } = await seed(deps, {
      stage: 'risk',
      documentVersion: 1,
      approvers: APPROVERS.slice(0, 2),
    });
    await seedDocumentVersions(deps, project.id, 'plan', 1);
    const first = ids['sponsor@acme.example'] ?? '';
    const second = ids['approver@acme.example'] ?? '';
    const neutral = await get(deps, newLinkId());
    expect((await get(deps, first, { document: 'plan' })).status).toBe(200);
    // Used: after its decision the link opens neither the form nor the document.
    expect((await decide(deps, first, 'approve')).status).toBe(200);
    expect(await get(deps, first, { document: 'plan' })).toEqual(neutral);
    // The other approver's link still works, until it expires (links live 21 days).
    expect((await get(deps, second, { document: 'plan' })).status).toBe(200);
    deps.clock.advanceDays(22);
    expect(await get(deps, second, { document: 'plan' })).toEqual(neutral);
  });

  it('changes nothing when a link is opened five times', async () => {
    const { ids } = await seed(deps);
    const before = await snapshot(ts);
    for (let i = 0; i < 5; i++) expect((await get(deps, ids['sponsor@acme.example'] ?? '')).status).toBe(200);
    expect(await snapshot(ts)).toEqual(before);
    expect(deps.workflow.successes).toHaveLength(0);
  });
});

describe('POST /approve/{linkId}', () => {
  it('records an approval, advances the gate and resumes the workflow once', async () => {
    const { ids, project } = await seed(deps);
    const res = await decide(deps, ids['sponsor@acme.example'] ?? '', 'approve');
    expect(res.status).toBe(200);
    expect(res.body).toContain('Thank you, your approval is recorded');
    const gate = await deps.store.get(project.id, 'gate', 'initiation');
    expect(gate?.status).toBe('approved');
    expect(gate?.approvers[0]).toMatchObject({ decision: 'approve', decidedAt: '2026-12-01T09:00:00.000Z' });
    expect(deps.workflow.successes).toEqual([
      { taskToken: TOKEN, output: { stage: 'initiation', round: 1, decision: 'approved' } },
    ]);
    expect(await eventTypes(deps, project.id)).toEqual(['approval_decided', 'gate_approved']);
  });

  it('reads the link and its records in one request when the form names them; a wrong name only costs a read', async () => {
    const { ids, project } = await seed(deps, { approvers: APPROVERS.slice(0, 2) });
    // Another project the attacker may name in the hint: its records are read, never changed.
    const other = await seed(deps, { projectId: 'other-project', approvers: APPROVERS.slice(0, 1) });
    const sent: string[] = [];
    const counting = {
      send: (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        return ts.client.send(command as never);
      },
    } as unknown as typeof ts.client;
    const { DynamoProjectStore } = await import('../../functions/adapters/dynamo-store.js');
    deps.store = new DynamoProjectStore(counting, ts.tableName);

    const sponsor = ids['sponsor@acme.example'] ?? '';
    const form = hiddenFields(await get(deps, sponsor));
    expect(form).toMatchObject({ project: project.id, stage: 'initiation' });
    sent.length = 0;
    const first = await post(deps, sponsor, { ...form, decision: 'approve' });
    expect(first.body).toContain('Thank you, your approval is recorded');
    expect(sent).toEqual(['BatchGetCommand', 'TransactWriteCommand']);

    const approver = ids['approver@acme.example'] ?? '';
    const otherBefore = await ts.store.getProjectSnapshot('other-project');
    const forged = { ...hiddenFields(await get(deps, approver)), project: 'other-project' };
    sent.length = 0;
    const second = await post(deps, approver, { ...forged, decision: 'approve' });
    expect(second.body).toContain('Thank you, your approval is recorded');
    // The wrong name costs the second BatchGet. The approval that passes the gate checks the
    // criteria on the project's current records (the budget criterion reads the ledger and the
    // resources): one Query, on that decision only.
    expect(sent).toEqual(['BatchGetCommand', 'BatchGetCommand', 'QueryCommand', 'TransactWriteCommand']);
    expect((await ts.store.get(project.id, 'gate', 'initiation'))?.status).toBe('approved');
    expect(await ts.store.getProjectSnapshot('other-project')).toEqual(otherBefore);
    expect(other.gate.status).toBe('pending_approval');
    expect(deps.workflow.successes).toHaveLength(1);
  });

  it('shows "already decided" on a repeat and changes nothing', async () => {
    const { ids } = await seed(deps);
    const id = ids['sponsor@acme.example'] ?? '';
    const page = await get(deps, id);
    await post(deps, id, { decision: 'approve', csrf: nonceOf(page) });
    const before = await snapshot(ts);
    const again = await post(deps, id, {
      decision: 'reject',
      comment: 'changed my mind',
      csrf: nonceOf(page),
    });
    expect(again.body).toContain('already decided by Amara Okafor at 1 Dec 2026, 09:00 (Europe/London)');
    expect((await get(deps, id)).body).toContain('already decided by Amara Okafor');
    expect(await snapshot(ts)).toEqual(before);
    expect(deps.workflow.successes).toHaveLength(1);
    expect(deps.workflow.failures).toHaveLength(0);
  });

  it('records a decision exactly once under 20 concurrent posts', async () => {
    const { ids, project } = await seed(deps);
    const id = ids['sponsor@acme.example'] ?? '';
    const csrf = nonceOf(await get(deps, id));
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => post(deps, id, { decision: 'approve', csrf })),
    );
    const thanked = responses.filter((r) => r.body.includes('Thank you, your approval is recorded'));
    const repeats = responses.filter((r) => r.body.includes('already decided by Amara Okafor'));
    expect(thanked).toHaveLength(1);
    expect(repeats).toHaveLength(19);
    expect(deps.workflow.successes).toHaveLength(1);
    const types = await eventTypes(deps, project.id);
    expect(types.filter((t) => t === 'approval_decided')).toHaveLength(1);
    expect(types.filter((t) => t === 'gate_approved')).toHaveLength(1);
  });

  it('resumes the workflow exactly once when three approvers with quorum 2 decide at once', async () => {
    const { ids, project } = await seed(deps, { rule: { quorum: 2 }, approvers: APPROVERS });
    const nonces = await Promise.all(
      APPROVERS.map(async (a) => nonceOf(await get(deps, ids[a.email] ?? ''))),
    );
    const responses = await Promise.all(
      APPROVERS.map((a, i) => post(deps, ids[a.email] ?? '', { decision: 'approve', csrf: nonces[i] ?? '' })),
    );
    expect(deps.workflow.successes).toHaveLength(1);
    const gate = await deps.store.get(project.id, 'gate', 'initiation');
    expect(gate?.status).toBe('approved');
    expect(gate?.approvers.filter((a) => a.decision === 'approve')).toHaveLength(2);
    expect(responses.filter((r) => r.body.includes('Thank you'))).toHaveLength(2);
    const types = await eventTypes(deps, project.id);
    expect(types.filter((t) => t === 'gate_approved')).toHaveLength(1);
  });

  it('fails the gate task with GateRejected and the comment on a rejection', async () => {
    const { ids, project } = await seed(deps);
    const res = await decide(deps, ids['sponsor@acme.example'] ?? '', 'reject', 'Budget is too high');
    expect(res.body).toContain('Thank you, your rejection is recorded');
    expect(deps.workflow.failures).toEqual([
      { taskToken: TOKEN, error: 'GateRejected', cause: 'Budget is too high' },
    ]);
    expect(deps.workflow.successes).toHaveLength(0);
    expect((await deps.store.get(project.id, 'gate', 'initiation'))?.status).toBe('rejected');
    expect(await eventTypes(deps, project.id)).toEqual(['approval_decided', 'gate_rejected']);
  });

  it('asks for a comment to reject and changes nothing', async () => {
    const { ids } = await seed(deps);
    const before = await snapshot(ts);
    const res = await decide(deps, ids['sponsor@acme.example'] ?? '', 'reject', '   ');
    expect(res.status).toBe(400);
    expect(res.body).toContain('a comment is required to reject');
    expect(res.body).toContain('name="csrf"');
    expect(await snapshot(ts)).toEqual(before);
  });

  it('refuses a post without a valid CSRF nonce and changes nothing', async () => {
    const { ids } = await seed(deps);
    const id = ids['sponsor@acme.example'] ?? '';
    const before = await snapshot(ts);
    const missing = await post(deps, id, { decision: 'approve' });
    const forged = await post(deps, id, { decision: 'approve', csrf: `${Date.now()}.${'A'.repeat(43)}` });
    for (const res of [missing, forged]) {
      expect(res.status).toBe(400);
      expect(res.body).toContain('this form has expired');
    }
    expect(await snapshot(ts)).toEqual(before);
    expect(deps.workflow.successes).toHaveLength(0);
  });

  it('refuses a form older than two hours of real time', async () => {
    const { ids } = await seed(deps);
    const id = ids['sponsor@acme.example'] ?? '';
    const formClock = new SettableClock(new Date('2026-12-01T09:00:00.000Z'));
    const page = await handleHttp(
      deps,
      { method: 'GET', path: `/approve/${id}`, query: {}, headers: {}, body: '' },
      { approval: { formClock } },
    );
    formClock.set('2026-12-01T11:00:01.000Z');
    const form = new URLSearchParams({ decision: 'approve', csrf: nonceOf(page) }).toString();
    const res = await handleHttp(
      deps,
      { method: 'POST', path: `/approve/${id}`, query: {}, headers: {}, body: form },
      { approval: { formClock } },
    );
    expect(res.status).toBe(400);
    expect(res.body).toContain('this form has expired');
    expect(deps.workflow.successes).toHaveLength(0);
  });

  it('accepts a form filled in while the project clock runs fast (accelerated local clock)', async () => {
    const { ids } = await seed(deps);
    const id = ids['sponsor@acme.example'] ?? '';
    const csrf = nonceOf(await get(deps, id));
    deps.clock.set('2026-12-01T15:00:00.000Z');
    const res = await post(deps, id, { decision: 'approve', csrf });
    expect(res.body).toContain('Thank you, your approval is recorded');
  });

  it('refuses a cross-site post and changes nothing', async () => {
    const { ids } = await seed(deps);
    const id = ids['sponsor@acme.example'] ?? '';
    const csrf = nonceOf(await get(deps, id));
    const before = await snapshot(ts);
    const evil = await post(deps, id, { decision: 'approve', csrf }, { origin: 'https://evil.example' });
    const crossSite = await post(deps, id, { decision: 'approve', csrf }, { 'sec-fetch-site': 'cross-site' });
    expect(evil.status).toBe(403);
    expect(crossSite.status).toBe(403);
    expect(await snapshot(ts)).toEqual(before);
  });

  it('accepts the null Origin a browser sends from a no-referrer page when Sec-Fetch-Site says same-origin', async () => {
    const { ids } = await seed(deps);
    const id = ids['sponsor@acme.example'] ?? '';
    const csrf = nonceOf(await get(deps, id));
    const before = await snapshot(ts);
    const noFetchSite = await handleHttp(deps, {
      method: 'POST',
      path: `/approve/${id}`,
      query: {},
      headers: { origin: 'null' },
      body: new URLSearchParams({ decision: 'approve', csrf }).toString(),
    });
    expect(noFetchSite.status).toBe(403);
    expect(await snapshot(ts)).toEqual(before);
    const res = await post(
      deps,
      id,
      { decision: 'approve', csrf },
      { origin: 'null', 'sec-fetch-site': 'same-origin' },
    );
    expect(res.body).toContain('Thank you, your approval is recorded');
  });

  it('refuses self-approval by the person who submitted the stage', async () => {
    const { ids } = await seed(deps, { submittedBy: 'Sponsor@Acme.example' });
    const id = ids['sponsor@acme.example'] ?? '';
    const before = await snapshot(ts);
    const page = await get(deps, id);
    expect(page.status).toBe(403);
    expect(page.body).toContain('You cannot approve this stage');
    expect(page.body).not.toContain('name="csrf"');
    const res = await post(deps, id, { decision: 'approve', csrf: 'x' });
    expect(res.status).toBe(403);
    expect(await snapshot(ts)).toEqual(before);
  });

  it('records the decision and shows thank-you when the gate task timed out meanwhile', async () => {
    const { ids, project } = await seed(deps);
    const { TaskTokenGoneError } = await import('../../functions/core/errors.js');
    deps.workflow.sendTaskSuccess = async () => {
      throw new TaskTokenGoneError('the gate task is no longer waiting (TaskTimedOut)');
    };
    const res = await decide(deps, ids['sponsor@acme.example'] ?? '', 'approve');
    expect(res.status).toBe(200);
    expect(res.body).toContain('Thank you, your approval is recorded');
    expect((await deps.store.get(project.id, 'gate', 'initiation'))?.status).toBe('approved');
    const types = await eventTypes(deps, project.id);
    expect(types.sort()).toEqual(['approval_decided', 'gate_approved', 'gate_callback_deferred']);
  });

  it('writes a decision and its event together or not at all', async () => {
    const { ids, project, links } = await seed(deps);
    const before = await snapshot(ts);
    // Every commit also carries a record written from a stale version, so DynamoDB cancels the transaction.
    const realCommit = ts.store.commit.bind(ts.store);
    let attempts = 0;
    deps.store = {
      ...ts.store,
      getProject: ts.store.getProject.bind(ts.store),
      get: ts.store.get.bind(ts.store),
      getLink: ts.store.getLink.bind(ts.store),
      getRecords: ts.store.getRecords.bind(ts.store),
      getProjectSnapshot: ts.store.getProjectSnapshot.bind(ts.store),
      list: ts.store.list.bind(ts.store),
      listProjects: ts.store.listProjects.bind(ts.store),
      listEvents: ts.store.listEvents.bind(ts.store),
      commit: (changes: Entity[], events) => {
        attempts++;
        return realCommit([...changes, { ...project, version: 7 }], events);
      },
    };
    const res = await decide(deps, ids['sponsor@acme.example'] ?? '', 'approve');
    expect(res.status).toBe(503);
    expect(attempts).toBeGreaterThan(1);
    expect(await snapshot(ts)).toEqual(before);
    expect((await ts.store.getLink(links[0]?.linkHash ?? ''))?.status).toBe('pending');
    expect(await eventTypes(deps, project.id)).toEqual([]);
    expect(deps.workflow.successes).toHaveLength(0);
  });

  it('retries after a concurrent change to the gate and records the decision once', async () => {
    const { ids, project } = await seed(deps, { rule: { quorum: 1 }, approvers: APPROVERS.slice(0, 2) });
    const realCommit = ts.store.commit.bind(ts.store);
    let interfered = false;
    const store = Object.create(ts.store) as typeof ts.store;
    store.commit = async (changes, events) => {
      if (!interfered) {
        interfered = true;
        // Someone else (a reminder) updates the gate between our read and our write.
        const gate = await ts.store.get(project.id, 'gate', 'initiation');
        if (gate) await realCommit([{ ...gate, reminders: gate.reminders + 1 }]);
      }
      return realCommit(changes, events);
    };
    deps.store = store;
    const res = await decide(deps, ids['approver@acme.example'] ?? '', 'approve');
    expect(res.body).toContain('Thank you');
    const gate = await ts.store.get(project.id, 'gate', 'initiation');
    expect(gate).toMatchObject({ status: 'approved', reminders: 1 });
    expect(deps.workflow.successes).toHaveLength(1);
    expect((await eventTypes(deps, project.id)).filter((t) => t === 'approval_decided')).toHaveLength(1);
  });
});

describe('links that do not work', () => {
  it('get one identical neutral response and change nothing: forged, expired, reused, superseded, other-project', async () => {
    const { ids, project } = await seed(deps, { approvers: APPROVERS.slice(0, 2) });
    const sponsorId = ids['sponsor@acme.example'] ?? '';
    const approverId = ids['approver@acme.example'] ?? '';
    // Round 1: the sponsor rejects; the PM resubmits: round 2 supersedes every round-1 link.
    await decide(deps, sponsorId, 'reject', 'Scope is unclear');
    const gate = await deps.store.get(project.id, 'gate', 'initiation');
    if (!gate) throw new Error('no gate');
    const round2 = newApprovalLink({
      projectId: project.id,
      stage: 'initiation',
      round: 2,
      approverEmail: 'sponsor@acme.example',
      approverName: 'Amara Okafor',
      now: deps.clock.now(),
      linkTtlDays: 21,
    });
    await deps.store.commit([
      {
        ...gate,
        round: 2,
        status: 'pending_approval',
        approvers: [{ email: 'sponsor@acme.example', name: 'Amara Okafor', linkHash: round2.link.linkHash }],
      },
      round2.link,
    ]);
    // A link whose project is not in this deployment.
    const foreign = newApprovalLink({
      projectId: 'other-customer',
      stage: 'initiation',
      round: 1,
      approverEmail: 'ceo@other.example',
      approverName: 'Other Person',
      now: deps.clock.now(),
      linkTtlDays: 21,
    });
    await deps.store.commit([foreign.link]);
    // A link that names another project of this deployment whose gate does not know the approver.
    const other = await seed(deps, { projectId: 'other-project' });
    const mismatched = newApprovalLink({
      projectId: other.project.id,
      stage: 'initiation',
      round: 1,
      approverEmail: 'sponsor@acme.example',
      approverName: 'Amara Okafor',
      now: deps.clock.now(),
      linkTtlDays: 21,
    });
    await deps.store.commit([mismatched.link]);
    const cases: Record<string, string> = {
      forged: newLinkId(),
      malformed: 'not-a-link',
      reused: sponsorId,
      superseded: approverId,
      otherProject: foreign.id,
      mismatched: mismatched.id,
    };
    const before = await snapshot(ts);
    const neutral = await get(deps, newLinkId());
    expect(neutral.status).toBe(404);
    expect(neutral.body).toContain(
      'This link is not valid. It may have expired or been replaced by a newer one.',
    );
    for (const [name, id] of Object.entries(cases)) {
      const viewed = await get(deps, id);
      const posted = await post(deps, id, { decision: 'approve', csrf: 'x' });
      expect({ name, status: viewed.status, body: viewed.body }).toEqual({
        name,
        status: neutral.status,
        body: neutral.body,
      });
      expect({ name, status: posted.status, body: posted.body }).toEqual({
        name,
        status: neutral.status,
        body: neutral.body,
      });
    }
    // Expired: the current round-2 link, 21 days later.
    expect((await get(deps, round2.id)).status).toBe(200);
    deps.clock.advanceDays(21);
    const expired = await get(deps, round2.id);
    const expiredPost = await post(deps, round2.id, { decision: 'approve', csrf: 'x' });
    expect(expired).toEqual(neutral);
    expect(expiredPost).toEqual(neutral);
    expect(await snapshot(ts)).toEqual(before);
    expect(deps.workflow.successes).toHaveLength(0);
  });

  it('treats a pending link of a round decided without it as spent', async () => {
    const { ids } = await seed(deps, { rule: 'any', approvers: APPROVERS.slice(0, 2) });
    await decide(deps, ids['sponsor@acme.example'] ?? '', 'approve');
    const neutral = await get(deps, newLinkId());
    expect(await get(deps, ids['approver@acme.example'] ?? '')).toEqual(neutral);
  });
});

describe('escaping and secrets', () => {
  it('escapes markup and quotes from the project name and the comment', async () => {
    const name = `<script>alert("x")</script> O'Brien & "Sons"`;
    const comment = `<script>steal()</script> "quoted" 'single'`;
    const { ids } = await seed(deps, { projectName: name, approvers: APPROVERS.slice(0, 2) });
    const id = ids['sponsor@acme.example'] ?? '';
    const page = await get(deps, id);
    // A bad nonce re-renders the form with the comment typed in.
    const rerendered = await post(deps, id, { decision: 'reject', comment, csrf: 'x' });
    const thanks = await post(deps, id, { decision: 'reject', comment, csrf: nonceOf(page) });
    for (const res of [page, rerendered, thanks]) {
      expect(res.body).not.toContain('<script>');
      expect(res.body).toContain(
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; &quot;Sons&quot;',
      );
    }
    expect(rerendered.body).toContain(
      '&lt;script&gt;steal()&lt;/script&gt; &quot;quoted&quot; &#39;single&#39;',
    );
  });

  it('puts no link id and no task token in any page body or log line', async () => {
    const { ids } = await seed(deps, { rule: { quorum: 2 }, approvers: APPROVERS });
    const bodies: string[] = [];
    const record = (r: HttpResponse) => {
      bodies.push(r.body, JSON.stringify(r.headers));
      return r;
    };
    const sponsor = ids['sponsor@acme.example'] ?? '';
    const approver = ids['approver@acme.example'] ?? '';
    const informed = ids['informed@acme.example'] ?? '';
    const page = record(await get(deps, sponsor));
    record(await post(deps, sponsor, { decision: 'reject', comment: '', csrf: nonceOf(page) }));
    record(await post(deps, sponsor, { decision: 'approve', csrf: nonceOf(page) }));
    record(await post(deps, sponsor, { decision: 'approve', csrf: nonceOf(page) }));
    record(
      await post(deps, approver, { decision: 'approve', csrf: 'bad' }, { origin: 'https://evil.example' }),
    );
    record(await decide(deps, approver, 'approve'));
    record(await get(deps, informed));
    record(await get(deps, newLinkId()));
    expect(deps.workflow.successes).toHaveLength(1);
    expect(logLines.length).toBeGreaterThan(0);
    for (const text of [...bodies, ...logLines]) {
      for (const secret of [sponsor, approver, informed, TOKEN]) expect(text).not.toContain(secret);
    }
  });
});
