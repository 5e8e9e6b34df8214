/**
 * The portfolio (GET /api/projects): every project with its current stage, status and RAG.
 * Input: none. Output: one summary per project (all pages of the project list read; no Scan).
 * RAG comes from the monitoring health computation over the project's stages, tasks and risks.
 */
import { computeHealth } from '../health.js';
import type { Project, ProjectStatus } from '../model.js';
import type { Deps } from '../ports.js';

export interface ProjectSummary {
  id: string;
  name: string;
  customer: string;
  currentStage: string;
  status: ProjectStatus;
  rag: 'green' | 'amber' | 'red';
}

export async function listProjectSummaries(deps: Deps): Promise<ProjectSummary[]> {
  const projects: Project[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listProjects({ ...(cursor ? { cursor } : {}), limit: 100 });
    projects.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  const now = deps.clock.now();
  return Promise.all(
    projects.map(async (project) => {
      const [stages, tasks, risks] = await Promise.all([
        deps.store.list(project.id, 'stage'),
        deps.store.list(project.id, 'task'),
        deps.store.list(project.id, 'risk'),
      ]);
      const health = computeHealth({ project, stages, tasks, risks, now });
      return {
        id: project.id,
        name: project.name,
        customer: project.customerName,
        currentStage: project.currentStage,
        status: project.status,
        rag: health.rag,
      };
    }),
  );
}
