/**
 * Quality Assurance & Testing: the test cases (records of their own: category, steps, expected
 * result, result, evidence, tester). At least one passed or waived with a reason; none failed and
 * none still to run; the other work recorded for the stage (tasks) done. The customer's approver
 * accepts the tested solution, seeing every test case by category with its result and evidence,
 * and every waiver, in the approval request; each waiver is an `Acceptance` that the approval
 * page asks the approver to tick before an approval counts.
 *
 * Existing data: before test cases were records, they were QA-stage tasks. A project that has no
 * test case record at all but has QA tasks is judged on those tasks as before (each done or
 * waived with a reason); as soon as one test case is recorded, the test cases are what counts.
 */
import { createHash } from 'node:crypto';
import type { TestCase, TestCategory } from '../model.js';
import {
  type Acceptance,
  type ContentSection,
  evidenceItems,
  type StandardStageType,
  stageName,
} from './stage-type.js';
import { unmetStageWork } from './work.js';

const CATEGORY_WORDS: Record<TestCategory, string> = {
  functional: 'Functional',
  integration: 'Integration',
  security: 'Security',
  performance: 'Performance',
  user_acceptance: 'User acceptance',
};

const RESULT_WORDS: Record<TestCase['result'], string> = {
  not_run: 'not run yet',
  passed: 'passed',
  failed: 'FAILED',
  waived: 'waived',
};

/**
 * A waiver as the approver accepts it: the test case and its reason. A reason changed after the
 * page was shown gives another key, so the approver's tick of the old reason does not count.
 */
function waiverKey(t: TestCase): string {
  const digest = createHash('sha256')
    .update(`${t.id}\u0000${t.waiverReason ?? ''}`, 'utf8')
    .digest('base64url')
    .slice(0, 16);
  return `${t.id}.${digest}`;
}

/** The test cases that keep the gate closed, one sentence each. */
function unmetTests(tests: TestCase[]): string[] {
  const unmet: string[] = [];
  for (const t of tests) {
    if (t.result === 'failed')
      unmet.push(`Test case "${t.name}" failed: fix it and run it again, or waive it with a reason.`);
    else if (t.result === 'not_run') unmet.push(`Test case "${t.name}" has not been run.`);
    else if (t.result === 'waived' && !t.waiverReason?.trim())
      unmet.push(`Test case "${t.name}" is waived without a reason.`);
  }
  return unmet;
}

/** The qa stage type. */
export const qa: StandardStageType = {
  key: 'qa',
  defaults: {
    name: 'Quality Assurance & Testing',
    exitCriteria:
      'at least one test case, none failed or still to run, each passed or waived with a reason; the stage’s tasks are done',
    approvers: ['approver'],
    rule: 'all',
    approves: 'customer acceptance of the tested solution',
  },
  criteriaDependOnlyOnProject: true,
  async unmetCriteria(input) {
    const tests = await input.store.list(input.project.id, 'test_case');
    const tasks = (await input.store.list(input.project.id, 'task')).filter(
      (t) => t.stage === input.stageKey,
    );
    const name = stageName(input.project, input.stageKey);
    // "No tests" is not "all tests passed". Projects that recorded test cases as tasks (no test
    // case record at all) keep being judged on those tasks: at least one, each closed.
    const legacy = tests.length === 0 && tasks.length > 0;
    const unmet = await unmetStageWork(input, { atLeastOne: false });
    if (!legacy && tests.length === 0) {
      unmet.unshift(
        `No test cases are recorded for ${name}: record at least one, passed or waived with a reason.`,
      );
    }
    unmet.push(...unmetTests(tests));
    return unmet;
  },
  async approvalContent({ store, project, stage }) {
    const tests = await store.list(project.id, 'test_case');
    const byCategory = new Map<TestCategory, TestCase[]>();
    for (const t of tests) byCategory.set(t.category, [...(byCategory.get(t.category) ?? []), t]);
    const order = Object.keys(CATEGORY_WORDS) as TestCategory[];
    const sections: ContentSection[] = order
      .filter((c) => byCategory.has(c))
      .map((c) => ({
        title: `${CATEGORY_WORDS[c]} tests`,
        items: (byCategory.get(c) ?? []).map((t) => ({
          label: t.name,
          detail: [
            `Result: ${RESULT_WORDS[t.result]}${t.tester ? ` (tested by ${t.tester})` : ''}`,
            `Expected: ${t.expectedResult}`,
            ...(t.steps.length ? [`Steps: ${t.steps.join('; ')}`] : []),
            ...evidenceItems(t.evidence),
          ],
        })),
      }));
    const waived = tests.filter((t) => t.result === 'waived');
    const acceptances = waived.map(
      (t): Acceptance => ({
        key: waiverKey(t),
        label: t.name,
        detail: `Waived: ${t.waiverReason ?? ''}`,
      }),
    );
    if (waived.length) {
      sections.push({
        title: 'Waivers you accept with this decision',
        items: acceptances.map((a) => ({ label: a.label, detail: [a.detail] })),
        acceptance: true,
      });
    }
    if (tests.length === 0) {
      // Projects that recorded their test cases as tasks of the stage: show those.
      const tasks = (await store.list(project.id, 'task')).filter((t) => t.stage === stage.key);
      if (tasks.length) {
        sections.push({
          title: 'Tests recorded as tasks',
          items: tasks.map((t) => ({
            label: t.name,
            detail: [
              t.status === 'waived'
                ? `Waived: ${t.waiverReason ?? ''}`
                : `Status: ${t.status.replace('_', ' ')}`,
            ],
          })),
        });
      }
    }
    return { approves: stage.gate.approves, sections, ...(acceptances.length ? { acceptances } : {}) };
  },
};
