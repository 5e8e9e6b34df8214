/**
 * Quality Assurance & Testing: at least one test case, and every test case passed or was waived with a reason. Test cases are
 * recorded as tasks of the stage for now (a passed or waived test case is a task that is done);
 * dedicated records come later. The customer's approver accepts the tested solution.
 */
import { metadataOnlyContent, type StandardStageType } from './stage-type.js';
import { unmetStageWork } from './work.js';

/** The qa stage type. */
export const qa: StandardStageType = {
  key: 'qa',
  defaults: {
    name: 'Quality Assurance & Testing',
    exitCriteria: 'at least one test case, and every test case passed or was waived with a reason',
    approvers: ['approver'],
    rule: 'all',
    approves: 'customer acceptance of the tested solution',
  },
  // "No tests" is not "all tests passed": at least one test case, passed or waived with a reason.
  unmetCriteria: (input) =>
    unmetStageWork(input, {
      atLeastOne: true,
      noneMessage: (name) =>
        `No test cases are recorded for ${name}: record at least one, passed or waived with a reason.`,
    }),
  approvalContent: metadataOnlyContent,
};
