/**
 * What the document a gate approves (a stage type's `approvalDocument`) would say, built without
 * rendering or storing it: the draft each generator publishes (stages/documents.ts), by the
 * document's id. A deployed spec edit compares the draft on the new spec with the one on the old
 * spec and with the version the round approves (register-project.ts), to tell whether the
 * approvers must be asked again.
 *
 * Apart from the generators on purpose: this needs only the document models, not the publishing,
 * so the register function bundles no generator.
 */
import { CHARTER_DOCUMENT_ID, charterDocument } from '../documents/charter.js';
import { CLOSEOUT_DOCUMENT_ID, closeoutDocument } from '../documents/closeout.js';
import { loadCloseoutInput } from '../documents/closeout-input.js';
import type { DocumentDraft } from '../documents/model.js';
import { loadPlanInput, PLAN_DOCUMENT_ID, planDocument } from '../documents/plan.js';
import type { Project } from '../model.js';
import type { Deps } from '../ports.js';

type Drafter = (deps: Pick<Deps, 'store'>, project: Project) => Promise<DocumentDraft>;

/** The draft of every document a gate approves, by document id (as the generators build it). */
const DRAFTERS = new Map<string, Drafter>([
  [CHARTER_DOCUMENT_ID, async (_deps, project) => charterDocument(project)],
  [PLAN_DOCUMENT_ID, async (deps, project) => planDocument(await loadPlanInput(deps.store, project))],
  // Before close (no close time), as the gate's generator builds it.
  [CLOSEOUT_DOCUMENT_ID, async (deps, project) => closeoutDocument(await loadCloseoutInput(deps, project))],
]);

/** The draft of document `documentId` for `project` (its spec and the records `deps.store` reads). */
export function documentDraft(
  deps: Pick<Deps, 'store'>,
  project: Project,
  documentId: string,
): Promise<DocumentDraft> {
  const draft = DRAFTERS.get(documentId);
  if (!draft) throw new Error(`no draft builder for document ${documentId}`);
  return draft(deps, project);
}
