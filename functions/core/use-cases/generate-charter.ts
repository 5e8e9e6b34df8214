/**
 * Generate the project charter document (the initiation gate's approvers approve it).
 *
 * Input: project id, actor. Output: the charter's DocumentRecord as stored (the current one when
 * nothing changed). Steps: read the project; build the charter from its spec; publish it as a PDF
 * when its content changed (publish-document.ts) with a `charter_generated` event. Runs when the
 * initiation gate opens and before its approvals are requested; a changed spec gives a new version.
 */
import { CHARTER_DOCUMENT_ID, charterDocument } from '../documents/charter.js';
import { requireProject, withConflictRetry } from '../events.js';
import type { DocumentRecord } from '../model.js';
import type { Deps } from '../ports.js';
import { publishDocument } from './publish-document.js';

export async function generateCharter(deps: Deps, projectId: string, actor: string): Promise<DocumentRecord> {
  return withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    return publishDocument(deps, {
      projectId,
      id: CHARTER_DOCUMENT_ID,
      kind: 'charter',
      title: 'Project charter',
      draft: charterDocument(project),
      actor,
      eventType: 'charter_generated',
    });
  });
}
