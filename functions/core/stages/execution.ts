/**
 * Execution & Implementation: all execution tasks and deliverables are done, and at least one is
 * recorded. The PM submits the stage, then the sponsor approves the delivered work.
 */
import type { StandardStageType } from './stage-type.js';
import { stageWorkContent, unmetStageWork } from './work.js';

/** The execution stage type. */
export const execution: StandardStageType = {
  key: 'execution',
  defaults: {
    name: 'Execution & Implementation',
    exitCriteria: 'all execution tasks and deliverables are done',
    approvers: ['sponsor'],
    rule: 'all',
    approves: 'the delivered work',
    submit: true,
  },
  criteriaDependOnlyOnProject: true,
  unmetCriteria: (input) => unmetStageWork(input, { atLeastOne: true }),
  /** Each deliverable with its acceptance criteria and evidence, and the work done. */
  approvalContent: stageWorkContent,
};
