/**
 * Archive a project whose spec was removed (its stack deleted in AWS, its file gone locally).
 *
 * Input: the project id, why (for the event). Output: `{ archived }` (false when there is no such
 * project or it is archived already; a closed project is archived too, it keeps its close-out).
 * Steps: status `archived` with `archivedAt` and the `project_archived` event in one commit
 * (version-checked; a conflict re-reads), then every running execution of its state machine is
 * stopped, and the other projects whose resourcing gate counted its team check it again without
 * it (recheck-capacity-gates.ts). Nothing else is deleted: every record, document and event stays. Its approval links
 * become neutral because the approval pages decide only for active projects, and the staff API
 * refuses changes to it; the monitoring check and the status report skip it.
 */
import { ALLOCATIONS_BUMP } from '../allocation-order.js';
import { withConflictRetry } from '../events.js';
import type { Deps } from '../ports.js';
import { recheckCapacityGates } from './recheck-capacity-gates.js';

export async function archiveProject(
  deps: Deps,
  projectId: string,
  reason: string,
): Promise<{ archived: boolean }> {
  const archived = await withConflictRetry(async () => {
    const project = await deps.store.getProject(projectId);
    if (!project || project.status === 'archived') return false;
    const at = deps.clock.now().toISOString();
    await deps.store.commit(
      [{ ...project, status: 'archived', archivedAt: at, updatedAt: at }],
      [
        {
          projectId,
          type: 'project_archived',
          actor: 'system',
          at,
          summary: `Project "${project.name}" archived: ${reason}`,
          data: { previousStatus: project.status, stage: project.currentStage, reason },
        },
      ],
      [],
      // An active project's people no longer count elsewhere: a resourcing gate that read the
      // capacity before this commit does not pass on that read (allocation-order.ts).
      { bumps: project.status === 'active' ? ALLOCATIONS_BUMP : [] },
    );
    return true;
  });
  if (!archived) return { archived: false };
  // After the commit: a gate task that still runs finds the project archived and does nothing.
  const stopped = await deps.workflow.stopExecutions(projectId, 'project archived: its spec was removed');
  deps.log.info('project archived', { projectId, stoppedExecutions: stopped });
  // Off the active-projects index: its people no longer count elsewhere. Never throws.
  await recheckCapacityGates(deps, { projectId, left: true });
  return { archived: true };
}
