/**
 * How the document a gate approves (a stage type's `approvalDocument`: the charter, the plan, the
 * close-out report) is brought up to date before its approvals are requested: each approval
 * document's generator, by the document's id.
 *
 * Apart from the stage types on purpose: the generators bring the document models and the
 * publishing with them, and only opening or submitting a gate generates (progress-gate.ts,
 * submit-stage.ts). Registration, the approval pages and the criteria read the stage type, which
 * names the document, and never bundle its generator.
 */
import { CHARTER_DOCUMENT_ID } from '../documents/charter.js';
import { CLOSEOUT_DOCUMENT_ID } from '../documents/closeout.js';
import { PLAN_DOCUMENT_ID } from '../documents/plan.js';
import type { Deps } from '../ports.js';
import { generateCharter } from '../use-cases/generate-charter.js';
import { generateCloseout } from '../use-cases/generate-closeout.js';
import { generatePlan } from '../use-cases/generate-plan.js';
import type { ApprovalDocument } from './stage-type.js';

type Generator = (deps: Deps, projectId: string, actor: string) => Promise<unknown>;

/**
 * The generator of every document a gate approves, by document id (test/unit/stages.test.ts checks
 * that each stage type's document has one).
 */
const GENERATORS = new Map<string, Generator>([
  [CHARTER_DOCUMENT_ID, generateCharter],
  [PLAN_DOCUMENT_ID, generatePlan],
  // Called without a close time: the gate's close-out report is dated now (the final one, at close, is not).
  [CLOSEOUT_DOCUMENT_ID, generateCloseout],
]);

/**
 * Brings `document` (a stage type's `approvalDocument`) up to date before approvals are requested:
 * a new version when its content changed, a no-op otherwise.
 */
export function prepareDocument(
  deps: Deps,
  projectId: string,
  document: ApprovalDocument,
  actor: string,
): Promise<unknown> {
  const generate = GENERATORS.get(document.id);
  if (!generate) throw new Error(`no generator for document ${document.id}`);
  return generate(deps, projectId, actor);
}
