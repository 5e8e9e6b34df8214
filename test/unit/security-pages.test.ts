/**
 * Security review of the approval pages: every user-supplied string (MSP, project, customer,
 * stage and approver names, what is approved, due date, the comment typed in, who decided) comes
 * out escaped on every page, rendered alone and through the HTTP application.
 */
import { describe, expect, it } from 'vitest';
import { newApprovalLink } from '../../functions/core/approval-links.js';
import type { Entity, Gate, Project, Stage } from '../../functions/core/model.js';
import {
  confirmPage,
  decidedPage,
  decideResultPage,
  selfApprovalPage,
  thankYouPage,
} from '../../functions/core/pages/approval-pages.js';
import type { ProjectStore } from '../../functions/core/ports.js';
import type { ApprovalView } from '../../functions/core/use-cases/view-approval.js';
import { handleHttp } from '../../functions/http/app.js';
import { makeGate, makeProject, makeProjectSpec, makeStage } from '../support/dynamo.js';
import { makeTestDeps } from '../support/fakes.js';

/** Markup, both quotes and an ampersand, tagged with the field it is put into. */
const hostile = (field: string) => `${field}<script>alert("x")</script><img src=x onerror='y'> & co`;
const escaped = (field: string) =>
  `${field}&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;y&#39;&gt; &amp; co`;

function expectEscaped(page: string, fields: string[]): void {
  expect(page).not.toMatch(/<script/i);
  expect(page).not.toMatch(/<img/i);
  for (const field of fields)
    expect({ field, found: page.includes(escaped(field)) }).toEqual({ field, found: true });
}

const view: ApprovalView = {
  projectId: hostile('projectid'),
  mspName: hostile('msp'),
  projectName: hostile('project'),
  customerName: hostile('customer'),
  timezone: 'Europe/London',
  stageKey: 'risk',
  stageName: hostile('stage'),
  approves: hostile('approves'),
  documentVersion: 2,
  due: hostile('due'),
  rule: hostile('rule'),
  round: 1,
  approverName: hostile('approver'),
  approverEmail: 'sponsor@acme.example',
  sections: [],
  acceptances: [],
};
const VIEW_FIELDS = ['msp', 'project', 'customer', 'stage', 'approves', 'due', 'rule', 'approver'];

describe('every page escapes every user-supplied string', () => {
  it('confirmation page, with a previous comment and a decision value that is not ours', () => {
    const page = confirmPage(view, 'nonce', [{ path: 'comment', message: hostile('message') }], {
      decision: '"><script>',
      comment: `</textarea>${hostile('comment')}`,
    });
    expectEscaped(page.html, [...VIEW_FIELDS, 'projectid', 'message', 'comment']);
    expect(page.html).toContain('&lt;/textarea&gt;comment');
    expect(page.html).not.toContain('checked');
  });

  it('invalid form re-rendered from the request', () => {
    const page = decideResultPage(
      { kind: 'invalid', view, nonce: 'n', issues: [{ path: 'csrf', message: 'expired' }] },
      { decision: 'reject', comment: hostile('comment') },
    );
    expectEscaped(page.html, [...VIEW_FIELDS, 'comment']);
  });

  it('thank-you, self-approval and already-decided pages', () => {
    expectEscaped(thankYouPage(view, 'reject').html, VIEW_FIELDS);
    expectEscaped(selfApprovalPage(view).html, ['msp', 'project', 'stage']);
    const decided = decidedPage({
      by: hostile('by'),
      at: '2026-12-01T09:00:00.000Z',
      decision: 'reject',
      timezone: 'Europe/London',
    });
    expectEscaped(decided.html, ['by']);
  });

  it('the page title', () => {
    expect(confirmPage(view, 'n').html).toContain(
      `<title>Approval: ${escaped('stage')} - ${escaped('project')}</title>`,
    );
  });
});

/** A store over a map (no versions): enough for the page and the decision. */
function memoryStore(records: Entity[]): ProjectStore {
  const key = (e: Entity): string => {
    if (e.entity === 'project') return `project|${e.id}`;
    if (e.entity === 'link') return `link|${e.linkHash}`;
    if (e.entity === 'digest') return `digest|${e.date}`;
    if (e.entity === 'stage') return `${e.projectId}|stage|${e.key}`;
    if (e.entity === 'gate') return `${e.projectId}|gate|${e.stage}`;
    return `${e.entity}|${JSON.stringify(e)}`;
  };
  const items = new Map(records.map((r) => [key(r), structuredClone(r)]));
  return {
    getProject: async (id) => items.get(`project|${id}`) as Project | undefined,
    getLink: async (hash) => items.get(`link|${hash}`) as never,
    get: async (projectId, entity, id) => items.get(`${projectId}|${entity}|${id}`) as never,
    getRecords: async (refs) =>
      refs.map((ref) =>
        items.get(
          ref.entity === 'project'
            ? `project|${ref.id}`
            : ref.entity === 'link'
              ? `link|${ref.linkHash}`
              : ref.entity === 'digest'
                ? `digest|${ref.date}`
                : ref.entity === 'removed' || ref.entity === 'counter'
                  ? 'none'
                  : `${ref.projectId}|${ref.entity}|${ref.id}`,
        ),
      ) as never,
    // The pages read single records; no snapshot is needed here.
    getProjectSnapshot: async () => undefined,
    list: async () => [],
    listProjects: async () => ({ items: [] }),
    listEvents: async () => ({ items: [] }),
    commit: async (changes) => {
      for (const c of changes) items.set(key(c), structuredClone(c));
      return changes;
    },
  };
}

describe('pages served by the HTTP application', () => {
  it('escape names from the project, stage, gate and link records, and the comment', async () => {
    const spec = makeProjectSpec({
      name: hostile('project'),
      customer: { name: hostile('customer'), timezone: 'Europe/London' },
      msp: { name: hostile('msp') },
    });
    const project = makeProject({ currentStage: 'initiation' }, spec);
    const made = newApprovalLink({
      projectId: project.id,
      stage: 'initiation',
      round: 1,
      approverEmail: 'sponsor@acme.example',
      approverName: hostile('linkname'),
      now: new Date('2026-12-01T09:00:00.000Z'),
      linkTtlDays: 21,
    });
    const stage: Stage = makeStage({
      name: hostile('stage'),
      status: 'awaiting_approval',
      due: hostile('due'),
    });
    const gate: Gate = makeGate({
      round: 1,
      status: 'pending_approval',
      taskToken: 'token',
      approvers: [{ email: 'sponsor@acme.example', name: hostile('approver'), linkHash: made.link.linkHash }],
    });
    const deps = makeTestDeps(memoryStore([project, stage, gate, made.link]));
    const path = `/approve/${made.id}`;
    const page = await handleHttp(deps, { method: 'GET', path, query: {}, headers: {}, body: '' });
    expect(page.status).toBe(200);
    expectEscaped(page.body, ['project', 'customer', 'msp', 'stage', 'due', 'approver']);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const comment = hostile('comment');
    const form = (fields: Record<string, string>) => ({
      method: 'POST',
      path,
      query: {},
      headers: {},
      body: new URLSearchParams(fields).toString(),
    });
    const invalid = await handleHttp(deps, form({ decision: 'reject', comment, csrf: 'bad' }));
    expectEscaped(invalid.body, ['project', 'stage', 'approver', 'comment']);
    const thanks = await handleHttp(deps, form({ decision: 'reject', comment, csrf }));
    expect(thanks.body).toContain('Thank you, your rejection is recorded');
    expectEscaped(thanks.body, ['project', 'stage', 'approver']);
    const decided = await handleHttp(deps, { method: 'GET', path, query: {}, headers: {}, body: '' });
    expect(decided.body).toContain('Already decided');
    expectEscaped(decided.body, ['linkname']);
  });
});
