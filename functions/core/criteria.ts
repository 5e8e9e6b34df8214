/**
 * Exit criteria of each stage (the design's lifecycle table), evaluated on the project's records.
 * Each criterion that does not hold is one short sentence a project manager understands; the
 * gate of a stage may pass only when the list is empty. The criteria themselves belong to the
 * stage types (`functions/core/stages/`); this is the one entry point that dispatches to them.
 * One criterion belongs to every stage: the actual cost must be within the budget of the effective
 * spec (budget.ts); past it, no gate passes until a change request raises the budget.
 */
import { budgetCriterion, loadOverBudget } from './budget.js';
import { NotFoundError } from './errors.js';
import type { Project } from './model.js';
import type { ProjectStore } from './ports.js';
import { stageType } from './stages/index.js';

export interface CriteriaResult {
  met: boolean;
  unmet: string[];
}

/** Evaluates the exit criteria of `stageKey` for `project` at `now`. */
export async function evaluateCriteria(
  store: ProjectStore,
  project: Project,
  stageKey: string,
  now: Date,
): Promise<CriteriaResult> {
  if (!project.stages.some((s) => s.key === stageKey)) {
    throw new NotFoundError(`project ${project.id} has no stage ${stageKey}`);
  }
  const [stageUnmet, burn] = await Promise.all([
    stageType(stageKey).unmetCriteria({ store, project, stageKey, now }),
    loadOverBudget(store, project),
  ]);
  const unmet = [...stageUnmet, ...budgetCriterion(project.id, burn)];
  return { met: unmet.length === 0, unmet };
}
