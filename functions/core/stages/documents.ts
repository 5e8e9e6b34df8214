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
import { STANDARD_STAGE_TYPES } from './index.js';
import type { ApprovalDocument } from './stage-type.js';

type Generator = (deps: Deps, projectId: string, actor: string) => Promise<unknown>;

/** The generator of every document a gate approves, by document id. */
const GENERATORS = new Map<string, Generator>([
  [CHARTER_DOCUMENT_ID, generateCharter],
  [PLAN_DOCUMENT_ID, generatePlan],
  // Without a time: the close-out report of the gate is dated now (the final one, at close, is not).
  [CLOSEOUT_DOCUMENT_ID, (deps, projectId, actor) => generateCloseout(deps, projectId, actor)],
]);

// A stage type whose gate approves a document nobody generates would ask for approval of a
// version that never exists: fail at load instead.
for (const type of STANDARD_STAGE_TYPES) {
  const id = type.approvalDocument?.id;
  if (id !== undefined && !GENERATORS.has(id)) {
    throw new Error(`stage type ${type.key} approves document ${id}, which has no generator`);
  }
}

/**
 * Brings `document` (a stage type's `approvalDocument`) up to date before approvals are requested:
 * a new version when its content changed, a no-op otherwise.
 */
export async function prepareDocument(
  deps: Deps,
  projectId: string,
  document: ApprovalDocument,
  actor: string,
): Promise<void> {
  const generate = GENERATORS.get(document.id);
  if (!generate) throw new Error(`document ${document.id} has no generator`);
  await generate(deps, projectId, actor);
}
