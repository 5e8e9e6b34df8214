import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evaluateCriteria } from '../../functions/core/criteria.js';
import { NotFoundError } from '../../functions/core/errors.js';
import type { Project, Task } from '../../functions/core/model.js';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { generatePlan } from '../../functions/core/use-cases/generate-plan.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import {
  makeDeployment,
  makeMember,
  makeProject,
  makeProjectSpec,
  makeResource,
  makeRisk,
  makeTask,
  makeTestCase,
  makeTrainingSession,
} from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

const NOW = new Date('2026-12-10T12:00:00.000Z');

describe('evaluateCriteria', () => {
  let t: { store: MemoryProjectStore };
  let deps: TestDeps;
  beforeAll(async () => {
    t = { store: new MemoryProjectStore() };
    deps = makeTestDeps(t.store);
  });

  /** Registers a project from a spec and returns it as stored. */
  async function registered(id: string, overrides: Partial<ProjectSpecInput> = {}): Promise<Project> {
    const spec = makeProjectSpec({ id, ...overrides });
    await registerProject(deps, { file: `${id}.yaml`, spec, stages: resolveStages(spec) }, { start: false });
    const project = await t.store.getProject(id);
    if (!project) throw new Error('not registered');
    return project;
  }

  async function setTask(projectId: string, id: string, change: Partial<Task>) {
    const task = await t.store.get(projectId, 'task', id);
    if (task) await t.store.commit([{ ...task, ...change }]);
    else await t.store.commit([makeTask({ projectId, id, ...change })]);
  }

  it('rejects a stage the project does not have', async () => {
    const project = await registered('crit-unknown');
    await expect(evaluateCriteria(t.store, project, 'nope', NOW)).rejects.toBeInstanceOf(NotFoundError);
  });

  describe('initiation', () => {
    it('holds when the charter is complete', async () => {
      const project = await registered('crit-init');
      expect(await evaluateCriteria(t.store, project, 'initiation', NOW)).toEqual({ met: true, unmet: [] });
    });

    it('names every missing part of the charter', async () => {
      const project = await registered('crit-init-missing');
      const spec = {
        ...project.spec,
        objectives: [],
        requirements: [' '],
        team: [],
        communication: { ...project.spec.communication, channels: [] },
        budget: { ...project.spec.budget, hours: 0 },
      };
      const result = await evaluateCriteria(t.store, { ...project, spec }, 'initiation', NOW);
      expect(result.met).toBe(false);
      expect(result.unmet).toEqual([
        'The project has no objectives.',
        'The project has no requirements.',
        'The budget (amount and hours) is not set.',
        'No team members are listed.',
        'No communication channels are listed.',
      ]);
    });
  });

  describe('resourcing', () => {
    // Allocation is summed across active projects: these cases start from an empty portfolio.
    beforeEach(() => {
      t.store = new MemoryProjectStore();
      deps = makeTestDeps(t.store);
    });

    it('holds when skills are covered, nobody is over-allocated and resources have costs', async () => {
      const project = await registered('crit-res');
      expect(await evaluateCriteria(t.store, project, 'resourcing', NOW)).toEqual({ met: true, unmet: [] });
    });

    it('names a missing skill, an over-allocated person and missing resources', async () => {
      const project = await registered('crit-res-bad', {
        requiredSkills: ['exchange', 'Intune'],
        resources: [],
      });
      const member = await t.store.get('crit-res-bad', 'member', 'eng@msp.example');
      if (!member) throw new Error('member missing');
      await t.store.commit([{ ...member, allocation: 120 }]);
      const result = await evaluateCriteria(t.store, project, 'resourcing', NOW);
      expect(result.met).toBe(false);
      expect(result.unmet).toEqual([
        'No team member has the required skill "Intune".',
        'Marco Rossi is allocated 120% of their time (more than 100%).',
        'No software, hardware, tools or services are listed as resources.',
      ]);
    });

    it('matches skills without case and flags a resource without a valid cost', async () => {
      const project = makeProject({}, makeProjectSpec({ id: 'crit-res-cost', requiredSkills: ['EXCHANGE'] }));
      await t.store.commit([
        project,
        makeMember({ projectId: 'crit-res-cost' }),
        makeResource({ projectId: 'crit-res-cost', name: 'Firewall', cost: -1 }),
      ]);
      const result = await evaluateCriteria(t.store, project, 'resourcing', NOW);
      expect(result.unmet).toEqual(['Resource "Firewall" has no cost.']);
    });

    it('needs at least one team member', async () => {
      const project = makeProject({}, makeProjectSpec({ id: 'crit-res-empty', requiredSkills: [] }));
      await t.store.commit([project, makeResource({ projectId: 'crit-res-empty' })]);
      const result = await evaluateCriteria(t.store, project, 'resourcing', NOW);
      expect(result.unmet).toEqual(['No team member is assigned to the project.']);
    });
  });

  describe('risk', () => {
    it('holds when risks are scored, high risks owned and mitigated and the plan is current', async () => {
      const project = await registered('crit-risk');
      await generatePlan(deps, 'crit-risk', 'system');
      expect(await evaluateCriteria(t.store, project, 'risk', NOW)).toEqual({ met: true, unmet: [] });
    });

    it('asks for the plan document when it was never generated', async () => {
      const project = await registered('crit-risk-noplan');
      const result = await evaluateCriteria(t.store, project, 'risk', NOW);
      expect(result.unmet).toEqual(['The project plan document has not been generated yet.']);
    });

    it('names a high risk without owner or mitigation and a plan that is out of date', async () => {
      const project = await registered('crit-risk-high');
      await generatePlan(deps, 'crit-risk-high', 'system');
      await t.store.commit([
        makeRisk({
          projectId: 'crit-risk-high',
          id: 'outage',
          title: 'Firewall outage',
          likelihood: 3,
          impact: 4,
          owner: undefined,
          mitigation: ' ',
        }),
      ]);
      const result = await evaluateCriteria(t.store, project, 'risk', NOW);
      expect(result.met).toBe(false);
      expect(result.unmet).toEqual([
        'High risk "Firewall outage" (score 12) has no owner.',
        'High risk "Firewall outage" (score 12) has no mitigation.',
        expect.stringMatching(/^The project plan document \(v1\) is out of date/),
      ]);
    });

    it('flags an unscored risk and ignores a closed one', async () => {
      const project = await registered('crit-risk-score');
      await t.store.commit([
        makeRisk({ projectId: 'crit-risk-score', id: 'unscored', title: 'Vendor delay', likelihood: 0 }),
        makeRisk({
          projectId: 'crit-risk-score',
          id: 'closed',
          title: 'Old',
          likelihood: 5,
          impact: 5,
          owner: undefined,
          status: 'closed',
        }),
      ]);
      await generatePlan(deps, 'crit-risk-score', 'system');
      const result = await evaluateCriteria(t.store, project, 'risk', NOW);
      expect(result.unmet).toEqual(['Risk "Vendor delay" is not scored (likelihood and impact 1-5).']);
    });
  });

  describe('execution', () => {
    it('holds when every execution task and deliverable is done', async () => {
      const project = await registered('crit-exec');
      await setTask('crit-exec', 'tenant', { status: 'done' });
      await setTask('crit-exec', 'extra', {
        type: 'task',
        name: 'Extra',
        stage: 'execution',
        status: 'done',
      });
      expect(await evaluateCriteria(t.store, project, 'execution', NOW)).toEqual({ met: true, unmet: [] });
    });

    it('names each piece of work that is not done, ignoring other stages', async () => {
      const project = await registered('crit-exec-open');
      await setTask('crit-exec-open', 'backup', {
        type: 'task',
        name: 'Backup mailboxes',
        stage: 'execution',
        status: 'in_progress',
      });
      const result = await evaluateCriteria(t.store, project, 'execution', NOW);
      expect(result.unmet).toEqual([
        'Task "Backup mailboxes" is not done (in progress).',
        'Deliverable "Configured tenant" is not done (to do).',
      ]);
    });

    it('needs at least one task or deliverable', async () => {
      const project = await registered('crit-exec-none', {
        deliverables: [{ id: 'cutover', name: 'Cut-over', stage: 'deployment', acceptance: 'MX moved' }],
      });
      const result = await evaluateCriteria(t.store, project, 'execution', NOW);
      expect(result.unmet).toEqual(['No tasks or deliverables are recorded for Execution & Implementation.']);
    });
  });

  describe('qa and deployment', () => {
    it('fails for qa with no test cases recorded and on an open one', async () => {
      const project = await registered('crit-qa');
      expect((await evaluateCriteria(t.store, project, 'qa', NOW)).met).toBe(false);
      await setTask('crit-qa', 'tc-1', { type: 'task', name: 'Security test', stage: 'qa', status: 'todo' });
      expect(await evaluateCriteria(t.store, project, 'qa', NOW)).toEqual({
        met: false,
        unmet: ['Task "Security test" is not done (to do).'],
      });
    });

    it('counts a test case waived with a reason as closed, and not one without', async () => {
      const project = await registered('crit-waive');
      await setTask('crit-waive', 'tc-perf', {
        type: 'task',
        name: 'Load test',
        stage: 'qa',
        status: 'waived',
      });
      expect(await evaluateCriteria(t.store, project, 'qa', NOW)).toEqual({
        met: false,
        unmet: ['Task "Load test" is not done (waived without a reason).'],
      });
      await setTask('crit-waive', 'tc-perf', { waiverReason: 'Customer accepts: 12 users only' });
      expect(await evaluateCriteria(t.store, project, 'qa', NOW)).toEqual({ met: true, unmet: [] });
    });

    it('judges QA on test case records once there is one: failed and not run block, passed or waived pass', async () => {
      const project = await registered('crit-tests');
      // A legacy QA task that is done does not count once test cases are records.
      await setTask('crit-tests', 'old', { type: 'task', name: 'Old test', stage: 'qa', status: 'done' });
      const pid = project.id;
      await t.store.commit([
        makeTestCase({ projectId: pid, id: 'mail', result: 'not_run', testedAt: undefined }),
        makeTestCase({ projectId: pid, id: 'pen', name: 'Pen test', category: 'security', result: 'failed' }),
      ]);
      expect(await evaluateCriteria(t.store, project, 'qa', NOW)).toEqual({
        met: false,
        unmet: [
          'Test case "Mail flows in and out" has not been run.',
          'Test case "Pen test" failed: fix it and run it again, or waive it with a reason.',
        ],
      });
      const [mail, pen] = await Promise.all([
        t.store.get(pid, 'test_case', 'mail'),
        t.store.get(pid, 'test_case', 'pen'),
      ]);
      await t.store.commit([
        { ...mail!, result: 'passed' },
        { ...pen!, result: 'waived', waiverReason: 'Done by the customer’s insurer' },
      ]);
      expect(await evaluateCriteria(t.store, project, 'qa', NOW)).toEqual({ met: true, unmet: [] });
    });

    it('needs a successful deployment with a rollback plan and a delivered training session', async () => {
      const project = await registered('crit-deploy');
      const pid = project.id;
      expect((await evaluateCriteria(t.store, project, 'deployment', NOW)).unmet).toEqual([
        'No deployment is recorded for Deployment & Training: record it with its rollback plan and its result.',
        'No training session is recorded for Deployment & Training: record one with its attendees (or waive training in the spec, with a reason).',
        'Deliverable "Mail cut-over" is not done (to do).',
      ]);
      await setTask(pid, 'cutover', { status: 'done' });
      await t.store.commit([
        makeDeployment({ projectId: pid, rollbackPlan: undefined, result: undefined }),
        makeTrainingSession({ projectId: pid, date: '2026-12-11' }),
      ]);
      expect((await evaluateCriteria(t.store, project, 'deployment', NOW)).unmet).toEqual([
        'Deployment "Mailbox cut-over" has no rollback plan.',
        'Deployment "Mailbox cut-over" has no result yet.',
        'No training session is delivered yet: the first is on 2026-12-11.',
      ]);
      const [dep, session] = await Promise.all([
        t.store.get(pid, 'deployment', 'cutover'),
        t.store.get(pid, 'training_session', 'front-desk'),
      ]);
      await t.store.commit([
        { ...dep!, rollbackPlan: 'MX back', result: 'failed' },
        { ...session!, date: '2026-12-10', attendees: [] },
      ]);
      expect((await evaluateCriteria(t.store, project, 'deployment', NOW)).unmet).toEqual([
        'No deployment has succeeded yet: record a successful one (failed and rolled-back ones stay on record).',
        'No training session has its attendees recorded.',
      ]);
      const [dep2, session2] = await Promise.all([
        t.store.get(pid, 'deployment', 'cutover'),
        t.store.get(pid, 'training_session', 'front-desk'),
      ]);
      await t.store.commit([
        { ...dep2!, result: 'succeeded' },
        { ...session2!, attendees: ['Jo Smith'] },
      ]);
      expect(await evaluateCriteria(t.store, project, 'deployment', NOW)).toEqual({ met: true, unmet: [] });
    });

    it('needs no training session when the spec waives training with a reason', async () => {
      const project = await registered('crit-no-training', {
        training: { waiverReason: 'The customer trains its own staff' },
      });
      await setTask(project.id, 'cutover', { status: 'done' });
      await t.store.commit([makeDeployment({ projectId: project.id })]);
      expect(await evaluateCriteria(t.store, project, 'deployment', NOW)).toEqual({ met: true, unmet: [] });
    });
  });

  describe('support', () => {
    it('waits until the support period has started and elapsed', async () => {
      const project = await registered('crit-support');
      expect((await evaluateCriteria(t.store, project, 'support', NOW)).unmet).toEqual([
        'The support period has not started yet.',
      ]);
      const stage = await t.store.get('crit-support', 'stage', 'support');
      if (!stage) throw new Error('stage missing');
      await t.store.commit([{ ...stage, status: 'active', supportUntil: '2026-12-24T12:00:00.000Z' }]);
      expect((await evaluateCriteria(t.store, project, 'support', NOW)).unmet).toEqual([
        'The support period runs until 2026-12-24 12:00 (Europe/London).',
      ]);
      expect(
        await evaluateCriteria(t.store, project, 'support', new Date('2026-12-24T12:00:00.000Z')),
      ).toEqual({
        met: true,
        unmet: [],
      });
    });

    it('names an open support issue after the period', async () => {
      const project = await registered('crit-support-open');
      const stage = await t.store.get('crit-support-open', 'stage', 'support');
      if (!stage) throw new Error('stage missing');
      await t.store.commit([{ ...stage, supportUntil: '2026-12-01T00:00:00.000Z' }]);
      await setTask('crit-support-open', 'issue-1', {
        type: 'task',
        name: 'Printer not mapping',
        stage: 'support',
        status: 'in_progress',
      });
      expect((await evaluateCriteria(t.store, project, 'support', NOW)).unmet).toEqual([
        'Support issue "Printer not mapping" is still open.',
      ]);
    });
  });

  describe('custom stages', () => {
    it('holds when every task of the custom stage is done', async () => {
      const project = await registered('crit-custom', {
        stages: [{ key: 'initiation' }, { key: 'pilot', name: 'Pilot rollout' }, { key: 'support' }],
        deliverables: [
          { id: 'pilot-group', name: 'Pilot group live', stage: 'pilot', acceptance: '5 users' },
        ],
      });
      expect((await evaluateCriteria(t.store, project, 'pilot', NOW)).unmet).toEqual([
        'Deliverable "Pilot group live" is not done (to do).',
      ]);
      await setTask('crit-custom', 'pilot-group', { status: 'done' });
      expect(await evaluateCriteria(t.store, project, 'pilot', NOW)).toEqual({ met: true, unmet: [] });
      expect(await t.store.get('crit-custom', 'stage', 'pilot')).toMatchObject({ name: 'Pilot rollout' });
    });
  });
});
