import { describe, expect, it } from 'vitest';
import { bytesSha256 } from '../../functions/core/documents/model.js';
import { NotFoundError, ValidationError } from '../../functions/core/errors.js';
import { localDate } from '../../functions/core/time.js';
import { progressGate } from '../../functions/core/use-cases/progress-gate.js';
import { submitStage } from '../../functions/core/use-cases/submit-stage.js';
import { handleLifecycle } from '../../functions/handlers/lifecycle.js';
import { makeDeployment, makeTrainingSession } from '../support/dynamo.js';
import { pdfText } from '../support/fakes.js';
import { decideLink, type LifecycleFixture, lifecycleFixture, linkIds, START } from './lifecycle-support.js';

/** Runs one stage the way the state machine does, approving through the real page use cases. */
async function walkStage(
  f: LifecycleFixture,
  stage: string,
  n: number,
  advanceFrom?: string,
): Promise<string> {
  const projectId = f.projectId;
  // As current definitions do: the previous stage's complete step enters this one (advanceStage).
  const entered = (await handleLifecycle(
    f.deps,
    advanceFrom
      ? { action: 'advanceStage', projectId, stage: advanceFrom, next: stage, executionStartedAt: START }
      : { action: 'enterStage', projectId, stage, executionStartedAt: START },
  )) as { waitUntil?: string };
  if (entered.waitUntil) f.clock.at = new Date(entered.waitUntil);
  const token = `secret-task-token-${stage}-${n}-XXXXXXXXXXXXXXXX`;
  const sentBefore = f.mailer.sent.length;
  await handleLifecycle(f.deps, { action: 'openGate', projectId, stage, taskToken: token });
  if (stage === 'execution' || stage === 'deployment' || stage === 'qa') {
    // The PM records the work (QA: one passed test case); the staff API then re-evaluates the gate.
    const tasks = (await f.deps.store.list(projectId, 'task')).filter((t) => t.stage === stage);
    await f.deps.store.commit(tasks.map((t) => ({ ...t, status: 'done' as const, actualHours: 8 })));
    if (tasks.length === 0) {
      await f.deps.store.commit([
        {
          entity: 'task',
          projectId,
          id: `${stage}-1`,
          type: 'task',
          name: `First ${stage} item`,
          stage,
          status: 'done',
          estimateHours: 1,
          actualHours: 1,
          version: 0,
        },
      ]);
    }
    if (stage === 'deployment') {
      // The go-live needs its records: a successful deployment with a rollback plan, and training.
      await f.deps.store.commit([
        makeDeployment({ projectId }),
        makeTrainingSession({ projectId, date: localDate(f.clock.now(), 'Europe/London') }),
      ]);
    }
    await progressGate(f.deps, projectId, stage, 'pm@msp.example');
  }
  // Execution is "PM submits, sponsor approves": its requests go out on the submit.
  if (stage === 'execution') await submitStage(f.deps, projectId, stage, 'pm@msp.example');
  for (const id of linkIds(f.mailer.sent.slice(sentBefore).filter((m) => m.tag === 'approval-request'))) {
    expect(await decideLink(f.deps, id, 'approve', 'Looks good')).toBe('recorded');
  }
  expect(f.workflow.successes.at(-1)?.taskToken).toBe(token);
  if (advanceFrom === undefined) await handleLifecycle(f.deps, { action: 'completeStage', projectId, stage });
  return token;
}

const STAGES = ['initiation', 'resourcing', 'risk', 'execution', 'qa', 'deployment', 'support'];

describe('handleLifecycle', () => {
  it('advances: completes a stage and enters the next in one step, and closes after the last', async () => {
    const f = await lifecycleFixture();
    await walkStage(f, 'initiation', 0, undefined);
    // From here each step completes one stage (walkStage completed initiation) and enters the next.
    for (const [i, stage] of STAGES.entries()) {
      if (i === 0) continue;
      await walkStage(f, stage, i, STAGES[i - 1]);
      expect((await f.stage(STAGES[i - 1] as string)).status).toBe('completed');
      expect((await f.deps.store.getProject(f.projectId))?.currentStage).toBe(stage);
    }
    const closed = await handleLifecycle(f.deps, {
      action: 'advanceStage',
      projectId: f.projectId,
      stage: 'support',
      executionStartedAt: START,
    });
    expect(closed).toMatchObject({ closed: true });
    expect((await f.stage('support')).status).toBe('completed');
    expect((await f.deps.store.getProject(f.projectId))?.status).toBe('closed');
    // A retry of the last step changes nothing.
    await handleLifecycle(f.deps, {
      action: 'advanceStage',
      projectId: f.projectId,
      stage: 'support',
      executionStartedAt: START,
    });
    expect((await f.deps.store.getProject(f.projectId))?.status).toBe('closed');
  });

  it('fails an enter step with ContinueAsNew when the execution is old, for the state machine to catch', async () => {
    const f = await lifecycleFixture();
    const old = new Date(Date.parse(START) - 301 * 86_400_000).toISOString();
    f.clock.at = new Date(START);
    await expect(
      handleLifecycle(f.deps, {
        action: 'enterStage',
        projectId: f.projectId,
        stage: 'initiation',
        executionStartedAt: old,
      }),
    ).rejects.toMatchObject({ name: 'ContinueAsNew' });
    // The stage was entered all the same: the new execution resumes at it.
    expect((await f.deps.store.getProject(f.projectId))?.currentStage).toBe('initiation');
  });

  it('walks a project from initiation to close, never logging or emailing a token or link id', async () => {
    const f = await lifecycleFixture();
    const stages = STAGES;
    const tokens: string[] = [];
    for (const [i, stage] of stages.entries()) tokens.push(await walkStage(f, stage, i));
    const closed = await handleLifecycle(f.deps, { action: 'closeProject', projectId: f.projectId });

    expect(closed).toMatchObject({ closed: true });
    expect((await f.deps.store.getProject(f.projectId))?.status).toBe('closed');
    for (const stage of stages) expect((await f.stage(stage)).status).toBe('completed');
    // The documents of the walk: the charter and plan its gates approved, and the close-out PDF,
    // first when the support gate opened, then its final version at close.
    const docs = await f.deps.store.list(f.projectId, 'document');
    expect(docs.map((d) => d.id).sort()).toEqual(['charter', 'closeout', 'plan']);
    const closeout = docs.find((d) => d.id === 'closeout')!;
    expect(closeout.versions?.map((v) => v.docVersion)).toEqual([1, 2]);
    const pdf = (await f.documents.get(closeout.key)) ?? new Uint8Array();
    expect(Buffer.from(pdf.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    expect(bytesSha256(pdf)).toBe(closeout.sha256);
    expect(pdfText(pdf)).toContain('Closed on');
    expect(pdfText(pdf)).toContain('Deliverables and their acceptance');
    expect((await f.deps.store.get(f.projectId, 'gate', 'initiation'))?.documentVersion).toBe(1);
    expect(f.workflow.successes.map((s) => (s.output as { decision: string }).decision)).toEqual([
      'approved',
      'auto',
      'approved',
      'approved',
      'approved',
      'approved',
      'auto',
    ]);

    const ids = linkIds(f.mailer.sent);
    expect(ids.length).toBeGreaterThanOrEqual(5);
    const logs = f.log.lines.join('\n');
    const mails = f.mailer.sent.map((m) => `${m.subject}\n${m.text}\n${m.html}`).join('\n');
    const events = JSON.stringify(await f.events());
    for (const token of tokens) {
      expect(logs).not.toContain(token);
      expect(mails).not.toContain(token);
      expect(events).not.toContain(token);
    }
    for (const id of ids) {
      expect(logs).not.toContain(id);
      expect(events).not.toContain(id);
    }
    expect(logs).toContain('"action":"openGate"');
  });

  it('rejects a malformed event with the field named', async () => {
    const f = await lifecycleFixture();
    await expect(
      handleLifecycle(f.deps, { action: 'openGate', projectId: f.projectId, stage: 'initiation' }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(handleLifecycle(f.deps, { action: 'dance', projectId: f.projectId })).rejects.toThrow(
      /action/,
    );
  });

  it('returns the use case result to the state machine', async () => {
    const f = await lifecycleFixture();
    const result = await handleLifecycle(f.deps, {
      action: 'remindGate',
      projectId: f.projectId,
      stage: 'initiation',
      executionStartedAt: '2025-01-01T00:00:00.000Z',
    });
    expect(result).toEqual({ continueAsNew: true });
  });

  it('fails a rework of a stage whose gate never opened', async () => {
    const f = await lifecycleFixture();
    await expect(
      handleLifecycle(f.deps, {
        action: 'reworkStage',
        projectId: f.projectId,
        stage: 'initiation',
        error: { Error: 'GateRejected', Cause: 'x' },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
