/**
 * Generate the project plan document (the risk gate's approvers approve it).
 *
 * Input: project id, actor. Output: the plan's DocumentRecord as stored (the current one when
 * nothing changed).
 * Steps: read the project and the records the plan shows; build its model; publish it as a PDF
 * when its content changed (publish-document.ts), committing the project's `planVersion` = N and a
 * `plan_generated` event with it. On a version conflict it reads again and retries.
 */
import { loadPlanInput, PLAN_DOCUMENT_ID, planDocument } from '../documents/plan.js';
import { requireProject, withConflictRetry } from '../events.js';
import type { DocumentRecord, Project } from '../model.js';
import type { Deps } from '../ports.js';
import { publishDocument } from './publish-document.js';

export { PLAN_DOCUMENT_ID };

export async function generatePlan(deps: Deps, projectId: string, actor: string): Promise<DocumentRecord> {
  return withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    const input = await loadPlanInput(deps.store, project);
    return publishDocument(deps, {
      projectId,
      id: PLAN_DOCUMENT_ID,
      kind: 'plan',
      title: 'Project plan',
      draft: planDocument(input),
      actor,
      eventType: 'plan_generated',
      with: (docVersion, at): Project[] => [{ ...project, planVersion: docVersion, updatedAt: at }],
    });
  });
}
