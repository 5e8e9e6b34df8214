/**
 * Generate the project plan document.
 *
 * Input: project id, actor. Output: the plan's DocumentRecord as stored (the current one when
 * nothing changed).
 * Steps: read the project and the records the plan shows; render it (HTML + Markdown); when its
 * SHA-256 equals the current plan's, stop (no new version). Otherwise put both renderings in the
 * document store under `projects/<id>/plan/v<N>.html` (and `.md`), then commit in one transaction
 * the DocumentRecord (id `plan`, docVersion N), the project's `planVersion` = N and a
 * `plan_generated` event. On a version conflict it reads again and retries; a document put
 * without its commit is overwritten by the retry (same key) and never referenced.
 */
import { loadPlanInput, PLAN_DOCUMENT_ID, renderPlan } from '../documents/plan.js';
import { requireProject, withConflictRetry } from '../events.js';
import type { DocumentRecord, Project } from '../model.js';
import type { Deps } from '../ports.js';

export { PLAN_DOCUMENT_ID };

export function planKey(projectId: string, docVersion: number, ext: 'html' | 'md' = 'html'): string {
  return `projects/${projectId}/plan/v${docVersion}.${ext}`;
}

export async function generatePlan(deps: Deps, projectId: string, actor: string): Promise<DocumentRecord> {
  return withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    const input = await loadPlanInput(deps.store, project);
    const rendered = renderPlan(input);
    const current = await deps.store.get(projectId, 'document', PLAN_DOCUMENT_ID);
    if (current && current.sha256 === rendered.sha256) return current;

    const docVersion = (current?.docVersion ?? 0) + 1;
    const key = planKey(projectId, docVersion);
    await deps.documents.put(key, rendered.html, 'text/html; charset=utf-8');
    await deps.documents.put(
      planKey(projectId, docVersion, 'md'),
      rendered.markdown,
      'text/markdown; charset=utf-8',
    );

    const at = deps.clock.now().toISOString();
    const record: DocumentRecord = {
      entity: 'document',
      projectId,
      id: PLAN_DOCUMENT_ID,
      kind: 'plan',
      docVersion,
      title: `Project plan v${docVersion}`,
      key,
      sha256: rendered.sha256,
      createdAt: at,
      version: current?.version ?? 0,
    };
    const nextProject: Project = { ...project, planVersion: docVersion, updatedAt: at };
    const [stored] = await deps.store.commit(
      [record, nextProject],
      [
        {
          projectId,
          type: 'plan_generated',
          actor,
          at,
          summary: `Project plan document v${docVersion} generated`,
          data: { docVersion, key, sha256: rendered.sha256 },
        },
      ],
    );
    return stored as DocumentRecord;
  });
}
