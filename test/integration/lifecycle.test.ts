import { describe, expect, it } from 'vitest';
import { closeProject } from '../../functions/core/use-cases/close-project.js';
import { completeStage } from '../../functions/core/use-cases/complete-stage.js';
import { continueAsNew } from '../../functions/core/use-cases/continue-as-new.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { remindGate } from '../../functions/core/use-cases/remind-gate.js';
import { pdfText } from '../support/fakes.js';
import { countEvents, lifecycleFixture, START } from './lifecycle-support.js';

describe('enterStage', () => {
  it('records the stage and notifies informed stakeholders and the team once, even when entered twice', async () => {
    const f = await lifecycleFixture();
    const input = { projectId: f.projectId, stage: 'execution', executionStartedAt: START };

    const first = await enterStage(f.deps, input);
    f.clock.advanceDays(1);
    const second = await enterStage(f.deps, input);

    expect(first).toEqual({ continueAsNew: false });
    expect(second).toEqual({ continueAsNew: false });
    expect(await f.stage('execution')).toMatchObject({ status: 'active', startedAt: START });
    expect((await f.deps.store.getProject(f.projectId))?.currentStage).toBe('execution');
    expect(countEvents(await f.events(), 'stage_entered')).toBe(1);
    expect(f.mailer.sent.map((m) => m.to[0]).sort()).toEqual([
      'eng@msp.example',
      'informed@acme.example',
      'pm@msp.example',
    ]);
    expect(f.mailer.sent.every((m) => m.tag === 'stage-entered')).toBe(true);
  });

  it('asks to continue as new when the execution is older than the limit', async () => {
    const f = await lifecycleFixture();
    f.clock.advanceDays(301);
    const result = await enterStage(f.deps, {
      projectId: f.projectId,
      stage: 'initiation',
      executionStartedAt: START,
    });
    expect(result.continueAsNew).toBe(true);
  });
});

describe('completeStage', () => {
  it('completes a stage once and names the next stage', async () => {
    const f = await lifecycleFixture();
    await enterStage(f.deps, { projectId: f.projectId, stage: 'qa', executionStartedAt: START });
    f.mailer.sent = [];
    f.clock.advanceDays(2);

    await completeStage(f.deps, { projectId: f.projectId, stage: 'qa' });
    await completeStage(f.deps, { projectId: f.projectId, stage: 'qa' });

    expect(await f.stage('qa')).toMatchObject({
      status: 'completed',
      completedAt: '2026-12-03T09:00:00.000Z',
    });
    expect(countEvents(await f.events(), 'stage_completed')).toBe(1);
    expect(f.mailer.sent).toHaveLength(3);
    expect(f.mailer.sent[0]?.text).toContain('Next: Deployment & Training');
  });
});

describe('continueAsNew', () => {
  it('starts the next generation at the stage', async () => {
    const f = await lifecycleFixture();

    const result = await continueAsNew(f.deps, { projectId: f.projectId, stage: 'qa' });

    expect(result).toEqual({ executionName: `${f.projectId}-g1`, generation: 1 });
    expect(f.workflow.starts).toEqual([
      { projectId: f.projectId, name: `${f.projectId}-g1`, input: { projectId: f.projectId, startAt: 'qa' } },
    ]);
    const project = await f.deps.store.getProject(f.projectId);
    expect(project).toMatchObject({ generation: 1, executionName: `${f.projectId}-g1` });
    expect(countEvents(await f.events(), 'workflow_continued')).toBe(1);
  });

  it('starts the same generation again when retried right after, never two executions', async () => {
    const f = await lifecycleFixture();
    await continueAsNew(f.deps, { projectId: f.projectId, stage: 'qa' });
    f.clock.advanceDays(1);
    const retried = await continueAsNew(f.deps, { projectId: f.projectId, stage: 'qa' });

    expect(retried.generation).toBe(1);
    expect(new Set(f.workflow.starts.map((s) => s.name))).toEqual(new Set([`${f.projectId}-g1`]));
    expect(countEvents(await f.events(), 'workflow_continued')).toBe(1);
  });

  it('counts the generation up once per execution, whatever the retries and however long they take', async () => {
    const f = await lifecycleFixture();
    const g0 = { projectId: f.projectId, stage: 'qa', executionStartedAt: START };
    await enterStage(f.deps, g0);
    f.clock.advanceDays(301);

    // The first execution is old: its reminder step asks to continue; the step and the start are retried.
    expect(await remindGate(f.deps, g0)).toEqual({ continueAsNew: true });
    expect(await remindGate(f.deps, g0)).toEqual({ continueAsNew: true });
    const first = await continueAsNew(f.deps, { projectId: f.projectId, stage: 'qa' });
    f.clock.advanceDays(2); // a retry long after the first attempt is still the same execution's retry
    const repeat = await continueAsNew(f.deps, { projectId: f.projectId, stage: 'qa' });
    expect(first).toEqual({ executionName: `${f.projectId}-g1`, generation: 1 });
    expect(repeat).toEqual(first);

    // The new execution (started now) enters its stage again: nothing to continue yet.
    const g1StartedAt = f.clock.now().toISOString();
    const g1 = { projectId: f.projectId, stage: 'qa', executionStartedAt: g1StartedAt };
    expect(await enterStage(f.deps, g1)).toEqual({ continueAsNew: false });

    // 301 days later it is old in turn, and it continues as the next generation.
    f.clock.advanceDays(301);
    expect(await enterStage(f.deps, { ...g1, stage: 'qa' })).toEqual({ continueAsNew: true });
    const second = await continueAsNew(f.deps, { projectId: f.projectId, stage: 'qa' });
    expect(second).toEqual({ executionName: `${f.projectId}-g2`, generation: 2 });

    expect(f.workflow.starts.map((s) => s.name)).toEqual([
      `${f.projectId}-g1`,
      `${f.projectId}-g1`,
      `${f.projectId}-g2`,
    ]);
    expect(f.workflow.starts.every((s) => JSON.stringify(s.input).includes('"startAt":"qa"'))).toBe(true);
    expect(countEvents(await f.events(), 'workflow_continued')).toBe(2);
    expect(await f.deps.store.getProject(f.projectId)).toMatchObject({
      generation: 2,
      executionName: `${f.projectId}-g2`,
      continuedFrom: g1StartedAt,
    });
  });
});

describe('closeProject', () => {
  it('closes once: report stored and emailed, project off the active list', async () => {
    const f = await lifecycleFixture();
    const task = await f.deps.store.get(f.projectId, 'task', 'tenant');
    await f.deps.store.commit([{ ...task!, status: 'done', estimateHours: 20, actualHours: 24 }]);

    const first = await closeProject(f.deps, { projectId: f.projectId });
    const second = await closeProject(f.deps, { projectId: f.projectId });

    expect(first).toEqual({ closed: true, documentKey: `projects/${f.projectId}/closeout/v1.pdf` });
    expect(second).toEqual({ closed: false });
    const project = await f.deps.store.getProject(f.projectId);
    expect(project).toMatchObject({ status: 'closed', closedAt: START });
    const active = await f.deps.store.listProjects({ activeOnly: true });
    expect(active.items.map((p) => p.id)).not.toContain(f.projectId);
    const report = pdfText(
      (await f.documents.get(`projects/${f.projectId}/closeout/v1.pdf`)) ?? new Uint8Array(),
    );
    expect(report).toContain('Close-out report');
    expect(report).toContain('Closed on');
    expect(report).toContain('Budget against actual');
    const doc = await f.deps.store.get(f.projectId, 'document', 'closeout');
    expect(doc).toMatchObject({ kind: 'closeout', docVersion: 1 });
    expect(countEvents(await f.events(), 'project_closed')).toBe(1);
    expect(f.mailer.sent.map((m) => m.to[0]).sort()).toEqual([
      'approver@acme.example',
      'eng@msp.example',
      'informed@acme.example',
      'pm@msp.example',
      'sponsor@acme.example',
    ]);
    expect(f.mailer.sent[0]?.text).toContain('Actual (hours): 24');
  });
});
