/**
 * Add or update a test case of the QA stage (PUT /api/projects/{id}/test-cases/{testId}).
 * Input: name, category, steps, expected result, result (`not_run`, `passed`, `failed`, `waived`
 * with a reason), evidence, tester; the version read (absent: create).
 * Output: the stored test case. Steps: see staff-upsert.ts. Recording a result stamps `testedAt`;
 * a result other than `waived` drops an earlier waiver reason (it no longer applies).
 */
import { ValidationError } from '../errors.js';
import type { TestCase, TestCategory, TestResult } from '../model.js';
import type { Deps } from '../ports.js';
import {
  type RecordFields,
  requireOnCreate,
  type UpsertResult,
  upsertProjectRecord,
} from './staff-upsert.js';

/** The test case fields an update may empty (`clear`); the others cannot be cleared. */
export const TEST_CASE_FIELDS = {
  optional: ['waiverReason', 'evidence', 'tester'],
  required: ['name', 'category', 'steps', 'expectedResult', 'result'],
  lists: ['steps'],
} as const satisfies RecordFields;

export interface TestCaseInput {
  version?: number;
  /** Optional fields to empty (see staff-upsert.ts). */
  clear?: (typeof TEST_CASE_FIELDS.optional)[number][];
  name?: string;
  category?: TestCategory;
  steps?: string[];
  expectedResult?: string;
  result?: TestResult;
  waiverReason?: string;
  evidence?: string;
  tester?: string;
}

/** Creates or updates one test case, then lets the current stage's gate re-check its criteria. */
export function upsertTestCase(
  deps: Deps,
  projectId: string,
  testId: string,
  input: TestCaseInput,
  actor: string,
): Promise<UpsertResult<'test_case'>> {
  const { version, clear, ...fields } = input;
  return upsertProjectRecord(deps, {
    projectId,
    entity: 'test_case',
    id: testId,
    ...(version !== undefined ? { version } : {}),
    actor,
    ...(clear ? { clear, given: fields, fields: TEST_CASE_FIELDS } : {}),
    describe: (t) => `test case "${t.name}" (${t.category}, ${t.result.replace('_', ' ')})`,
    build: (existing): TestCase => {
      if (!existing)
        requireOnCreate({
          name: fields.name,
          category: fields.category,
          expectedResult: fields.expectedResult,
        });
      const result = fields.result ?? existing?.result ?? 'not_run';
      const waiverReason = result === 'waived' ? (fields.waiverReason ?? existing?.waiverReason) : undefined;
      if (result === 'waived' && !waiverReason) {
        throw new ValidationError([{ path: 'waiverReason', message: 'a waived test case needs a reason' }]);
      }
      if (result !== 'waived' && fields.waiverReason !== undefined) {
        throw new ValidationError([
          { path: 'waiverReason', message: 'only a waived test case has a waiver reason' },
        ]);
      }
      const resultChanged = fields.result !== undefined && fields.result !== existing?.result;
      const testedAt =
        result === 'not_run'
          ? undefined
          : resultChanged
            ? deps.clock.now().toISOString()
            : existing?.testedAt;
      const { waiverReason: _w, testedAt: _t, ...kept } = existing ?? ({} as Partial<TestCase>);
      return {
        entity: 'test_case',
        projectId,
        id: testId,
        steps: [],
        ...kept,
        ...fields,
        name: fields.name ?? existing?.name ?? '',
        category: fields.category ?? existing?.category ?? 'functional',
        expectedResult: fields.expectedResult ?? existing?.expectedResult ?? '',
        result,
        ...(waiverReason ? { waiverReason } : {}),
        ...(testedAt ? { testedAt } : {}),
        version: 0,
      };
    },
  });
}
