import { beforeAll, describe, expect, it } from 'vitest';
import {
  type PlanInput,
  renderPlan,
  renderPlanHtml,
  renderPlanMarkdown,
} from '../../functions/core/documents/plan.js';
import { NotFoundError } from '../../functions/core/errors.js';
import type { Risk } from '../../functions/core/model.js';
import { generatePlan, planKey } from '../../functions/core/use-cases/generate-plan.js';
import {
  makeMember,
  makeProject,
  makeProjectSpec,
  makeResource,
  makeRisk,
  makeStakeholder,
} from '../support/dynamo.js';
import { makeTestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

function planInput(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    project: makeProject(),
    stakeholders: [makeStakeholder()],
    members: [makeMember()],
    resources: [
      makeResource(),
      makeResource({ id: 'migration-tool', kind: 'tool', name: 'Migration tool', quantity: 15, cost: 225 }),
    ],
    risks: [
      makeRisk({ id: 'low', title: 'Printer driver issues', likelihood: 1, impact: 2 }),
      makeRisk({ id: 'top', title: 'Mail lost during migration', likelihood: 4, impact: 5 }),
      makeRisk({
        id: 'mid',
        title: 'MFA lockout',
        likelihood: 3,
        impact: 3,
        owner: undefined,
        mitigation: undefined,
      }),
    ],
    ...overrides,
  };
}

describe('plan document', () => {
  it('escapes <script> and quotes from every user-supplied field in the HTML', () => {
    const evil = `<script>alert("x")</script> & 'quoted'`;
    const spec = makeProjectSpec({ name: evil, objectives: [evil] });
    const input = planInput({
      project: makeProject({ name: evil, customerName: evil, mspName: evil }, spec),
      stakeholders: [makeStakeholder({ name: evil })],
      members: [makeMember({ name: evil, skills: [evil] })],
      resources: [makeResource({ name: evil })],
      risks: [makeRisk({ title: evil, owner: evil, mitigation: evil })],
    });
    const html = renderPlanHtml(input);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain(`"x"`);
    expect(html).not.toContain(`'quoted'`);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
    // one occurrence per place it is shown, all escaped
    expect(html.split('&lt;script&gt;').length - 1).toBeGreaterThanOrEqual(9);
  });

  it('is a complete HTML page with a working style sheet', () => {
    const html = renderPlanHtml(planInput());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('font-family:-apple-system,BlinkMacSystemFont,"Segoe UI"');
    expect(html).toContain('<title>Project plan: Microsoft 365 migration</title>');
  });

  it('keeps markup out of the Markdown rendering too', () => {
    const input = planInput({ risks: [makeRisk({ title: '<img src=x onerror=alert(1)> | *bold*' })] });
    const markdown = renderPlanMarkdown(input);
    expect(markdown).not.toMatch(/(^|[^\\])<img/m);
    expect(markdown).toContain('\\<img src=x onerror=alert(1)\\> \\| \\*bold\\*');
  });

  it('lists every risk with its score, highest first, with owner and mitigation', () => {
    const input = planInput();
    const html = renderPlanHtml(input);
    const positions = ['Mail lost during migration', 'MFA lockout', 'Printer driver issues'].map((t) =>
      html.indexOf(t),
    );
    expect(positions.every((p) => p > 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(html).toContain('20 (high)');
    expect(html).toContain('9 (medium)');
    expect(html).toContain('2 (low)');
    expect(html).toContain('Full export before cut-over');
    const markdown = renderPlanMarkdown(input);
    for (const risk of input.risks) expect(markdown).toContain(risk.title);
  });

  it('shows resources with their costs and the total, the stage timeline and the budget', () => {
    const html = renderPlanHtml(planInput());
    expect(html).toContain('£2,640.00');
    expect(html).toContain('£225.00');
    expect(html).toContain('£2,865.00');
    expect(html).toContain('Budget: £18,500.00, 160 hours');
    for (const stage of makeProject().stages) expect(html).toContain(stage.name.replace('&', '&amp;'));
    expect(html).toContain('Move mail to Microsoft 365');
    expect(html).toContain('Phone system');
  });

  it('renders the same input to the same hash, and a changed risk to another', () => {
    const input = planInput();
    expect(renderPlan(input).sha256).toBe(renderPlan(planInput()).sha256);
    const changed = planInput({
      risks: input.risks.map((r: Risk) => (r.id === 'mid' ? { ...r, owner: 'Priya' } : r)),
    });
    expect(renderPlan(changed).sha256).not.toBe(renderPlan(input).sha256);
  });
});

describe('generatePlan', () => {
  let t: { store: MemoryProjectStore };
  beforeAll(async () => {
    t = { store: new MemoryProjectStore() };
  });

  async function seed(id: string) {
    const spec = makeProjectSpec({ id });
    await t.store.commit([
      makeProject({}, spec),
      makeRisk({ projectId: id }),
      makeMember({ projectId: id }),
      makeResource({ projectId: id }),
      makeStakeholder({ projectId: id }),
    ]);
    return makeTestDeps(t.store);
  }

  it('stores version 1 with its record, the project plan version and an event in one go', async () => {
    const deps = await seed('plan-first');
    const record = await generatePlan(deps, 'plan-first', 'pm@msp.example');

    expect(record).toMatchObject({
      entity: 'document',
      id: 'plan',
      kind: 'plan',
      docVersion: 1,
      key: 'projects/plan-first/plan/v1.html',
      version: 1,
    });
    const body = deps.documents.docs.get(planKey('plan-first', 1));
    expect(body?.contentType).toBe('text/html; charset=utf-8');
    expect(body?.body).toContain('Mail lost during migration');
    expect(deps.documents.docs.get(planKey('plan-first', 1, 'md'))?.body).toContain('# Project plan');
    expect(record.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await t.store.getProject('plan-first'))?.planVersion).toBe(1);
    const events = await t.store.listEvents('plan-first');
    expect(events.items.map((e) => [e.type, e.actor])).toEqual([['plan_generated', 'pm@msp.example']]);
  });

  it('increments the version only when the plan changed', async () => {
    const deps = await seed('plan-again');
    const v1 = await generatePlan(deps, 'plan-again', 'system');
    const same = await generatePlan(deps, 'plan-again', 'system');
    expect(same).toEqual(v1);
    expect(deps.documents.docs.size).toBe(2);
    expect((await t.store.listEvents('plan-again')).items).toHaveLength(1);

    const risk = await t.store.get('plan-again', 'risk', 'data-loss');
    if (!risk) throw new Error('risk missing');
    await t.store.commit([{ ...risk, mitigation: 'Two verified backups' }]);
    const v2 = await generatePlan(deps, 'plan-again', 'system');
    expect(v2.docVersion).toBe(2);
    expect(v2.key).toBe('projects/plan-again/plan/v2.html');
    expect(v2.sha256).not.toBe(v1.sha256);
    expect(deps.documents.docs.get(v2.key)?.body).toContain('Two verified backups');
    expect((await t.store.getProject('plan-again'))?.planVersion).toBe(2);
    expect((await t.store.listEvents('plan-again')).items.map((e) => e.type)).toEqual([
      'plan_generated',
      'plan_generated',
    ]);
  });

  it('fails with NotFoundError for an unknown project', async () => {
    await expect(generatePlan(makeTestDeps(t.store), 'no-such-project', 'system')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
