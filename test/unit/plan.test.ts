import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentSha256 } from '../../functions/core/documents/model.js';
import { type PlanInput, planDocument } from '../../functions/core/documents/plan.js';
import { NotFoundError } from '../../functions/core/errors.js';
import type { Risk } from '../../functions/core/model.js';
import { generatePlan } from '../../functions/core/use-cases/generate-plan.js';
import { documentKey } from '../../functions/core/use-cases/publish-document.js';
import {
  makeMember,
  makeProject,
  makeProjectSpec,
  makeResource,
  makeRisk,
  makeStakeholder,
} from '../support/dynamo.js';
import { makeTestDeps, pdfText } from '../support/fakes.js';
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

/** Every string of a document model, in reading order. */
function textOf(input: PlanInput): string {
  return JSON.stringify(planDocument(input));
}

describe('plan document', () => {
  it('lists every risk with its score, highest first, with owner and mitigation', () => {
    const input = planInput();
    const text = textOf(input);
    const positions = ['Mail lost during migration', 'MFA lockout', 'Printer driver issues'].map((t) =>
      text.indexOf(t),
    );
    expect(positions.every((p) => p > 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(text).toContain('20 (high)');
    expect(text).toContain('9 (medium)');
    expect(text).toContain('2 (low)');
    expect(text).toContain('Full export before cut-over');
  });

  it('shows resources with their costs and the total, the stage timeline and the budget', () => {
    const text = textOf(planInput());
    expect(text).toContain('£2,640.00');
    expect(text).toContain('£225.00');
    expect(text).toContain('£2,865.00');
    expect(text).toContain('Budget: £18,500.00, 160 hours');
    for (const stage of makeProject().stages) expect(text).toContain(stage.name);
    expect(text).toContain('Move mail to Microsoft 365');
    expect(text).toContain('Phone system');
  });

  it('builds the same input to the same content hash, and a changed risk to another', () => {
    const input = planInput();
    expect(contentSha256(planDocument(input))).toBe(contentSha256(planDocument(planInput())));
    const changed = planInput({
      risks: input.risks.map((r: Risk) => (r.id === 'mid' ? { ...r, owner: 'Priya' } : r)),
    });
    expect(contentSha256(planDocument(changed))).not.toBe(contentSha256(planDocument(input)));
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
      key: 'projects/plan-first/plan/v1.pdf',
      version: 1,
    });
    const body = deps.documents.docs.get(documentKey('plan-first', 'plan', 1));
    expect(body?.contentType).toBe('application/pdf');
    expect(
      Buffer.from(body?.body ?? [])
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');
    expect(pdfText(body?.body ?? new Uint8Array())).toContain('Mail lost during migration');
    expect(record.sha256).toBe(
      createHash('sha256')
        .update(body?.body ?? new Uint8Array())
        .digest('hex'),
    );
    expect(record.size).toBe(body?.body.byteLength);
    expect((await t.store.getProject('plan-first'))?.planVersion).toBe(1);
    const events = await t.store.listEvents('plan-first');
    expect(events.items.map((e) => [e.type, e.actor])).toEqual([['plan_generated', 'pm@msp.example']]);
  });

  it('increments the version only when the plan changed', async () => {
    const deps = await seed('plan-again');
    const v1 = await generatePlan(deps, 'plan-again', 'system');
    const same = await generatePlan(deps, 'plan-again', 'system');
    expect(same).toEqual(v1);
    expect(deps.documents.docs.size).toBe(1);
    expect((await t.store.listEvents('plan-again')).items).toHaveLength(1);

    const risk = await t.store.get('plan-again', 'risk', 'data-loss');
    if (!risk) throw new Error('risk missing');
    await t.store.commit([{ ...risk, mitigation: 'Two verified backups' }]);
    const v2 = await generatePlan(deps, 'plan-again', 'system');
    expect(v2.docVersion).toBe(2);
    expect(v2.key).toBe('projects/plan-again/plan/v2.pdf');
    expect(v2.sha256).not.toBe(v1.sha256);
    expect(pdfText(deps.documents.docs.get(v2.key)?.body ?? new Uint8Array())).toContain(
      'Two verified backups',
    );
    // Version 1 stays as it was, listed with version 2.
    expect(deps.documents.docs.get(v1.key)).toBeDefined();
    expect(v2.versions?.map((v) => [v.docVersion, v.sha256])).toEqual([
      [1, v1.sha256],
      [2, v2.sha256],
    ]);
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
