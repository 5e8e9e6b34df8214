/**
 * Exit criteria of each stage (the design's lifecycle table), evaluated on the project's records.
 * Each criterion that does not hold is one short sentence a project manager understands; the
 * gate of a stage may pass only when the list is empty.
 */
import { loadPlanInput, PLAN_DOCUMENT_ID, renderPlan, riskScore } from './documents/plan.js';
import { NotFoundError } from './errors.js';
import { isTaskClosed, type Project, type Task } from './model.js';
import type { ProjectStore } from './ports.js';
import { HIGH_RISK_SCORE } from './spec/schema.js';
import { localDateTime } from './time.js';

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
  const unmet = await unmetCriteria(store, project, stageKey, now);
  return { met: unmet.length === 0, unmet };
}

async function unmetCriteria(
  store: ProjectStore,
  project: Project,
  stageKey: string,
  now: Date,
): Promise<string[]> {
  switch (stageKey) {
    case 'initiation':
      return initiation(project);
    case 'resourcing':
      return resourcing(store, project);
    case 'risk':
      return risk(store, project);
    case 'execution':
      return stageWork(store, project, stageKey, { atLeastOne: true });
    // Test cases (qa) and deployment records and training sessions (deployment) are recorded as
    // tasks of those stages for now: a passed or waived test case, or a delivered session, is a
    // task that is done. Dedicated records come later.
    case 'qa':
    case 'deployment':
      return stageWork(store, project, stageKey, { atLeastOne: false });
    case 'support':
      return support(store, project, now);
    default:
      return stageWork(store, project, stageKey, { atLeastOne: false });
  }
}

const nonEmpty = (values: string[] | undefined) => (values ?? []).some((v) => v.trim().length > 0);

/** Everything the charter needs, from the project's spec. */
function initiation(project: Project): string[] {
  const spec = project.spec;
  const unmet: string[] = [];
  if (!nonEmpty(spec.objectives)) unmet.push('The project has no objectives.');
  if (!nonEmpty(spec.requirements)) unmet.push('The project has no requirements.');
  if (!nonEmpty(spec.scope?.in)) unmet.push('The scope does not say what is in scope.');
  // An empty out-of-scope list is a statement (nothing is excluded); a missing one is not.
  if (!Array.isArray(spec.scope?.out)) unmet.push('The scope does not say what is out of scope.');
  if (!spec.deliverables?.length) unmet.push('No deliverables are listed.');
  if (!spec.timeline?.start || !spec.timeline?.end) unmet.push('The timeline has no start or end date.');
  if (!(spec.budget?.amount > 0) || !(spec.budget?.hours > 0)) {
    unmet.push('The budget (amount and hours) is not set.');
  }
  if (!spec.stakeholders?.length) unmet.push('No stakeholders are listed.');
  if (!spec.team?.length) unmet.push('No team members are listed.');
  if (!nonEmpty(spec.communication?.channels)) unmet.push('No communication channels are listed.');
  return unmet;
}

/** Skills covered, nobody over-allocated, resources listed with cost. */
async function resourcing(store: ProjectStore, project: Project): Promise<string[]> {
  const [members, resources] = await Promise.all([
    store.list(project.id, 'member'),
    store.list(project.id, 'resource'),
  ]);
  const unmet: string[] = [];
  if (members.length === 0) unmet.push('No team member is assigned to the project.');
  const skills = new Set(members.flatMap((m) => m.skills.map((s) => s.trim().toLowerCase())));
  for (const skill of project.spec.requiredSkills ?? []) {
    if (!skills.has(skill.trim().toLowerCase()))
      unmet.push(`No team member has the required skill "${skill}".`);
  }
  const allocation = new Map<string, { name: string; percent: number }>();
  for (const m of members) {
    const key = m.email.toLowerCase();
    const entry = allocation.get(key) ?? { name: m.name, percent: 0 };
    entry.percent += m.allocation;
    allocation.set(key, entry);
  }
  for (const { name, percent } of allocation.values()) {
    if (percent > 100) unmet.push(`${name} is allocated ${percent}% of their time (more than 100%).`);
  }
  if (resources.length === 0) unmet.push('No software, hardware, tools or services are listed as resources.');
  for (const r of resources) {
    if (typeof r.cost !== 'number' || !Number.isFinite(r.cost) || r.cost < 0) {
      unmet.push(`Resource "${r.name}" has no cost.`);
    }
  }
  return unmet;
}

const scored = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 5;
const present = (s: string | undefined) => Boolean(s?.trim());

/** Risks scored, high risks owned and mitigated, the plan document generated and current. */
async function risk(store: ProjectStore, project: Project): Promise<string[]> {
  const input = await loadPlanInput(store, project);
  const unmet: string[] = [];
  for (const r of input.risks) {
    if (r.status === 'closed') continue;
    if (!scored(r.likelihood) || !scored(r.impact)) {
      unmet.push(`Risk "${r.title}" is not scored (likelihood and impact 1-5).`);
      continue;
    }
    const score = riskScore(r);
    if (score < HIGH_RISK_SCORE) continue;
    if (!present(r.owner)) unmet.push(`High risk "${r.title}" (score ${score}) has no owner.`);
    if (!present(r.mitigation)) unmet.push(`High risk "${r.title}" (score ${score}) has no mitigation.`);
  }
  const plan = await store.get(project.id, 'document', PLAN_DOCUMENT_ID);
  if (!plan) {
    unmet.push('The project plan document has not been generated yet.');
  } else if (plan.sha256 !== renderPlan(input).sha256) {
    unmet.push(
      `The project plan document (v${plan.docVersion}) is out of date: risks, resources, team or stakeholders changed since; generate it again.`,
    );
  }
  return unmet;
}

function describeTask(t: Task): string {
  const what = t.type === 'deliverable' ? 'Deliverable' : 'Task';
  const status =
    t.status === 'in_progress' ? 'in progress' : t.status === 'waived' ? 'waived without a reason' : 'to do';
  return `${what} "${t.name}" is not done (${status}).`;
}

/** Every task and deliverable of the stage is done or waived with a reason (and, when asked, there is at least one). */
async function stageWork(
  store: ProjectStore,
  project: Project,
  stageKey: string,
  options: { atLeastOne: boolean },
): Promise<string[]> {
  const tasks = (await store.list(project.id, 'task')).filter((t) => t.stage === stageKey);
  const name = project.stages.find((s) => s.key === stageKey)?.name ?? stageKey;
  if (options.atLeastOne && tasks.length === 0) {
    return [`No tasks or deliverables are recorded for ${name}.`];
  }
  return tasks.filter((t) => !isTaskClosed(t)).map(describeTask);
}

/** The hypercare period is over and no support issue is open. */
async function support(store: ProjectStore, project: Project, now: Date): Promise<string[]> {
  const [stage, tasks] = await Promise.all([
    store.get(project.id, 'stage', 'support'),
    store.list(project.id, 'task'),
  ]);
  const unmet: string[] = [];
  if (!stage?.supportUntil) {
    unmet.push('The support period has not started yet.');
  } else if (now.getTime() < Date.parse(stage.supportUntil)) {
    unmet.push(`The support period runs until ${formatDay(stage.supportUntil, project.timezone)}.`);
  }
  for (const t of tasks) {
    if (t.stage === 'support' && !isTaskClosed(t)) unmet.push(`Support issue "${t.name}" is still open.`);
  }
  return unmet;
}

/** YYYY-MM-DD HH:MM in the project's time zone. */
function formatDay(iso: string, timezone: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${localDateTime(date, timezone)} (${timezone})`;
}
