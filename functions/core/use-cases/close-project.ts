/**
 * Close a project after its last stage (the state machine's final step).
 *
 * Input: projectId. Output: whether it was closed now (false when it was closed before).
 * Steps: the close-out report (stages and dates, approvals, budget vs actual hours from tasks) is
 * rendered and put in the document store; the project goes to closed (closedAt; the store moves it
 * off the active-projects index) with the `closeout` document record and event `project_closed`
 * in one commit; the report is emailed to stakeholders and team. Idempotent: a closed project is
 * left as it is and nothing is sent again.
 */
import { createHash } from 'node:crypto';
import { requireProject, withConflictRetry } from '../events.js';
import type { DocumentRecord } from '../model.js';
import { type CloseoutInput, closeout, closeoutContent } from '../notifications/closeout.js';
import { emailHtml } from '../notifications/email/render.js';
import { notify } from '../notifications/notify.js';
import { loadPeople, notificationContext, uniqueEmails } from '../notifications/people.js';
import type { Deps } from '../ports.js';

export interface CloseProjectInput {
  projectId: string;
}

export interface CloseProjectResult {
  closed: boolean;
  documentKey?: string;
}

/** Where a project's close-out report is kept in the document store. */
export function closeoutKey(projectId: string): string {
  return `projects/${projectId}/closeout.html`;
}

export async function closeProject(deps: Deps, input: CloseProjectInput): Promise<CloseProjectResult> {
  const { projectId } = input;
  const outcome = await withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    if (project.status === 'closed') return undefined;
    const at = deps.clock.now().toISOString();
    const [stages, gates, tasks, existingDoc] = await Promise.all([
      deps.store.list(projectId, 'stage'),
      deps.store.list(projectId, 'gate'),
      deps.store.list(projectId, 'task'),
      deps.store.get(projectId, 'document', 'closeout'),
    ]);
    const report: CloseoutInput = {
      ctx: notificationContext(project, deps.config),
      project,
      stages,
      gates,
      tasks,
      closedAt: at,
    };
    // The stored document is the report as it is emailed.
    const body = emailHtml('closeout', report.ctx, closeoutContent(report));
    const key = closeoutKey(projectId);
    await deps.documents.put(key, body, 'text/html; charset=utf-8');
    const doc: DocumentRecord = {
      entity: 'document',
      projectId,
      id: 'closeout',
      kind: 'closeout',
      docVersion: (existingDoc?.docVersion ?? 0) + 1,
      title: `Close-out report: ${project.name}`,
      key,
      sha256: createHash('sha256').update(body, 'utf8').digest('hex'),
      createdAt: at,
      version: existingDoc?.version ?? 0,
    };
    await deps.store.commit(
      [{ ...project, status: 'closed', closedAt: at, updatedAt: at }, doc],
      [
        {
          projectId,
          type: 'project_closed',
          actor: 'system',
          at,
          summary: `Project ${project.name} closed; close-out report sent`,
          data: { document: key },
        },
      ],
    );
    return { report, key };
  });
  if (!outcome) return { closed: false };

  const { report, key } = outcome;
  const people = await loadPeople(deps, report.project);
  await notify(deps, projectId, undefined, [
    closeout(report, uniqueEmails([...people.stakeholders, ...people.team])),
  ]);
  return { closed: true, documentKey: key };
}
