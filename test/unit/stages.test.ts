import { describe, expect, it } from 'vitest';
import { contentSha256 } from '../../functions/core/documents/model.js';
import { PLAN_DOCUMENT_ID } from '../../functions/core/documents/plan.js';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { documentDraft } from '../../functions/core/stages/document-drafts.js';
import { prepareDocument } from '../../functions/core/stages/documents.js';
import {
  type ApprovalContent,
  approvesInWords,
  CUSTOM_STAGE_TYPE,
  STANDARD_STAGE_KEYS,
  STANDARD_STAGE_TYPES,
  stageType,
  standardStageType,
} from '../../functions/core/stages/index.js';
import {
  makeDeployment,
  makeMember,
  makeProject,
  makeProjectSpec,
  makeResource,
  makeStages,
  makeTask,
  makeTestCase,
  makeTrainingSession,
} from '../support/dynamo.js';
import { makeTestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

/** The lifecycle of the design, in order. */
const LIFECYCLE = ['initiation', 'resourcing', 'risk', 'execution', 'qa', 'deployment', 'support'];

describe('the stage type registry', () => {
  it('registers every standard stage once, in lifecycle order', () => {
    expect(STANDARD_STAGE_KEYS).toEqual(LIFECYCLE);
    expect(new Set(STANDARD_STAGE_TYPES.map((t) => t.key)).size).toBe(LIFECYCLE.length);
    expect(STANDARD_STAGE_TYPES).not.toContain(CUSTOM_STAGE_TYPE);
  });

  it('looks up each standard stage by its key', () => {
    for (const type of STANDARD_STAGE_TYPES) {
      expect(stageType(type.key)).toBe(type);
      expect(standardStageType(type.key)).toBe(type);
    }
  });

  it('gives every standard type a default name and gate', () => {
    for (const type of STANDARD_STAGE_TYPES) {
      expect(type.defaults.name.length).toBeGreaterThan(0);
      expect(type.defaults.approves.length).toBeGreaterThan(0);
      expect(type.defaults.exitCriteria.length).toBeGreaterThan(0);
      // An approval gate needs approvers; an automatic one has none.
      expect(type.defaults.approvers.length === 0).toBe(type.defaults.rule === 'auto');
    }
    expect(stageType('execution').defaults?.submit).toBe(true);
    expect(stageType('qa').defaults?.approvers).toEqual(['approver']);
    expect(STANDARD_STAGE_TYPES.filter((t) => t.defaults.rule === 'auto').map((t) => t.key)).toEqual([
      'resourcing',
      'support',
    ]);
  });

  it('falls back to the custom type for any other key', () => {
    expect(stageType('network-cutover')).toBe(CUSTOM_STAGE_TYPE);
    expect(stageType('custom')).toBe(CUSTOM_STAGE_TYPE);
    expect(standardStageType('network-cutover')).toBeUndefined();
    expect(CUSTOM_STAGE_TYPE.defaults).toBeUndefined();
    expect(CUSTOM_STAGE_TYPE.waitsFor).toBeUndefined();
    expect(CUSTOM_STAGE_TYPE.approvalDocument).toBeUndefined();
    expect(CUSTOM_STAGE_TYPE.enter).toBeUndefined();
  });
});

describe('stage type flags and hooks', () => {
  it('lets only the support stage wait for a period', () => {
    const waiting = STANDARD_STAGE_TYPES.filter((t) => t.waitsFor !== undefined);
    expect(waiting.map((t) => [t.key, t.waitsFor])).toEqual([['support', 'period']]);
  });

  it('starts the hypercare period when the support stage is entered', () => {
    const project = makeProject({}, makeProjectSpec({ support: { days: 14 } }));
    const now = new Date('2026-12-01T09:00:00.000Z');
    expect(stageType('support').enter?.({ project, now })).toEqual({
      supportUntil: '2026-12-15T09:00:00.000Z',
    });
    const entering = STANDARD_STAGE_TYPES.filter((t) => t.enter !== undefined).map((t) => t.key);
    expect(entering).toEqual(['support']);
  });

  it('has the initiation, risk and support stages approve a document: charter, plan, close-out', () => {
    const approving = STANDARD_STAGE_TYPES.filter((t) => t.approvalDocument !== undefined);
    expect(approving.map((t) => [t.key, t.approvalDocument?.id])).toEqual([
      ['initiation', 'charter'],
      ['risk', PLAN_DOCUMENT_ID],
      ['support', 'closeout'],
    ]);
  });
});

describe('the documents gates approve', () => {
  it('generates the document each stage type names, as a new version only when it changed', async () => {
    const store = new MemoryProjectStore();
    const spec = makeProjectSpec({ id: 'docs' });
    const project = makeProject({}, spec);
    await store.commit([project, ...makeStages(project), makeMember({ projectId: 'docs' })]);
    const deps = makeTestDeps(store);
    const approving = STANDARD_STAGE_TYPES.filter((t) => t.approvalDocument !== undefined);
    expect(approving).toHaveLength(3);
    for (const type of approving) {
      const document = type.approvalDocument!;
      await prepareDocument(deps, 'docs', document, 'pm@msp.example');
      expect((await store.get('docs', 'document', document.id))?.docVersion, type.key).toBe(1);
      // Unchanged: the same version (the gate approves one exact version).
      await prepareDocument(deps, 'docs', document, 'pm@msp.example');
      expect((await store.get('docs', 'document', document.id))?.docVersion, type.key).toBe(1);
    }
    const events = (await store.listEvents('docs')).items.map((e) => e.type);
    expect(events).toEqual(['charter_generated', 'plan_generated', 'closeout_generated']);
  });

  it('builds, without rendering, the same draft its generator published (a deploy compares them)', async () => {
    const store = new MemoryProjectStore();
    const spec = makeProjectSpec({ id: 'docs' });
    const project = makeProject({}, spec);
    await store.commit([project, ...makeStages(project), makeMember({ projectId: 'docs' })]);
    const deps = makeTestDeps(store);
    for (const type of STANDARD_STAGE_TYPES.filter((t) => t.approvalDocument !== undefined)) {
      const document = type.approvalDocument!;
      await prepareDocument(deps, 'docs', document, 'pm@msp.example');
      const stored = (await store.get('docs', 'document', document.id))!;
      const current = (await store.getProject('docs'))!;
      const draft = await documentDraft(deps, current, document.id);
      expect(contentSha256(draft), type.key).toBe(stored.contentSha256);
      // On another budget the charter and the plan say something else.
      const other = { ...current, spec: { ...current.spec, budget: { ...current.spec.budget, amount: 1 } } };
      const changed = contentSha256(await documentDraft(deps, other, document.id));
      if (type.key !== 'support') expect(changed, type.key).not.toBe(stored.contentSha256);
    }
    expect(() => documentDraft(deps, project, 'minutes')).toThrow('no draft builder for document minutes');
  });

  it('refuses a document it has no generator for, generating nothing', async () => {
    const store = new MemoryProjectStore();
    const deps = makeTestDeps(store);
    expect(() => prepareDocument(deps, 'docs', { id: 'minutes', name: 'meeting minutes' }, 'pm')).toThrow(
      'no generator for document minutes',
    );
    expect(deps.documents.docs.size).toBe(0);
  });
});

describe('approval content', () => {
  const project = makeProject();
  const resolved = (key: string) => project.stages.find((s) => s.key === key)!;
  const contentOf = (key: string, store = new MemoryProjectStore(), gate = {}) =>
    stageType(key).approvalContent({ store, project, stage: resolved(key), gate });
  /** Every line of the content, `title > label: detail; detail` (empty sentences too). */
  const lines = (content: ApprovalContent) =>
    (content.sections ?? []).flatMap((s) =>
      s.items.length
        ? s.items.map((i) => `${s.title} > ${i.label}${i.detail?.length ? `: ${i.detail.join('; ')}` : ''}`)
        : [`${s.title} > ${s.empty}`],
    );

  it('shows the plan document version the risk gate records', async () => {
    const content = await contentOf('risk', undefined, { documentVersion: 3 });
    expect(content).toEqual({
      approves: 'the project plan document',
      document: { id: PLAN_DOCUMENT_ID, name: 'project plan document', version: 3 },
    });
    expect(approvesInWords(content)).toBe('project plan document v3');
  });

  it('shows only what is approved when the risk gate records no version yet', async () => {
    const content = await contentOf('risk');
    expect(content).toEqual({ approves: 'the project plan document' });
    expect(approvesInWords(content)).toBe('the project plan document');
  });

  it('shows the charter at initiation: objectives, scope in and out, deliverables with acceptance, budget, people', async () => {
    const content = await contentOf('initiation');
    expect(approvesInWords(content)).toBe('the project charter');
    expect(lines(content)).toEqual(
      expect.arrayContaining([
        'Objectives > Move mail to Microsoft 365',
        'Requirements > Data stays in the UK',
        'In scope > 12 mailboxes',
        'Out of scope > Phone system',
        'Deliverables > Configured tenant: Acceptance: CIS baseline applied; Delivered in: Execution & Implementation',
        'Timeline > 2026-12-01 to 2027-02-26',
        'Budget > £18,500.00, 160 hours',
        'Stakeholders > Amara Okafor: sponsor; sponsor@acme.example',
        'Team > Marco Rossi: engineer; 80% of their time; Skills: exchange',
        'Communication plan > email',
        'Communication plan > Status report every week on friday at 16:00 (Europe/London)',
      ]),
    );
  });

  it('shows the allocations and the resources with their cost at resourcing', async () => {
    const store = new MemoryProjectStore();
    await store.commit([
      makeMember({ projectId: project.id }),
      makeResource({ projectId: project.id }),
      makeResource({
        projectId: project.id,
        id: 'laptops',
        kind: 'hardware',
        name: 'Laptops',
        quantity: 2,
        cost: 1800,
      }),
    ]);
    expect(lines(await contentOf('resourcing', store))).toEqual([
      'Allocations > Marco Rossi: engineer; 80% of their time; Skills: exchange',
      'Resources (total £4,440.00) > Laptops: hardware; Quantity 2; Cost £1,800.00',
      'Resources (total £4,440.00) > M365 Business Premium: software; Quantity 12; Cost £2,640.00',
    ]);
  });

  it('shows each deliverable of execution with its acceptance and evidence, and the work done', async () => {
    const store = new MemoryProjectStore();
    await store.commit([
      makeTask({
        projectId: project.id,
        acceptance: 'CIS baseline applied',
        evidence: 'https://evidence.example/cis.pdf',
        status: 'done',
        actualHours: 6,
      }),
      makeTask({
        projectId: project.id,
        id: 'dns',
        type: 'task',
        name: 'DNS records',
        status: 'in_progress',
      }),
      makeTask({ projectId: project.id, id: 'other', stage: 'qa', name: 'Not this stage' }),
    ]);
    expect(lines(await contentOf('execution', store))).toEqual([
      'Deliverables > Configured tenant: Acceptance: CIS baseline applied; Evidence: https://evidence.example/cis.pdf; Status: done; 6 h spent',
      'Work done > DNS records: Status: in progress',
    ]);
  });

  it('lists the QA test cases by category with their results and evidence, and each waiver', async () => {
    const store = new MemoryProjectStore();
    await store.commit([
      makeTestCase({ projectId: project.id }),
      makeTestCase({
        projectId: project.id,
        id: 'pen-test',
        name: 'External pen test',
        category: 'security',
        result: 'failed',
        steps: [],
        evidence: undefined,
      }),
      makeTestCase({
        projectId: project.id,
        id: 'load',
        name: 'Load test',
        category: 'performance',
        result: 'waived',
        waiverReason: 'Only 12 users',
        steps: [],
        tester: undefined,
        evidence: undefined,
      }),
    ]);
    expect(lines(await contentOf('qa', store))).toEqual([
      'Functional tests > Mail flows in and out: Result: passed (tested by Marco Rossi); Expected: Both arrive within a minute; Steps: Send a mail from outside; Reply to it; Evidence: https://evidence.example/mail-flow.png',
      'Security tests > External pen test: Result: FAILED (tested by Marco Rossi); Expected: Both arrive within a minute',
      'Performance tests > Load test: Result: waived; Expected: Both arrive within a minute',
      'Waivers you accept with this decision > Load test: Waived: Only 12 users',
    ]);
  });

  it('shows the deployment record (window, steps, rollback plan, result) and the training sessions', async () => {
    const store = new MemoryProjectStore();
    await store.commit([
      makeDeployment({ projectId: project.id }),
      makeTrainingSession({ projectId: project.id }),
    ]);
    expect(lines(await contentOf('deployment', store))).toEqual([
      'Deployments > Mailbox cut-over: Window: 2026-12-05T18:00:00.000Z to 2026-12-05T22:00:00.000Z; Steps: 1. Switch MX records 2. Final sync; Rollback plan: Point MX back to the old server; Result: succeeded; Deployed by: Marco Rossi',
      'Training sessions > Outlook and Teams basics: Date: 2026-12-06; Audience: front-desk staff; Attendees: Jo Smith, Ana Lee; Materials: https://training.example/outlook.pdf',
    ]);
  });

  it('says training is waived, with the spec’s reason, when it is', async () => {
    const waived = makeProject(
      {},
      makeProjectSpec({ training: { waiverReason: 'The customer trains its staff' } }),
    );
    const content = await stageType('deployment').approvalContent({
      store: new MemoryProjectStore(),
      project: waived,
      stage: resolved('deployment'),
      gate: {},
    });
    expect(lines(content)).toEqual([
      'Deployments > No deployment is recorded.',
      'Training sessions > Training is waived: The customer trains its staff',
    ]);
  });

  it('shows only what is approved at support (the close-out is its own report)', async () => {
    const content = await contentOf('support');
    expect(content).toEqual({ approves: resolved('support').gate.approves });
  });
});

describe('resolveStages with stage types', () => {
  it('applies the default names and marks the stage that waits for a period', () => {
    const stages = resolveStages(makeProjectSpec());
    expect(stages.map((s) => s.key)).toEqual(LIFECYCLE);
    expect(stages.map((s) => s.name)).toEqual(STANDARD_STAGE_TYPES.map((t) => t.defaults.name));
    expect(stages.filter((s) => s.waitsFor).map((s) => [s.key, s.waitsFor])).toEqual([['support', 'period']]);
  });

  it('keeps the flag on a renamed support stage and gives a custom stage none', () => {
    const stages = resolveStages(
      makeProjectSpec({
        stages: [
          { key: 'initiation' },
          { key: 'network-cutover', name: 'Network cut-over' },
          { key: 'support', name: 'Hypercare' },
        ],
      }),
    );
    expect(stages.map((s) => [s.key, s.name, s.standard, s.waitsFor])).toEqual([
      ['initiation', 'Initiation & Planning', true, undefined],
      ['network-cutover', 'Network cut-over', false, undefined],
      ['support', 'Hypercare', true, 'period'],
    ]);
    expect(stages[1]!.gate.approves).toBe('completion of Network cut-over');
  });
});
