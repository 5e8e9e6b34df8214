/**
 * A custom stage (any key that is not a standard one): the spec gives its name and gate; its exit
 * criterion is that every task and deliverable recorded for it is done or waived with a reason.
 */
import { metadataOnlyContent, type StageType } from './stage-type.js';
import { unmetStageWork } from './work.js';

/** The type of every stage whose key no standard type claims. */
export const custom: StageType = {
  key: 'custom',
  unmetCriteria: (input) => unmetStageWork(input, { atLeastOne: false }),
  approvalContent: metadataOnlyContent,
};
