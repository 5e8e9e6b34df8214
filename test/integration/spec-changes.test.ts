import { describe, expect, it } from 'vitest';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { archiveProject } from '../../functions/core/use-cases/archive-project.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { registerProject, SpecChangeError } from '../../functions/core/use-cases/register-project.js';
import { loadApproval } from '../../functions/core/use-cases/view-approval.js';
import { makeProjectSpec } from '../support/dynamo.js';
import {
  countEvents,
  decideLink,
  type LifecycleFixture,
  lifecycleFixture,
  linkIds,
  START,
} from './lifecycle-support.js';

const TOKEN = 'token-first-AAAAAAAAAAAAAAAAAAAAAAAA';
const STAGES: ProjectSpecInput['stages'] = [
  { key: 'initiation', gate: { approvers: ['approver@acme.example'], rule: 'all' } },
  { key: 'execution' },
];

/** The fixture's spec with `overrides` (same id), registered again as a deploy does. */
async function redeploy(f: LifecycleFixture, overrides: Partial<ProjectSpecInput>) {
  const spec = makeProjectSpec({ id: f.projectId, stages: STAGES, ...overrides });
  return registerProject(f.deps, { file: 'test.yaml', spec, stages: resolveStages(spec) }, { start: true });
}

async function requested(): Promise<LifecycleFixture> {
  const f = await lifecycleFixture({ stages: STAGES });
  await enterStage(f.deps, { projectId: f.projectId, stage: 'initiation', executionStartedAt: START });
  await openGate(f.deps, { projectId: f.projectId, stage: 'initiation', taskToken: TOKEN });
  return f;
}

describe('spec changes while a project runs', () => {
  it('starts a new round for changed approvers of an open gate; the old link is neutral', async () => {
    const f = await requested();
    const [old] = linkIds(f.mailer.tagged('approval-request'));
    expect((await f.gate('initiation')).round).toBe(1);
    f.mailer.sent = [];

    await redeploy(f, {
      stages: [{ key: 'initiation', gate: { approvers: ['sponsor'], rule: 'all' } }, { key: 'execution' }],
    });

    const gate = await f.gate('initiation');
    expect(gate).toMatchObject({ round: 2, status: 'pending_approval' });
    expect(gate.approvers.map((a) => a.email)).toEqual(['sponsor@acme.example']);
    const requests = f.mailer.tagged('approval-request');
    expect(requests.map((m) => m.to[0])).toEqual(['sponsor@acme.example']);
    expect((await loadApproval(f.deps, old ?? '')).kind).toBe('neutral');
    expect(await decideLink(f.deps, linkIds(requests)[0] ?? '', 'approve')).toBe('recorded');
    expect((await f.gate('initiation')).status).toBe('approved');
  });

  it('refuses removing the current stage and writes nothing', async () => {
    const f = await requested();
    const before = await f.deps.store.getProject(f.projectId);
    const attempt = redeploy(f, { stages: [{ key: 'execution' }] });
    await expect(attempt).rejects.toBeInstanceOf(SpecChangeError);
    await expect(attempt).rejects.toThrow(/stage "initiation".*current stage.*cannot be removed or renamed/);
    expect((await f.deps.store.getProject(f.projectId))?.version).toBe(before?.version);
  });

  it('refuses a stage added before the current stage', async () => {
    const f = await requested();
    const attempt = redeploy(f, {
      stages: [{ key: 'kickoff', name: 'Kick-off' }, ...(STAGES ?? [])],
    });
    await expect(attempt).rejects.toThrow(/"kickoff".*never be reached/);
  });

  it('reaches a stage added after the current one: a new generation starts on the new lifecycle', async () => {
    const f = await requested();
    const result = await redeploy(f, {
      stages: [STAGES![0]!, { key: 'design-review', name: 'Design review' }, { key: 'execution' }],
    });
    expect(result.updated).toBe(true);
    const project = await f.deps.store.getProject(f.projectId);
    expect(project?.stages.map((s) => s.key)).toEqual(['initiation', 'design-review', 'execution']);
    expect(project?.generation).toBe(1);
    expect(await f.stage('design-review')).toMatchObject({ status: 'pending' });
    expect(f.workflow.stops.map((s) => s.projectId)).toEqual([f.projectId]);
    expect(f.workflow.starts.at(-1)).toEqual({
      projectId: f.projectId,
      name: `${f.projectId}-g1`,
      input: { projectId: f.projectId, startAt: 'initiation' },
    });
  });

  it('restores an archived project whose spec is registered again', async () => {
    const f = await requested();
    await archiveProject(f.deps, f.projectId, 'its spec was removed');
    await redeploy(f, {});
    const project = await f.deps.store.getProject(f.projectId);
    expect(project).toMatchObject({ status: 'active', generation: 1 });
    expect(countEvents(await f.events(), 'project_restored')).toBe(1);
    expect(f.workflow.starts.at(-1)?.name).toBe(`${f.projectId}-g1`);
  });
});
