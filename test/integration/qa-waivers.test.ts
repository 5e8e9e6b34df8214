/**
 * QA approval accepts each waiver explicitly: the page lists every waived test case with a
 * checkbox; an approval without every waiver ticked (as it is now) is refused with the page
 * naming what was not accepted and changes nothing; the accepted waivers are recorded with the
 * decision (gate approver state and event). A rejection needs no tick. DynamoDB Local.
 */
import { describe, expect, it } from 'vitest';
import type { TestCase } from '../../functions/core/model.js';
import { handleLifecycle } from '../../functions/handlers/lifecycle.js';
import { handleHttp } from '../../functions/http/app.js';
import type { HttpResponse } from '../../functions/http/exchange.js';
import { makeTestCase } from '../support/dynamo.js';
import { approvalRequest } from './approval-support.js';
import { type LifecycleFixture, lifecycleFixture, linkIds, START } from './lifecycle-support.js';

const EVIL = '<script>alert(1)</script>';

async function qaWithWaivers() {
  const f = await lifecycleFixture();
  await f.deps.store.commit([
    makeTestCase({ projectId: f.projectId, id: 'mail', name: 'Mail flows in and out' }),
    makeTestCase({
      projectId: f.projectId,
      id: 'load',
      name: 'Load test',
      category: 'performance',
      result: 'waived',
      waiverReason: 'Only 12 users',
    }),
    makeTestCase({
      projectId: f.projectId,
      id: 'pen',
      name: `Penetration test ${EVIL}`,
      category: 'security',
      result: 'waived',
      waiverReason: 'Customer runs its own yearly test',
    }),
  ]);
  await handleLifecycle(f.deps, {
    action: 'enterStage',
    projectId: f.projectId,
    stage: 'qa',
    executionStartedAt: START,
  });
  await handleLifecycle(f.deps, {
    action: 'openGate',
    projectId: f.projectId,
    stage: 'qa',
    taskToken: 'token-qa-XXXXXXXXXXXXXXXXXXXXXXXX',
  });
  const [id] = linkIds(f.mailer.sent.filter((m) => m.tag === 'approval-request'));
  if (!id) throw new Error('no approval link');
  return { f, id };
}

const getPage = (f: LifecycleFixture, id: string) => handleHttp(f.deps, approvalRequest('GET', id));

function post(f: LifecycleFixture, id: string, fields: [string, string][]): Promise<HttpResponse> {
  return handleHttp(
    f.deps,
    approvalRequest('POST', id, {
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: f.deps.config.publicBaseUrl,
        'sec-fetch-site': 'same-origin',
      },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

const nonce = (page: HttpResponse) => /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
/** The checkbox fields of the page: name per waiver label. */
function boxes(page: HttpResponse): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of page.body.matchAll(
    /<input type="checkbox" id="accept-\d+" name="([^"]+)" value="yes"(?: checked)?> <label for="accept-\d+"><strong>([^<]*)<\/strong>/g,
  ))
    out.set(m[2] ?? '', (m[1] ?? '').replaceAll('&#39;', "'").replaceAll('&amp;', '&'));
  return out;
}

async function nothingDecided(f: LifecycleFixture) {
  const gate = await f.gate('qa');
  expect(gate.status).toBe('pending_approval');
  expect(gate.approvers.every((a) => a.decision === undefined)).toBe(true);
  expect((await f.events()).filter((e) => e.type === 'approval_decided')).toEqual([]);
  expect(f.workflow.successes).toEqual([]);
}

describe('QA approval with waivers', () => {
  it('lists each waiver with a checkbox on the page, once, escaped', async () => {
    const { f, id } = await qaWithWaivers();
    const page = await getPage(f, id);
    expect(page.status).toBe(200);
    const fields = boxes(page);
    expect([...fields.keys()]).toEqual([
      'Load test',
      'Penetration test &lt;script&gt;alert(1)&lt;/script&gt;',
    ]);
    for (const name of fields.values()) expect(name).toMatch(/^accept:(load|pen)\.[A-Za-z0-9_-]{16}$/);
    expect(page.body).toContain('Only 12 users');
    expect(page.body).not.toContain(EVIL);
    // Listed in the form, not again as a section above it.
    expect(page.body).not.toContain('<h2>Waivers you accept with this decision</h2>');
    expect(page.body).toContain('<legend>Waivers you accept with an approval</legend>');
    // Passed test cases have no checkbox.
    expect(page.body).not.toMatch(/name="accept:mail\./);
  });

  it('refuses an approval without every waiver accepted, names the missing ones, and changes nothing', async () => {
    const { f, id } = await qaWithWaivers();
    const page = await getPage(f, id);
    const fields = boxes(page);
    const none = await post(f, id, [
      ['decision', 'approve'],
      ['csrf', nonce(page)],
    ]);
    expect(none.status).toBe(400);
    expect(none.body).toContain('To approve, accept each waiver by ticking it');
    expect(none.body).toContain('&quot;Load test&quot;');
    expect(none.body).toContain('&quot;Penetration test &lt;script&gt;');
    expect(none.body).toContain('Nothing was recorded.');
    await nothingDecided(f);

    // One of two: refused again, naming only the other; the tick given stays ticked.
    const one = await post(f, id, [
      ['decision', 'approve'],
      ['csrf', nonce(page)],
      [fields.get('Load test') ?? '', 'yes'],
    ]);
    expect(one.status).toBe(400);
    expect(one.body).not.toContain('&quot;Load test&quot;');
    expect(one.body).toContain('not accepted: &quot;Penetration test');
    expect(one.body).toMatch(/name="accept:load\.[^"]+" value="yes" checked>/);
    await nothingDecided(f);
  });

  it('does not count a tick of a waiver whose reason changed after the page was shown', async () => {
    const { f, id } = await qaWithWaivers();
    const page = await getPage(f, id);
    const fields = boxes(page);
    const load = (await f.deps.store.get(f.projectId, 'test_case', 'load')) as TestCase;
    await f.deps.store.commit([{ ...load, waiverReason: 'Not needed at all' }]);
    const res = await post(f, id, [
      ['decision', 'approve'],
      ['csrf', nonce(page)],
      ...[...fields.values()].map((name): [string, string] => [name, 'yes']),
    ]);
    expect(res.status).toBe(400);
    expect(res.body).toContain('not accepted: &quot;Load test&quot;');
    expect(res.body).toContain('Not needed at all');
    await nothingDecided(f);
  });

  it('approves with every waiver ticked and records the accepted waivers with the decision', async () => {
    const { f, id } = await qaWithWaivers();
    const page = await getPage(f, id);
    const res = await post(f, id, [
      ['decision', 'approve'],
      ['csrf', nonce(page)],
      ...[...boxes(page).values()].map((name): [string, string] => [name, 'yes']),
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toContain('your approval is recorded');
    expect(res.body).toContain('With it you accepted these waivers');
    const gate = await f.gate('qa');
    expect(gate.status).toBe('approved');
    const accepted = [
      { key: expect.stringMatching(/^load\./), label: 'Load test', detail: 'Waived: Only 12 users' },
      {
        key: expect.stringMatching(/^pen\./),
        label: `Penetration test ${EVIL}`,
        detail: 'Waived: Customer runs its own yearly test',
      },
    ];
    expect(gate.approvers[0]?.accepted).toEqual(accepted);
    const decided = (await f.events()).find((e) => e.type === 'approval_decided');
    expect(decided?.data?.accepted).toEqual(accepted);
    expect(decided?.summary).toContain('accepting 2 waiver(s)');
    expect(f.workflow.successes).toHaveLength(1);
  });

  it('rejects without any tick', async () => {
    const { f, id } = await qaWithWaivers();
    const page = await getPage(f, id);
    const res = await post(f, id, [
      ['decision', 'reject'],
      ['comment', 'Run the load test'],
      ['csrf', nonce(page)],
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toContain('your rejection is recorded');
    const gate = await f.gate('qa');
    expect(gate.status).toBe('rejected');
    expect(gate.approvers[0]?.accepted).toBeUndefined();
    expect(f.workflow.failures).toHaveLength(1);
  });
});
