/**
 * Record the corrective action for an open deviation
 * (POST /api/projects/{id}/deviations/{key}/corrective-action).
 *
 * Input: project id, the deviation's key (as the monitoring check recorded it, e.g.
 * `overdue-stage:qa`), the action in words, the actor. Output: the stored action.
 * Steps: the deviation must be open on the project (NotFoundError otherwise); the action is kept
 * on the project's monitoring state by key (a new one replaces the previous) and a
 * `corrective_action_recorded` event is appended in the same commit.
 */
import { NotFoundError, StateError } from '../errors.js';
import { requireProject, withConflictRetry } from '../events.js';
import type { CorrectiveAction } from '../model.js';
import type { Deps } from '../ports.js';

export async function recordCorrectiveAction(
  deps: Deps,
  projectId: string,
  key: string,
  action: string,
  actor: string,
): Promise<{ key: string } & CorrectiveAction> {
  return withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    if (project.status !== 'active') throw new StateError(`project ${projectId} is closed`);
    const monitoring = project.monitoring;
    if (!monitoring?.openDeviations.includes(key)) {
      throw new NotFoundError(`no open deviation ${key} in project ${projectId}`);
    }
    const at = deps.clock.now().toISOString();
    const recorded: CorrectiveAction = { action, by: actor, at };
    await deps.store.commit(
      [
        {
          ...project,
          monitoring: {
            ...monitoring,
            correctiveActions: { ...monitoring.correctiveActions, [key]: recorded },
          },
        },
      ],
      [
        {
          projectId,
          type: 'corrective_action_recorded',
          actor,
          at,
          summary: `Corrective action for ${key}: ${action}`,
          data: { key },
        },
      ],
    );
    return { key, ...recorded };
  });
}
