import { describe, expect, it } from 'vitest';
import { PLAN_DOCUMENT_ID } from '../../functions/core/documents/plan.js';
import { resolveStages } from '../../functions/core/spec/schema.js';
import {
  approvesInWords,
  CUSTOM_STAGE_TYPE,
  STANDARD_STAGE_KEYS,
  STANDARD_STAGE_TYPES,
  stageType,
  standardStageType,
} from '../../functions/core/stages/index.js';
import { makeProject, makeProjectSpec } from '../support/dynamo.js';

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

  it('has only the risk stage approve a document: the plan, in its current version', () => {
    const approving = STANDARD_STAGE_TYPES.filter((t) => t.approvalDocument !== undefined);
    expect(approving.map((t) => t.key)).toEqual(['risk']);
    const plan = stageType('risk').approvalDocument!;
    expect(plan.id).toBe(PLAN_DOCUMENT_ID);
    expect(plan.currentVersion(makeProject({ planVersion: 4 }))).toBe(4);
    expect(plan.currentVersion(makeProject())).toBeUndefined();
  });
});

describe('approval content', () => {
  const project = makeProject();
  const resolved = (key: string) => project.stages.find((s) => s.key === key)!;

  it('shows the plan document version the risk gate records', () => {
    const content = stageType('risk').approvalContent({
      stage: resolved('risk'),
      gate: { documentVersion: 3 },
    });
    expect(content).toEqual({
      approves: 'the project plan document',
      document: { id: PLAN_DOCUMENT_ID, name: 'project plan document', version: 3 },
    });
    expect(approvesInWords(content)).toBe('project plan document v3');
  });

  it('shows only what is approved when the risk gate records no version yet', () => {
    const content = stageType('risk').approvalContent({ stage: resolved('risk'), gate: {} });
    expect(content).toEqual({ approves: 'the project plan document' });
    expect(approvesInWords(content)).toBe('the project plan document');
  });

  it('shows the metadata only for every other stage', () => {
    for (const key of LIFECYCLE.filter((k) => k !== 'risk')) {
      const stage = resolved(key);
      const content = stageType(key).approvalContent({ stage, gate: { documentVersion: 2 } });
      expect(content).toEqual({ approves: stage.gate.approves });
      expect(approvesInWords(content)).toBe(stage.gate.approves);
    }
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
