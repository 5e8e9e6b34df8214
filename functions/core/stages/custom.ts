/**
 * A custom stage (any key that is not a standard one): the spec gives its name and gate; its exit
 * criterion is that every task and deliverable recorded for it is done or waived with a reason.
 */
import type { StageType } from './stage-type.js';
import { stageWorkContent, unmetStageWork } from './work.js';

/** The type of every stage whose key no standard type claims. */
export const custom: StageType = {
  key: 'custom',
  criteriaDependOnlyOnProject: true,
  // Deliberately passes on an empty list: a custom stage's work may be the approval itself (a
  // design review); the spec's gate (approvers, or submit) is what it asks for. Recorded work counts.
  unmetCriteria: (input) => unmetStageWork(input, { atLeastOne: false }),
  /** The stage's tasks and deliverables. */
  approvalContent: stageWorkContent,
};
