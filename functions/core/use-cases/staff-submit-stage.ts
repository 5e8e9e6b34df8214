/**
 * The PM submits a stage (POST /api/projects/{id}/stages/{stage}/submit).
 * Input: project id, stage key, actor. Output: `{ submitted, unmet }` (the criteria that do not hold).
 * Throws NotFoundError for an unknown project or stage, StateError when the stage is not the
 * project's current stage (or the project is closed).
 */
import { NotFoundError, StateError } from '../errors.js';
import type { Deps } from '../ports.js';
import { submitStage } from './submit-stage.js';

export async function staffSubmitStage(
  deps: Deps,
  projectId: string,
  stage: string,
  actor: string,
): Promise<{ submitted: boolean; unmet: string[] }> {
  const project = await deps.store.getProject(projectId);
  if (!project) throw new NotFoundError(`project ${projectId} not found`);
  if (!project.stages.some((s) => s.key === stage)) throw new NotFoundError(`stage ${stage} not found`);
  if (project.status !== 'active') throw new StateError(`project ${projectId} is ${project.status}`);
  if (project.currentStage !== stage) {
    throw new StateError(`stage ${stage} is not the current stage (${project.currentStage})`);
  }
  return submitStage(deps, projectId, stage, actor);
}
