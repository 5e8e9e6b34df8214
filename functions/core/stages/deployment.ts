/**
 * Deployment & Training: the deployment is recorded and training sessions are delivered. Both are
 * recorded as tasks of the stage for now (a delivered session is a task that is done); dedicated
 * records come later. The sponsor signs off the go-live.
 */
import { metadataOnlyContent, type StandardStageType } from './stage-type.js';
import { unmetStageWork } from './work.js';

/** The deployment stage type. */
export const deployment: StandardStageType = {
  key: 'deployment',
  defaults: {
    name: 'Deployment & Training',
    exitCriteria:
      'the deployment is recorded (window, rollback plan, result) and training sessions are delivered',
    approvers: ['sponsor'],
    rule: 'all',
    approves: 'go-live sign-off',
  },
  // Nothing recorded is not "deployed and trained": the deployment itself is at least one task.
  unmetCriteria: (input) =>
    unmetStageWork(input, {
      atLeastOne: true,
      noneMessage: (name) =>
        `Nothing is recorded for ${name}: record the deployment and the training sessions.`,
    }),
  approvalContent: metadataOnlyContent,
};
