/**
 * The portfolio (GET /api/projects and the console's portfolio page): every project with its
 * current stage, status, RAG and the reasons for it, whether its current gate waits on the
 * customer's approvers (and since when), what is overdue, and the next due date.
 * Input: none. Output: one summary per project (all pages of the project list read; no Scan).
 * RAG comes from the monitoring health computation over the project's stages, tasks and risks.
 * The waiting-on-client clock: since when the project's current gate waits on the customer's
 * approvers (while it does) and the project's total wait over every gate and round.
 */
import { projectWait, waitClockEnd } from '../customer-wait.js';
import { computeHealth, overdueStages, overdueTasks } from '../health.js';
import type { Project, ProjectStatus, Stage } from '../model.js';
import type { Deps, ProjectStore } from '../ports.js';
import { localDate } from '../time.js';

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
  /** Why the project is not green (empty when green). */
  reasons: string[];
  /** When the current gate asked the customer's approvers, while it waits on their decisions. */
  waitingOnCustomerSince?: string;
  /** Overdue stages and tasks, in words (e.g. `stage QA (3 days)`). */
  overdue: string[];
  /** The earliest due date of a stage or task that is not finished, and what is due then. */
  nextDue?: { date: string; what: string };
  /** Milliseconds the project has waited on its customer over every gate and round. */
  customerWaitMs: number;
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
      const [records, tasks, risks, gates] = await Promise.all([
        deps.store.list(project.id, 'stage'),
        deps.store.list(project.id, 'task'),
        deps.store.list(project.id, 'risk'),
        deps.store.list(project.id, 'gate'),
      ]);
      const stages = stagesOf(project, records);
      const health = computeHealth({ project, stages, tasks, risks, gates, now });
      const wait = projectWait(gates, waitClockEnd(project, now), project.status === 'active');
      const today = localDate(now, project.timezone);
      const active = project.status === 'active';
      const overdue = active
        ? [
            ...overdueStages(stages, today).map((o) => `stage ${o.stage.name} (${days(o.days)})`),
            ...overdueTasks(tasks, today).map((o) => `${o.task.type} ${o.task.name} (${days(o.days)})`),
          ]
        : [];
      const upcoming = active
        ? [
            ...stages
              .filter((s) => s.status !== 'completed' && s.due && s.due >= today)
              .map((s) => ({ date: s.due as string, what: `stage ${s.name}` })),
            ...tasks
              .filter((t) => t.status !== 'done' && t.status !== 'waived' && t.due && t.due >= today)
              .map((t) => ({ date: t.due as string, what: `${t.type} ${t.name}` })),
          ].sort((a, b) => a.date.localeCompare(b.date))
        : [];
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
        reasons: health.reasons,
        ...(wait.waitingSince ? { waitingOnCustomerSince: wait.waitingSince } : {}),
        customerWaitMs: wait.totalMs,
        overdue,
        ...(upcoming[0] ? { nextDue: upcoming[0] } : {}),
      };
    }),
  );
}

const days = (n: number) => (n === 1 ? '1 day' : `${n} days`);
