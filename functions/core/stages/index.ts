/**
 * The stage type registry: the seven standard stage types in lifecycle order, and the custom type
 * for every other key. `stageType(key)` is the one lookup; nothing outside this folder compares a
 * stage key with a literal.
 *
 * Adding a stage type: one new module in this folder exporting a `StandardStageType`, its entry
 * in `STANDARD_STAGE_TYPES` below (the position is its place in the default lifecycle), and its
 * tests (test/unit/stages.test.ts and its criteria in test/unit/criteria.test.ts). A type whose
 * gate approves a new kind of document names it (`approvalDocument`) and gives its generator an
 * entry in documents.ts, which only the functions that open or submit a gate import.
 */
import { custom } from './custom.js';
import { deployment } from './deployment.js';
import { execution } from './execution.js';
import { initiation } from './initiation.js';
import { qa } from './qa.js';
import { resourcing } from './resourcing.js';
import { risk } from './risk.js';
import type { StageType, StandardStageType } from './stage-type.js';
import { support } from './support.js';

export type {
  Acceptance,
  ApprovalContent,
  ApprovalContentInput,
  ApprovalDocument,
  ContentItem,
  ContentSection,
  CriteriaInput,
  StageDefaults,
  StageEntry,
  StageType,
  StandardStageType,
} from './stage-type.js';
export { approvesInWords, currentDocumentVersion } from './stage-type.js';

/** The standard stage types, in lifecycle order (the default stages of a spec). */
export const STANDARD_STAGE_TYPES: readonly StandardStageType[] = [
  initiation,
  resourcing,
  risk,
  execution,
  qa,
  deployment,
  support,
];

/** The type of every stage whose key is not a standard one. */
export const CUSTOM_STAGE_TYPE: StageType = custom;

const byKey = new Map<string, StandardStageType>();
for (const type of STANDARD_STAGE_TYPES) {
  // A key registered twice would silently shadow a type: fail at load instead.
  if (byKey.has(type.key)) throw new Error(`stage type ${type.key} is registered twice`);
  byKey.set(type.key, type);
}

/** Keys of the standard stages, in lifecycle order. */
export const STANDARD_STAGE_KEYS: readonly string[] = STANDARD_STAGE_TYPES.map((t) => t.key);

/** The standard stage type of `key`, or undefined for a custom stage. */
export function standardStageType(key: string): StandardStageType | undefined {
  return byKey.get(key);
}

/** The type of the stage with `key`: its standard type, or the custom type. */
export function stageType(key: string): StageType {
  return byKey.get(key) ?? custom;
}
