/**
 * Deployment & Training: the deployment records (window, steps, rollback plan, result, who
 * deployed) and the training sessions (date, audience, attendees, materials) are records of
 * their own. The gate needs at least one deployment that succeeded with a rollback plan, no
 * deployment still without a result, and at least one training session delivered (dated today
 * or earlier, with its attendees) unless the spec waives training with a reason
 * (`training.waiverReason`). Other work recorded for the stage (tasks) must be done as well.
 * The sponsor signs off the go-live, seeing the deployment records and the training sessions.
 *
 * Existing data: a project that recorded its deployment and training as tasks of the stage now
 * needs the records as well; the criteria say which are missing.
 */
import type { DeploymentRecord, TrainingSession } from '../model.js';
import { localDate } from '../time.js';
import { presentSections, type StandardStageType, stageName } from './stage-type.js';
import { unmetStageWork } from './work.js';

const RESULT_WORDS: Record<NonNullable<DeploymentRecord['result']>, string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  rolled_back: 'rolled back',
};

/** The deployments that keep the gate closed, one sentence each. */
function unmetDeployments(deployments: DeploymentRecord[], stageName: string): string[] {
  const unmet: string[] = [];
  const done = deployments.some((d) => d.result === 'succeeded' && d.rollbackPlan?.trim());
  if (deployments.length === 0) {
    return [`No deployment is recorded for ${stageName}: record it with its rollback plan and its result.`];
  }
  for (const d of deployments) {
    if (!d.rollbackPlan?.trim()) unmet.push(`Deployment "${d.name}" has no rollback plan.`);
    if (!d.result) unmet.push(`Deployment "${d.name}" has no result yet.`);
  }
  if (!done && unmet.length === 0) {
    unmet.push(
      'No deployment has succeeded yet: record a successful one (failed and rolled-back ones stay on record).',
    );
  }
  return unmet;
}

/** Delivered: dated today or earlier in the project's time zone, with its attendees recorded. */
const delivered = (s: TrainingSession, today: string) => s.date <= today && s.attendees.length > 0;

/** The deployment stage type. */
export const deployment: StandardStageType = {
  key: 'deployment',
  defaults: {
    name: 'Deployment & Training',
    exitCriteria:
      'a deployment succeeded with a rollback plan, none is without a result, and a training session is delivered (unless the spec waives training with a reason)',
    approvers: ['sponsor'],
    rule: 'all',
    approves: 'go-live sign-off',
  },
  criteriaDependOnlyOnProject: true,
  async unmetCriteria(input) {
    const { store, project, stageKey, now } = input;
    const [deployments, sessions] = await Promise.all([
      store.list(project.id, 'deployment'),
      store.list(project.id, 'training_session'),
    ]);
    const name = stageName(project, stageKey);
    const unmet = unmetDeployments(deployments, name);
    if (!project.spec.training?.waiverReason?.trim()) {
      const today = localDate(now, project.timezone);
      if (sessions.length === 0) {
        unmet.push(
          `No training session is recorded for ${name}: record one with its attendees (or waive training in the spec, with a reason).`,
        );
      } else if (!sessions.some((s) => delivered(s, today))) {
        const next = [...sessions].sort((a, b) => (a.date < b.date ? -1 : 1))[0];
        unmet.push(
          next && next.date > today
            ? `No training session is delivered yet: the first is on ${next.date}.`
            : 'No training session has its attendees recorded.',
        );
      }
    }
    unmet.push(...(await unmetStageWork(input, { atLeastOne: false })));
    return unmet;
  },
  async approvalContent({ store, project, stage }) {
    const [deployments, sessions] = await Promise.all([
      store.list(project.id, 'deployment'),
      store.list(project.id, 'training_session'),
    ]);
    const waiver = project.spec.training?.waiverReason?.trim();
    return {
      approves: stage.gate.approves,
      sections: presentSections([
        {
          title: 'Deployments',
          items: deployments.map((d) => ({
            label: d.name,
            detail: [
              `Window: ${d.windowStart ?? 'not set'} to ${d.windowEnd ?? 'not set'}`,
              ...(d.steps.length ? [`Steps: ${d.steps.map((s, i) => `${i + 1}. ${s}`).join(' ')}`] : []),
              `Rollback plan: ${d.rollbackPlan ?? 'none recorded'}`,
              `Result: ${d.result ? RESULT_WORDS[d.result] : 'not yet recorded'}${d.resultNotes ? ` (${d.resultNotes})` : ''}`,
              ...(d.deployedBy ? [`Deployed by: ${d.deployedBy}`] : []),
            ],
          })),
          empty: 'No deployment is recorded.',
        },
        {
          title: 'Training sessions',
          items: sessions.map((s) => ({
            label: s.title,
            detail: [
              `Date: ${s.date}`,
              `Audience: ${s.audience}`,
              `Attendees: ${s.attendees.length ? s.attendees.join(', ') : 'none recorded'}`,
              ...(s.materials.length ? [`Materials: ${s.materials.join(', ')}`] : []),
              ...(s.trainer ? [`Trainer: ${s.trainer}`] : []),
            ],
          })),
          empty: waiver ? `Training is waived: ${waiver}` : 'No training session is recorded.',
        },
      ]),
    };
  },
};
