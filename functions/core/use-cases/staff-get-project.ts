/**
 * Read one project with everything the gates need (GET /api/projects/{id}).
 * Input: project id. Output: the project's fields (with `currentStage` and `status` at the top),
 * its stages (the spec's stage merged with the stage record), gates with approvers and decisions
 * (without task tokens or link hashes), risks, tasks, team, stakeholders, resources, test cases,
 * deployments, training sessions, documents,
 * the project's health now (RAG, SPI, CPI and why), the deviations found now with the corrective
 * action recorded for each, the exit criteria of the current stage (what still blocks it), and the
 * waiting-on-client clock: per gate whether it waits now, since when and its total over the
 * rounds (`customerWait`), and the project's total (`customerWait`, also behind `health.forecastEnd`).
 * The staff API and the console's project page both read this one model.
 * Throws NotFoundError when the project does not exist.
 */
import { type BudgetBurn, budgetBurn, LEDGER_ID } from '../budget.js';
import { evaluateCriteria } from '../criteria.js';
import { type GateWait, gateWait, type ProjectWait, projectWait, waitClockEnd } from '../customer-wait.js';
import { NotFoundError } from '../errors.js';
import { computeHealth, type Health } from '../health.js';
import type {
  ApproverState,
  DeploymentRecord,
  DocumentRecord,
  Gate,
  Lesson,
  Project,
  Resource,
  Risk,
  Stage,
  Stakeholder,
  Task,
  TeamMember,
  TestCase,
  TrainingSession,
} from '../model.js';
import type { Deps } from '../ports.js';
import type { ResolvedGate } from '../spec/schema.js';
import { findDeviations } from './run-monitoring-check.js';
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

/** A gate of the project page: its public fields and its waiting-on-client clock. */
export type GateView = PublicGate & { customerWait: GateWait };

export type ProjectDetail = Omit<Project, 'stages' | 'entity'> & {
  stages: StageView[];
  gates: GateView[];
  risks: Risk[];
  tasks: Task[];
  team: TeamMember[];
  stakeholders: Stakeholder[];
  resources: Resource[];
  testCases: TestCase[];
  deployments: DeploymentRecord[];
  trainingSessions: TrainingSession[];
  /** Lessons learned the PM recorded (the close-out report lists them). */
  lessons: Lesson[];
  documents: DocumentRecord[];
  /** The exit criteria of the current stage as of now (absent once the project is closed). */
  criteria?: { stage: string; met: boolean; unmet: string[] };
  /** Health as of now: RAG, SPI, CPI and the reasons it is not green. */
  health: Health;
  /** Deviations found now (none once closed), each with its corrective action when one is recorded. */
  deviations: DeviationView[];
  /** How long the project has waited on its customer over every gate, and since when it waits now. */
  customerWait: ProjectWait;
  /** Money and hours against the effective budget, EAC and VAC (internal: staff only). */
  budget: BudgetBurn;
};

/** A deviation as staff see it: what is off, and what is being done about it. */
export interface DeviationView {
  key: string;
  summary: string;
  action?: { action: string; by: string; at: string };
}

/** Drops the secrets of a gate (task token; link hashes of approvers). */
export function publicGate(gate: Gate): PublicGate {
  const { taskToken: _token, approvers, entity: _entity, ...rest } = gate;
  return { ...rest, approvers: approvers.map(({ linkHash: _hash, ...a }) => a) };
}

export async function getProjectDetail(deps: Deps, projectId: string): Promise<ProjectDetail> {
  const project = await deps.store.getProject(projectId);
  if (!project) throw new NotFoundError(`project ${projectId} not found`);
  const [
    stages,
    gates,
    risks,
    tasks,
    team,
    stakeholders,
    resources,
    documents,
    testCases,
    deployments,
    trainingSessions,
    ledger,
    lessons,
  ] = await Promise.all([
    deps.store.list(projectId, 'stage'),
    deps.store.list(projectId, 'gate'),
    deps.store.list(projectId, 'risk'),
    deps.store.list(projectId, 'task'),
    deps.store.list(projectId, 'member'),
    deps.store.list(projectId, 'stakeholder'),
    deps.store.list(projectId, 'resource'),
    deps.store.list(projectId, 'document'),
    deps.store.list(projectId, 'test_case'),
    deps.store.list(projectId, 'deployment'),
    deps.store.list(projectId, 'training_session'),
    deps.store.get(projectId, 'ledger', LEDGER_ID),
    deps.store.list(projectId, 'lesson'),
  ]);
  const { stages: resolved, entity: _entity, ...fields } = project;
  const records = stagesOf(project, stages);
  const stageViews: StageView[] = resolved.map((r, i) => {
    const { entity: _e, ...rest } = records[i]!;
    return { ...rest, standard: r.standard, gate: r.gate };
  });
  const order = new Map(resolved.map((s) => [s.key, s.order]));
  const now = deps.clock.now();
  const active = project.status === 'active';
  const criteria = active
    ? {
        stage: project.currentStage,
        ...(await evaluateCriteria(deps.store, project, project.currentStage, now)),
      }
    : undefined;
  const health = computeHealth({ project, stages: records, tasks, risks, gates, now });
  const clockEnd = waitClockEnd(project, now);
  const actions = project.monitoring?.correctiveActions ?? {};
  const deviations: DeviationView[] = active
    ? findDeviations({ project, stages: records, tasks, risks, gates, health, now }).map((d) => ({
        key: d.key,
        summary: d.summary,
        ...(actions[d.key] ? { action: actions[d.key] } : {}),
      }))
    : [];
  return {
    ...fields,
    stages: stageViews,
    gates: [...gates]
      .sort((a, b) => (order.get(a.stage) ?? 0) - (order.get(b.stage) ?? 0))
      .map((g) => ({ ...publicGate(g), customerWait: gateWait(g, clockEnd, active) })),
    risks,
    tasks,
    team,
    stakeholders,
    resources,
    testCases,
    deployments,
    trainingSessions,
    lessons,
    documents,
    ...(criteria ? { criteria } : {}),
    health,
    deviations,
    customerWait: projectWait(gates, clockEnd, active),
    budget: budgetBurn({ spec: project.spec, ...(ledger ? { ledger } : {}), resources, tasks }),
  };
}
