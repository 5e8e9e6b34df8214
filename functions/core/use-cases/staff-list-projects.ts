/**
 * The portfolio (GET /api/projects): every project with its current stage, status and RAG.
 * Input: none. Output: one summary per project (all pages of the project list read; no Scan).
 * RAG comes from the monitoring health computation over the project's stages, tasks and risks.
 */
import { computeHealth } from '../health.js';
import type { Project, ProjectStatus, Stage } from '../model.js';
import type { Deps, ProjectStore } from '../ports.js';

export interface ProjectSummary {
  id: string;
  name: string;
  customer: string;
  currentStage: string;
  currentStageName: string;
  completedStages: number;
  totalStages: number;
  status: ProjectStatus;
  rag: 'green' | 'amber' | 'red';
}

/** Every project, all pages of the project index read. */
export async function allProjects(store: ProjectStore): Promise<Project[]> {
  const projects: Project[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listProjects({ ...(cursor ? { cursor } : {}), limit: 100 });
    projects.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return projects;
}

/** One record per stage of the project, in order (a stage without a record yet shows as pending). */
export function stagesOf(project: Project, records: Stage[]): Stage[] {
  return project.stages.map(
    (s) =>
      records.find((r) => r.key === s.key) ?? {
        entity: 'stage',
        projectId: project.id,
        key: s.key,
        name: s.name,
        order: s.order,
        status: 'pending',
        ...(s.due ? { due: s.due } : {}),
        reworkCount: 0,
        version: 0,
      },
  );
}

export async function listProjectSummaries(deps: Deps): Promise<ProjectSummary[]> {
  const projects = await allProjects(deps.store);
  const now = deps.clock.now();
  return Promise.all(
    projects.map(async (project) => {
      const [records, tasks, risks] = await Promise.all([
        deps.store.list(project.id, 'stage'),
        deps.store.list(project.id, 'task'),
        deps.store.list(project.id, 'risk'),
      ]);
      const stages = stagesOf(project, records);
      const health = computeHealth({ project, stages, tasks, risks, now });
      return {
        id: project.id,
        name: project.name,
        customer: project.customerName,
        currentStage: project.currentStage,
        currentStageName:
          project.stages.find((s) => s.key === project.currentStage)?.name ?? project.currentStage,
        completedStages: stages.filter((s) => s.status === 'completed').length,
        totalStages: stages.length,
        status: project.status,
        rag: health.rag,
      };
    }),
  );
}
