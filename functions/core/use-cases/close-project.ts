/**
 * Close a project after its last stage (the state machine's final step).
 *
 * Input: projectId. Output: whether it was closed now (false when it was closed before).
 * Steps: the close-out report PDF (deliverables and their acceptance, budget against actual,
 * lessons learned, the support hand-off, open items, stages and approvals) is published as the
 * final version of the `closeout` document (generate-closeout.ts, dated with the close); then the
 * project goes to closed (closedAt; the store moves it off the active-projects index) with event
 * `project_closed` in one commit; the other projects whose resourcing gate counted this project's
 * team check it again, now without it (recheck-capacity-gates.ts); the report's summary is emailed
 * to stakeholders and team.
 * Idempotent: a closed project is left as it is and nothing is sent again.
 */
import { ALLOCATIONS_BUMP } from '../allocation-order.js';
import { requireProject, withConflictRetry } from '../events.js';
import { type CloseoutInput, closeout } from '../notifications/closeout.js';
import { notify } from '../notifications/notify.js';
import { loadPeople, notificationContext, uniqueEmails } from '../notifications/people.js';
import type { Deps } from '../ports.js';
import { generateCloseout } from './generate-closeout.js';
import { recheckCapacityGates } from './recheck-capacity-gates.js';

export interface CloseProjectInput {
  projectId: string;
}

export interface CloseProjectResult {
  closed: boolean;
  documentKey?: string;
}

export async function closeProject(deps: Deps, input: CloseProjectInput): Promise<CloseProjectResult> {
  const { projectId } = input;
  const outcome = await withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    if (project.status === 'closed') return undefined;
    const at = deps.clock.now().toISOString();
    const document = await generateCloseout(deps, projectId, 'system', at);
    const [stages, gates, tasks] = await Promise.all([
      deps.store.list(projectId, 'stage'),
      deps.store.list(projectId, 'gate'),
      deps.store.list(projectId, 'task'),
    ]);
    const report: CloseoutInput = {
      ctx: notificationContext(project, deps.config),
      project,
      stages,
      gates,
      tasks,
      closedAt: at,
    };
    const key = document.key;
    await deps.store.commit(
      [{ ...project, status: 'closed', closedAt: at, updatedAt: at }],
      [
        {
          projectId,
          type: 'project_closed',
          actor: 'system',
          at,
          summary: `Project ${project.name} closed; close-out report v${document.docVersion} sent`,
          data: { document: document.id, docVersion: document.docVersion, key, sha256: document.sha256 },
        },
      ],
      [],
      // Its people no longer count elsewhere: a resourcing gate that read the capacity before
      // this commit does not pass on that read (allocation-order.ts).
      { bumps: project.status === 'active' ? ALLOCATIONS_BUMP : [] },
    );
    return { report, key };
  });
  if (!outcome) return { closed: false };

  const { report, key } = outcome;
  // Its people are free from now on (it left the active-projects index). Never throws.
  await recheckCapacityGates(deps, { projectId, left: true });
  const people = await loadPeople(deps, report.project);
  await notify(deps, projectId, undefined, [
    closeout(report, uniqueEmails([...people.stakeholders, ...people.team])),
  ]);
  return { closed: true, documentKey: key };
}
