/**
 * Security review of the approval links and pages on DynamoDB Local: GET/HEAD are side-effect free
 * for every kind of link, the neutral answer is byte-identical, the form's CSRF nonce is bound to its
 * link, cross-site posts are refused, the form is strictly validated, self-approval is refused, every
 * HTML response carries the security headers, and no secret reaches a log line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonLogger } from '../../functions/adapters/json-logger.js';
import { newApprovalLink, newLinkId } from '../../functions/core/approval-links.js';
import type { ProjectStore } from '../../functions/core/ports.js';
import { handleHttp } from '../../functions/http/app.js';
import type { HttpResponse } from '../../functions/http/exchange.js';
import { makeTestStore, type TestStore } from '../support/dynamo.js';
import { makeTestDeps, SettableClock, type TestDeps } from '../support/fakes.js';
import {
  approvalRequest,
  decideViaPage,
  getPage,
  nonceOf,
  postForm,
  type SeedOptions,
  SPONSOR,
  seedApprovalGate,
} from './approval-support.js';

const TOKEN = 'task-token-SECURITY-7c1e0b9a';
const APPROVER = { email: 'approver@acme.example', name: 'Jenny Price' };

const seed = (deps: TestDeps, options: Omit<SeedOptions, 'taskToken'> = {}) =>
  seedApprovalGate(deps, { taskToken: TOKEN, ...options });
const request = approvalRequest;
const get = getPage;
const head = (deps: TestDeps, id: string, query: Record<string, string> = {}) =>
  handleHttp(deps, request('HEAD', id, { query }));
const post = postForm;
const decide = decideViaPage;

/** Counts every write the use cases ask of the store (commit is the store's only write). */
function countingStore(inner: ProjectStore): ProjectStore & { writes: number } {
  const store = Object.create(inner) as ProjectStore & { writes: number };
  store.writes = 0;
  store.commit = (changes, events) => {
    store.writes++;
    return inner.commit(changes, events);
  };
  return store;
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

/** Every kind of link that must not work, plus the links that still work, on one table. */
async function everyKindOfLink(): Promise<{ dead: Record<string, string>; live: Record<string, string> }> {
  // Project 1, rule any: the sponsor approves, so the approver's pending link is spent.
  const spent = await seed(deps, { rule: 'any', approvers: [SPONSOR, APPROVER] });
  await decide(deps, spent.ids[SPONSOR.email] ?? '', 'approve');
  // Project 2: the sponsor rejects in round 1; round 2 supersedes every round-1 link.
  const rounds = await seed(deps, { projectId: 'rounds', approvers: [SPONSOR, APPROVER] });
  await decide(deps, rounds.ids[SPONSOR.email] ?? '', 'reject', 'Scope unclear');
  const gate = await deps.store.get('rounds', 'gate', 'initiation');
  if (!gate) throw new Error('no gate');
  const round2 = newApprovalLink({
    projectId: 'rounds',
    stage: 'initiation',
    round: 2,
    approverEmail: SPONSOR.email,
    approverName: SPONSOR.name,
    now: deps.clock.now(),
    linkTtlDays: 21,
  });
  await deps.store.commit([
    {
      ...gate,
      round: 2,
      status: 'pending_approval',
      approvers: [{ ...SPONSOR, linkHash: round2.link.linkHash }],
    },
    round2.link,
  ]);
  // Project 3: a link that works today but expires in one day (checked once the clock moved on).
  const expiring = await seed(deps, { projectId: 'expiring' });
  const [expiringLink] = expiring.links;
  if (!expiringLink) throw new Error('no link');
  await deps.store.commit([
    { ...expiringLink, version: 1, expiresAt: Math.floor(deps.clock.now().getTime() / 1000) + 86_400 },
  ]);
  expect((await get(deps, expiring.ids[SPONSOR.email] ?? '')).status).toBe(200);
  // A link of a project this deployment does not have, and one naming another project's gate.
  const foreign = newApprovalLink({
    projectId: 'not-here',
    stage: 'initiation',
    round: 1,
    approverEmail: 'ceo@other.example',
    approverName: 'Other',
    now: deps.clock.now(),
    linkTtlDays: 21,
  });
  const other = await seed(deps, { projectId: 'other-project' });
  const mismatched = newApprovalLink({
    projectId: other.project.id,
    stage: 'initiation',
    round: 1,
    approverEmail: APPROVER.email,
    approverName: APPROVER.name,
    now: deps.clock.now(),
    linkTtlDays: 21,
  });
  await deps.store.commit([foreign.link, mismatched.link]);
  // Self-approval: the sponsor submitted this stage.
  const self = await seed(deps, { projectId: 'self', submittedBy: SPONSOR.email });
  deps.clock.advanceDays(1.5);
  return {
    dead: {
      unknown: newLinkId(),
      malformed: 'not-a-link',
      empty: '',
      tooLong: `${newLinkId()}x`,
      expired: expiring.ids[SPONSOR.email] ?? '',
      superseded: rounds.ids[APPROVER.email] ?? '',
      reused: rounds.ids[SPONSOR.email] ?? '',
      otherProject: foreign.id,
      mismatched: mismatched.id,
      decidedWithoutThisApprover: spent.ids[APPROVER.email] ?? '',
    },
    live: {
      decided: spent.ids[SPONSOR.email] ?? '',
      open: round2.id,
      openOtherProject: other.ids[SPONSOR.email] ?? '',
      self: self.ids[SPONSOR.email] ?? '',
    },
  };
}

describe('GET and HEAD of an approval link', () => {
  it('write nothing, send nothing and call no workflow for any kind of link, method or query', async () => {
    const { dead, live } = await everyKindOfLink();
    const store = countingStore(ts.store);
    deps.store = store;
    const successes = deps.workflow.successes.length;
    const failures = deps.workflow.failures.length;
    const queries: Record<string, string>[] = [
      {},
      { document: 'plan' },
      { document: 'other' },
      { decision: 'approve', comment: 'ok', csrf: `${Date.now()}.${'A'.repeat(43)}` },
    ];
    let requests = 0;
    for (const id of [...Object.values(dead), ...Object.values(live)]) {
      for (const query of queries) {
        for (const method of ['GET', 'HEAD', 'get']) {
          const res = await handleHttp(deps, request(method, id, { query }));
          expect(res.status).toBeLessThan(500);
          requests++;
        }
      }
    }
    expect(requests).toBe(14 * 4 * 3);
    expect(store.writes).toBe(0);
    expect(deps.mailer.sent).toHaveLength(0);
    expect(deps.workflow.successes).toHaveLength(successes);
    expect(deps.workflow.failures).toHaveLength(failures);
  });

  it('answer HEAD with the status and headers of GET and no body', async () => {
    const { ids } = await seed(deps);
    const id = ids[SPONSOR.email] ?? '';
    const [g, h] = [await get(deps, id), await head(deps, id)];
    expect(h).toEqual({ status: g.status, headers: g.headers, body: '' });
  });
});

describe('links that do not work', () => {
  it('all get a byte-identical neutral response (status, headers, body) on GET, HEAD and POST', async () => {
    const { dead } = await everyKindOfLink();
    const neutralGet = await get(deps, newLinkId());
    const neutralHead = await head(deps, newLinkId());
    const neutralPost = await post(deps, newLinkId(), { decision: 'approve', csrf: 'x' });
    expect(neutralGet.status).toBe(404);
    expect(neutralHead).toEqual({ ...neutralGet, body: '' });
    expect(neutralPost).toEqual(neutralGet);
    for (const [name, id] of Object.entries(dead)) {
      for (const query of [{}, { document: 'plan' }] as Record<string, string>[]) {
        expect({ name, ...(await get(deps, id, query)) }).toEqual({ name, ...neutralGet });
        expect({ name, ...(await head(deps, id, query)) }).toEqual({ name, ...neutralHead });
      }
      const posted = await post(deps, id, { decision: 'approve', csrf: 'x' });
      expect({ name, ...posted }).toEqual({ name, ...neutralGet });
    }
  });

  it('answer the document view of a gate without a document with the neutral page', async () => {
    const { ids } = await seed(deps);
    expect(await get(deps, ids[SPONSOR.email] ?? '', { document: 'plan' })).toEqual(
      await get(deps, newLinkId()),
    );
  });
});

describe('the decision form', () => {
  it('refuses the nonce of another link and decides nothing', async () => {
    const { ids } = await seed(deps, { rule: 'all', approvers: [SPONSOR, APPROVER] });
    const sponsorNonce = nonceOf(await get(deps, ids[SPONSOR.email] ?? ''));
    const store = countingStore(ts.store);
    deps.store = store;
    const res = await post(deps, ids[APPROVER.email] ?? '', { decision: 'approve', csrf: sponsorNonce });
    expect(res.status).toBe(400);
    expect(res.body).toContain('this form has expired');
    expect(store.writes).toBe(0);
  });

  it('answers an expired nonce with the form again, whose fresh nonce then decides once', async () => {
    const { ids, project } = await seed(deps);
    const id = ids[SPONSOR.email] ?? '';
    const formClock = new SettableClock(new Date('2026-12-01T09:00:00.000Z'));
    const page = await handleHttp(deps, request('GET', id), { approval: { formClock } });
    formClock.set('2026-12-01T12:00:00.000Z');
    const body = (csrf: string) =>
      new URLSearchParams({ decision: 'approve', comment: 'Fine', csrf }).toString();
    const expired = await handleHttp(deps, request('POST', id, { body: body(nonceOf(page)) }), {
      approval: { formClock },
    });
    expect(expired.status).toBe(400);
    expect(expired.body).toContain('this form has expired; please review and submit it again');
    expect(expired.body).toMatch(/value="approve" required checked/);
    expect(expired.body).toContain('>Fine</textarea>');
    expect((await deps.store.get(project.id, 'gate', 'initiation'))?.status).toBe('pending_approval');
    expect(deps.workflow.successes).toHaveLength(0);
    const again = await handleHttp(deps, request('POST', id, { body: body(nonceOf(expired)) }), {
      approval: { formClock },
    });
    expect(again.body).toContain('Thank you, your approval is recorded');
    expect(deps.workflow.successes).toHaveLength(1);
  });

  it('refuses cross-site posts of every kind and writes nothing', async () => {
    const { ids } = await seed(deps);
    const id = ids[SPONSOR.email] ?? '';
    const csrf = nonceOf(await get(deps, id));
    const store = countingStore(ts.store);
    deps.store = store;
    const base = deps.config.publicBaseUrl;
    for (const headers of [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://evil.example', 'sec-fetch-site': '' },
      { origin: base.replace('9999', '9998') },
      { origin: base.replace('http:', 'https:') },
      { origin: `${base}.evil.example` },
      { origin: 'null', 'sec-fetch-site': '' },
      { origin: 'not a url' },
    ]) {
      const res = await handleHttp(
        deps,
        request('POST', id, {
          headers: Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== '')),
          body: new URLSearchParams({ decision: 'approve', csrf }).toString(),
        }),
      );
      expect({ headers, status: res.status }).toEqual({ headers, status: 403 });
    }
    expect(store.writes).toBe(0);
    expect(deps.workflow.successes).toHaveLength(0);
  });

  it('accepts only the exact decision values and writes nothing for any other', async () => {
    const { ids } = await seed(deps);
    const id = ids[SPONSOR.email] ?? '';
    const csrf = nonceOf(await get(deps, id));
    const store = countingStore(ts.store);
    deps.store = store;
    for (const decision of ['APPROVE', 'Approve', 'approved', 'approve ', 'yes', '', 'approve,reject']) {
      const res = await post(deps, id, { decision, comment: 'ok', csrf });
      expect({ decision, status: res.status }).toEqual({ decision, status: 400 });
      expect(res.body).toContain('choose approve or reject');
    }
    const missing = await post(deps, id, { comment: 'ok', csrf });
    expect(missing.status).toBe(400);
    expect(store.writes).toBe(0);
  });

  it('needs a comment to reject and limits its length', async () => {
    const { ids } = await seed(deps);
    const id = ids[SPONSOR.email] ?? '';
    const csrf = nonceOf(await get(deps, id));
    const store = countingStore(ts.store);
    deps.store = store;
    const empty = await post(deps, id, { decision: 'reject', comment: ' \r\n ', csrf });
    expect(empty.status).toBe(400);
    expect(empty.body).toContain('a comment is required to reject');
    const long = await post(deps, id, { decision: 'reject', comment: 'x'.repeat(2001), csrf });
    expect(long.status).toBe(400);
    expect(long.body).toContain('at most 2000 characters');
    expect(store.writes).toBe(0);
  });

  it('accepts a comment of 2000 characters in any script, with line breaks as browsers send them', async () => {
    const { ids, project } = await seed(deps);
    const id = ids[SPONSOR.email] ?? '';
    const csrf = nonceOf(await get(deps, id));
    // 2000 characters typed (3 bytes each in UTF-8, 9 once form-encoded); the browser sends each
    // line break of the textarea as CR LF.
    const lines = [...Array.from({ length: 19 }, () => `${'承認'.repeat(49)}。`), '承認'.repeat(50)];
    const comment = lines.join('\r\n');
    expect(lines.join('\n')).toHaveLength(2000);
    const res = await post(deps, id, { decision: 'reject', comment, csrf });
    expect(res.body).toContain('Thank you, your rejection is recorded');
    const gate = await deps.store.get(project.id, 'gate', 'initiation');
    expect(gate?.approvers[0]?.comment).toBe(lines.join('\n'));
  });

  it('answers a form body too large for any valid form with 413 and writes nothing', async () => {
    const { ids } = await seed(deps);
    const id = ids[SPONSOR.email] ?? '';
    const csrf = nonceOf(await get(deps, id));
    const store = countingStore(ts.store);
    deps.store = store;
    const res = await post(deps, id, { decision: 'approve', comment: '承'.repeat(10_000), csrf });
    expect(res.status).toBe(413);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(store.writes).toBe(0);
  });

  it('refuses self-approval when the submitter is an IAM identity named by the approver email', async () => {
    const submitters = {
      'arn-session': 'arn:aws:sts::123456789012:assumed-role/MilepostProjectManager/Sponsor@Acme.example',
      'arn-user': 'arn:aws:iam::123456789012:user/staff/sponsor@acme.example',
      'caller-id': 'AROAEXAMPLEID123:sponsor@acme.example',
    };
    const store = countingStore(ts.store);
    for (const [projectId, submittedBy] of Object.entries(submitters)) {
      const { ids } = await seed(deps, { projectId, submittedBy });
      const id = ids[SPONSOR.email] ?? '';
      const page = await get(deps, id);
      expect({ projectId, status: page.status }).toEqual({ projectId, status: 403 });
      expect(page.body).toContain('You cannot approve this stage');
      deps.store = store;
      expect((await post(deps, id, { decision: 'approve', csrf: 'x' })).status).toBe(403);
      deps.store = ts.store;
    }
    expect(store.writes).toBe(0);
  });

  it('lets another IAM identity approve', async () => {
    const { ids } = await seed(deps, {
      submittedBy: 'arn:aws:sts::123456789012:assumed-role/MilepostProjectManager/pm@msp.example',
    });
    const res = await decide(deps, ids[SPONSOR.email] ?? '', 'approve');
    expect(res.body).toContain('Thank you, your approval is recorded');
  });
});

describe('security headers', () => {
  const REQUIRED = {
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
  };

  function expectSecure(name: string, res: HttpResponse): void {
    expect({ name, ...res.headers }).toMatchObject({ name, ...REQUIRED });
    expect(res.headers['content-type']).toMatch(/^text\/html; charset=utf-8$/);
    const csp = res.headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("base-uri 'none'");
    // Scripts fall back to default-src 'none': no script-src at all, so no unsafe-inline script.
    expect(csp).not.toMatch(/script-src/);
  }

  it('are on every HTML response of the approval routes', async () => {
    const { ids } = await seed(deps, { documentVersion: 1, approvers: [SPONSOR, APPROVER] });
    const sponsor = ids[SPONSOR.email] ?? '';
    const approver = ids[APPROVER.email] ?? '';
    const self = await seed(deps, { projectId: 'self', submittedBy: SPONSOR.email });
    const responses: Record<string, HttpResponse> = {
      confirm: await get(deps, sponsor),
      head: await head(deps, sponsor),
      document: await get(deps, sponsor, { document: 'charter' }),
      neutral: await get(deps, newLinkId()),
      invalid: await post(deps, sponsor, { decision: 'maybe', csrf: 'x' }),
      forbidden: await post(deps, sponsor, { decision: 'approve' }, { origin: 'https://evil.example' }),
      selfApproval: await get(deps, self.ids[SPONSOR.email] ?? ''),
      tooLarge: await post(deps, sponsor, { comment: 'x'.repeat(100_000) }),
      thanks: await decide(deps, sponsor, 'approve'),
      decided: await get(deps, sponsor),
      methodNotAllowed: await handleHttp(deps, request('DELETE', approver)),
      notFound: await handleHttp(deps, { ...request('GET', ''), path: '/elsewhere' }),
    };
    expect(responses.thanks?.body).toContain('Thank you');
    expect(responses.decided?.body).toContain('Already decided');
    for (const [name, res] of Object.entries(responses)) expectSecure(name, res);
    const failing = makeTestDeps(
      {
        ...ts.store,
        getLink: async () => {
          throw new Error('boom');
        },
      } as never,
      { log: jsonLogger({}, () => undefined) },
    );
    expectSecure('error', await get(failing, sponsor));
  });
});

describe('secrets in logs', () => {
  it('never logs a link id, link hash, CSRF secret or nonce, or task token, even on failures', async () => {
    const { ids, links } = await seed(deps, { rule: { quorum: 2 }, approvers: [SPONSOR, APPROVER] });
    const sponsor = ids[SPONSOR.email] ?? '';
    const approver = ids[APPROVER.email] ?? '';
    const nonces: string[] = [];
    const page = await get(deps, sponsor);
    nonces.push(nonceOf(page));
    await post(deps, sponsor, { decision: 'approve', csrf: 'bad' });
    await post(
      deps,
      sponsor,
      { decision: 'approve', csrf: nonceOf(page) },
      { origin: 'https://evil.example' },
    );
    await post(deps, sponsor, { decision: 'approve', csrf: nonceOf(page) });
    // The workflow fails, and recording that failure fails with a message naming the link.
    const hash = links[1]?.linkHash ?? '';
    deps.workflow.sendTaskSuccess = async () => {
      throw new Error(`callback failed for ${TOKEN}`);
    };
    const inner = ts.store;
    const store = Object.create(inner) as ProjectStore;
    store.commit = async (changes, events) => {
      if (changes.length === 0) throw new Error(`ValidationException: item LINK#${hash} too large`);
      return inner.commit(changes, events);
    };
    deps.store = store;
    const approverPage = await get(deps, approver);
    nonces.push(nonceOf(approverPage));
    const res = await post(deps, approver, { decision: 'approve', csrf: nonceOf(approverPage) });
    expect(res.body).toContain('Thank you');
    // A store failure on the page itself.
    deps.store = {
      ...ts.store,
      getLink: async (h: string) => {
        throw new Error(`GetItem LINK#${h} failed`);
      },
    } as never;
    expect((await get(deps, sponsor)).status).toBe(500);
    expect(logLines.length).toBeGreaterThan(3);
    const secrets = [
      sponsor,
      approver,
      TOKEN,
      ...links.flatMap((l) => [l.linkHash, l.csrfSecret]),
      ...nonces.map((n) => n.split('.')[1] ?? n),
    ];
    for (const line of logLines) for (const secret of secrets) expect(line).not.toContain(secret);
  });
});
