import { describe, expect, it } from 'vitest';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { progressGate } from '../../functions/core/use-cases/progress-gate.js';
import { submitStage } from '../../functions/core/use-cases/submit-stage.js';
import { makeMember } from '../support/dynamo.js';
import { countEvents, lifecycleFixture, START } from './lifecycle-support.js';

const TOKEN = 'auto-token-AAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const TOKEN2 = 'auto-token-BBBBBBBBBBBBBBBBBBBBBBBBBBBB';

describe('auto gates', () => {
  it('advance exactly once when the criteria hold at open', async () => {
    const f = await lifecycleFixture();
    await enterStage(f.deps, { projectId: f.projectId, stage: 'resourcing', executionStartedAt: START });

    const result = await openGate(f.deps, { projectId: f.projectId, stage: 'resourcing', taskToken: TOKEN });
    const again = await progressGate(f.deps, f.projectId, 'resourcing', 'pm@msp.example');

    expect(result).toMatchObject({ outcome: 'opened', action: 'advanced', criteria: { met: true } });
    expect(again.action).toBe('none');
    expect(f.workflow.successes).toEqual([
      { taskToken: TOKEN, output: { stage: 'resourcing', round: 0, decision: 'auto' } },
    ]);
    expect(await f.gate('resourcing')).toMatchObject({ status: 'approved', decidedAt: START });
    expect(f.mailer.tagged('approval-request')).toHaveLength(0);
    expect(countEvents(await f.events(), 'gate_approved')).toBe(1);
  });

  it('advance exactly once when concurrent progress calls see the criteria come to hold', async () => {
    const f = await lifecycleFixture({ requiredSkills: ['exchange', 'firewall'] });
    await enterStage(f.deps, { projectId: f.projectId, stage: 'resourcing', executionStartedAt: START });
    const opened = await openGate(f.deps, { projectId: f.projectId, stage: 'resourcing', taskToken: TOKEN });
    expect(opened.action).toBe('none');
    expect(opened.criteria?.unmet).toEqual(['No team member has the required skill "firewall".']);
    expect(f.workflow.successes).toHaveLength(0);

    await f.deps.store.commit([
      makeMember({
        projectId: f.projectId,
        email: 'fw@msp.example',
        name: 'Fay Wall',
        skills: ['firewall'],
        allocation: 40,
      }),
    ]);
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => progressGate(f.deps, f.projectId, 'resourcing', 'pm@msp.example')),
    );

    expect(results.filter((r) => r.action === 'advanced')).toHaveLength(1);
    expect(results.every((r) => r.criteria.met)).toBe(true);
    expect(f.workflow.successes).toHaveLength(1);
    expect(countEvents(await f.events(), 'gate_approved')).toBe(1);
  });

  it('pass on the next gate task when the waiting task was gone', async () => {
    const f = await lifecycleFixture({ requiredSkills: ['firewall'] });
    await enterStage(f.deps, { projectId: f.projectId, stage: 'resourcing', executionStartedAt: START });
    await openGate(f.deps, { projectId: f.projectId, stage: 'resourcing', taskToken: TOKEN });
    f.workflow.gone.add(TOKEN);
    await f.deps.store.commit([
      makeMember({ projectId: f.projectId, email: 'fw@msp.example', skills: ['firewall'], allocation: 10 }),
    ]);

    const progressed = await progressGate(f.deps, f.projectId, 'resourcing', 'pm@msp.example');
    expect(progressed.action).toBe('advanced');
    expect(f.workflow.successes).toHaveLength(0);
    expect(countEvents(await f.events(), 'gate_callback_deferred')).toBe(1);

    const reopened = await openGate(f.deps, {
      projectId: f.projectId,
      stage: 'resourcing',
      taskToken: TOKEN2,
    });

    expect(reopened.outcome).toBe('passed');
    expect(f.workflow.successes).toEqual([
      { taskToken: TOKEN2, output: { stage: 'resourcing', round: 0, decision: 'auto' } },
    ]);
  });

  it('keep the gate approved and the gate task alive when the workflow cannot be reached', async () => {
    const f = await lifecycleFixture();
    await enterStage(f.deps, { projectId: f.projectId, stage: 'resourcing', executionStartedAt: START });
    f.workflow.unreachable = true;

    const opened = await openGate(f.deps, { projectId: f.projectId, stage: 'resourcing', taskToken: TOKEN });
    expect(opened.action).toBe('advanced');
    const again = await openGate(f.deps, { projectId: f.projectId, stage: 'resourcing', taskToken: TOKEN2 });
    expect(again.outcome).toBe('passed');

    expect((await f.gate('resourcing')).status).toBe('approved');
    const deferred = (await f.events()).filter((e) => e.type === 'gate_callback_deferred');
    expect(deferred.map((e) => e.data?.['reason'])).toEqual(['workflow_error', 'workflow_error']);
    f.workflow.unreachable = false;
    await openGate(f.deps, { projectId: f.projectId, stage: 'resourcing', taskToken: 'third-token' });
    expect(f.workflow.successes.map((s) => s.taskToken)).toEqual(['third-token']);
  });

  it('pass the support gate once the hypercare period is over', async () => {
    const f = await lifecycleFixture();
    const entered = await enterStage(f.deps, {
      projectId: f.projectId,
      stage: 'support',
      executionStartedAt: START,
    });
    expect(entered).toEqual({ continueAsNew: false, waitUntil: '2026-12-15T09:00:00.000Z' });

    const opened = await openGate(f.deps, { projectId: f.projectId, stage: 'support', taskToken: TOKEN });
    expect(opened.action).toBe('none');
    f.clock.advanceDays(14);
    const progressed = await progressGate(f.deps, f.projectId, 'support', 'scheduler');

    expect(progressed.action).toBe('advanced');
    expect(f.workflow.successes).toHaveLength(1);
  });

  it('list the unmet criteria on a submit and change nothing', async () => {
    const f = await lifecycleFixture({ requiredSkills: ['firewall'] });
    await enterStage(f.deps, { projectId: f.projectId, stage: 'resourcing', executionStartedAt: START });
    await openGate(f.deps, { projectId: f.projectId, stage: 'resourcing', taskToken: TOKEN });
    const gateBefore = await f.gate('resourcing');

    const result = await submitStage(f.deps, f.projectId, 'resourcing', 'pm@msp.example');

    expect(result).toEqual({
      submitted: false,
      unmet: ['No team member has the required skill "firewall".'],
    });
    expect(await f.gate('resourcing')).toEqual(gateBefore);
    expect((await f.stage('resourcing')).submittedAt).toBeUndefined();
    await expect(submitStage(f.deps, f.projectId, 'qa', 'pm@msp.example')).rejects.toThrow(
      /not the current stage/,
    );
  });
});
