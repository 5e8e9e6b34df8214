/**
 * Generate the close-out report document (the support gate's approvers approve it; it is
 * produced again at close).
 *
 * Input: project id, actor, and when the project closes (absent before close). Output: the
 * close-out's DocumentRecord as stored (the current one when nothing changed).
 * Steps: read the project with its stages, gates, tasks, risks and lessons; build the report
 * (documents/closeout.ts); publish it as a PDF when its content changed (publish-document.ts)
 * with a `closeout_generated` event.
 */
import { CLOSEOUT_DOCUMENT_ID, closeoutDocument } from '../documents/closeout.js';
import { loadCloseoutInput } from '../documents/closeout-input.js';
import { requireProject, withConflictRetry } from '../events.js';
import type { DocumentRecord } from '../model.js';
import type { Deps } from '../ports.js';
import { publishDocument } from './publish-document.js';

export { loadCloseoutInput };

export async function generateCloseout(
  deps: Deps,
  projectId: string,
  actor: string,
  closedAt?: string,
): Promise<DocumentRecord> {
  return withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    return publishDocument(deps, {
      projectId,
      id: CLOSEOUT_DOCUMENT_ID,
      kind: 'closeout',
      title: 'Close-out report',
      draft: closeoutDocument(await loadCloseoutInput(deps, project, closedAt)),
      actor,
      eventType: 'closeout_generated',
    });
  });
}
