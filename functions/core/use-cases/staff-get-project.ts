/**
 * Read one project with everything the gates need (GET /api/projects/{id}).
 * Input: project id. Output: the project's fields (with `currentStage` and `status` at the top),
 * its stages (the spec's stage merged with the stage record), gates with approvers and decisions
 * (without task tokens or link hashes), risks, tasks, team, stakeholders, resources, documents,
 * and the exit criteria of the current stage (what still blocks it).
 * Throws NotFoundError when the project does not exist.
 */
import { evaluateCriteria } from '../criteria.js';
import { NotFoundError } from '../errors.js';
import type {
  ApproverState,
  DocumentRecord,
  Gate,
  Project,
  Resource,
  Risk,
  Stage,
  Stakeholder,
  Task,
  TeamMember,
} from '../model.js';
import type { Deps } from '../ports.js';
import type { ResolvedGate } from '../spec/schema.js';
import { stagesOf } from './staff-list-projects.js';

/** A gate as staff see it: no task token, no link hashes. */
export type PublicGate = Omit<Gate, 'taskToken' | 'approvers' | 'entity'> & {
  approvers: Omit<ApproverState, 'linkHash'>[];
};

/** A stage of the project: its record (status, dates) with the spec's gate configuration. */
export type StageView = Omit<Stage, 'entity' | 'version'> & {
  version: number;
  standard: boolean;
  gate: ResolvedGate;
};

export type ProjectDetail = Omit<Project, 'stages' | 'entity'> & {
  stages: StageView[];
  gates: PublicGate[];
  risks: Risk[];
  tasks: Task[];
  team: TeamMember[];
  stakeholders: Stakeholder[];
  resources: Resource[];
  documents: DocumentRecord[];
  /** The exit criteria of the current stage as of now (absent once the project is closed). */
  criteria?: { stage: string; met: boolean; unmet: string[] };
};

/** Drops the secrets of a gate (task token; link hashes of approvers). */
export function publicGate(gate: Gate): PublicGate {
  const { taskToken: _token, approvers, entity: _entity, ...rest } = gate;
  return { ...rest, approvers: approvers.map(({ linkHash: _hash, ...a }) => a) };
}

export async function getProjectDetail(deps: Deps, projectId: string): Promise<ProjectDetail> {
  const project = await deps.store.getProject(projectId);
  if (!project) throw new NotFoundError(`project ${projectId} not found`);
  const [stages, gates, risks, tasks, team, stakeholders, resources, documents] = await Promise.all([
    deps.store.list(projectId, 'stage'),
    deps.store.list(projectId, 'gate'),
    deps.store.list(projectId, 'risk'),
    deps.store.list(projectId, 'task'),
    deps.store.list(projectId, 'member'),
    deps.store.list(projectId, 'stakeholder'),
    deps.store.list(projectId, 'resource'),
    deps.store.list(projectId, 'document'),
  ]);
  const { stages: resolved, entity: _entity, ...fields } = project;
  const records = stagesOf(project, stages);
  const stageViews: StageView[] = resolved.map((r, i) => {
    const { entity: _e, ...rest } = records[i]!;
    return { ...rest, standard: r.standard, gate: r.gate };
  });
  const order = new Map(resolved.map((s) => [s.key, s.order]));
  const criteria =
    project.status === 'active'
      ? {
          stage: project.currentStage,
          ...(await evaluateCriteria(deps.store, project, project.currentStage, deps.clock.now())),
        }
      : undefined;
  return {
    ...fields,
    stages: stageViews,
    gates: [...gates].sort((a, b) => (order.get(a.stage) ?? 0) - (order.get(b.stage) ?? 0)).map(publicGate),
    risks,
    tasks,
    team,
    stakeholders,
    resources,
    documents,
    ...(criteria ? { criteria } : {}),
  };
}
