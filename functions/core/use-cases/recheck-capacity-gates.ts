/**
 * Let the other projects' gates whose criteria read this project's allocations check them again,
 * after this project changed who it holds (a team member's allocation written, the project
 * closed or archived, a deploy that added members or moved the timeline).
 *
 * A resourcing gate counts each member's allocation across every active project whose stage
 * windows overlap (capacity.ts): project B's gate can be held by an over-allocation that project
 * A causes, and B's own writes never see A's change. Without this step B would notice only at its
 * next own write, decision or monitoring check.
 *
 * Input: the project that changed; optionally the emails concerned (default: every team member of
 * the project). Output: the projects whose gate was progressed (with progressGate's action), those
 * that failed, and those left to their monitoring check beyond the bound.
 * Steps:
 * 1. The active projects (the active-projects index, every page). Candidates: the other projects
 *    whose current stage's type reads other projects (`criteriaDependOnlyOnProject === false`).
 * 2. The candidates' current gates in one BatchGetItem per 100; only an open gate (`waiting` or
 *    `pending_approval`) can move.
 * 3. One Query (their team members) per candidate with an open gate; those sharing at least one of
 *    the emails are the projects to check.
 * 4. progressGate on each, one after the other: it passes an `auto` gate, sends the approval
 *    requests of one that now holds, or withdraws a round whose criteria no longer hold. Its events
 *    are the system's (nobody acted on that project). One project failing is logged and the others
 *    go on; this step never throws (the change that called it is committed: a failure here is
 *    caught up by the other project's monitoring check).
 *
 * Cost (N active projects, C candidates, K projects checked, at most MAX_CAPACITY_RECHECKS):
 * ceil(N/100) Queries of the index + ceil(C/100) BatchGetItem + one Query per candidate with an
 * open gate (+ one for this project's members when no emails are given); then each progressGate
 * evaluates the resourcing criteria, which read the index and one Query per active project again,
 * so about K × (N + 4) reads and at most one transaction (with its emails) per checked project.
 * Never a Scan. Candidates are rare (a project sits in resourcing for days), so K is small; past
 * the bound, the remaining projects are logged and left to their monitoring check.
 *
 * A project registered a moment ago may not be in the index yet (it follows the table eventually):
 * a round it over-allocates is then withdrawn by the next decision on it, which evaluates the
 * criteria again, or by its monitoring check.
 *
 * A pass of B's gate (an `auto` pass or the last approval) that read B's criteria before A's change
 * and would commit after it conflicts on the portfolio's allocations counter, which A's change
 * bumped, and evaluates again (allocation-order.ts): B never passes on a capacity read that an
 * allocation write overtook. A decision that does not pass the gate is not ordered with A's write:
 * it is as if it came just before the change, as a click a moment earlier would have.
 */
import { activeProjects } from '../capacity.js';
import type { Gate, Project } from '../model.js';
import type { Deps, ProjectStore } from '../ports.js';
import { stageType } from '../stages/index.js';
import { type ProgressGateResult, progressGate } from './progress-gate.js';

/** Most projects one change progresses; the others wait for their monitoring check. */
export const MAX_CAPACITY_RECHECKS = 20;

/** Gates read per BatchGetItem (the store's limit per request). */
const GATES_PER_READ = 100;

export interface RecheckCapacityInput {
  /** The project whose allocations changed. */
  projectId: string;
  /** The people concerned (case-insensitive); default: every team member of the project. */
  emails?: readonly string[];
  /**
   * The project just left the active projects (closed or archived). The active-projects index
   * follows the table eventually, so for a moment it may still list the project as active: the
   * checks read the index without it.
   */
  left?: boolean;
}

export interface RecheckCapacityResult {
  /** The projects whose gate progressGate ran on, with what it did. */
  rechecked: { projectId: string; stage: string; action: ProgressGateResult['action'] }[];
  /** Projects whose progressGate threw (logged). */
  failed: string[];
  /** Projects beyond MAX_CAPACITY_RECHECKS, left to their monitoring check (logged). */
  deferred: string[];
}

/** Gate states in which progressGate can still move a gate on what it reads. */
function open(gate: Gate | undefined): gate is Gate {
  return gate?.status === 'waiting' || gate?.status === 'pending_approval';
}

/** Progresses the open cross-project gates of the other active projects sharing the people (see above). */
export async function recheckCapacityGates(
  given: Deps,
  input: RecheckCapacityInput,
): Promise<RecheckCapacityResult> {
  const deps = input.left ? { ...given, store: leavingOut(given.store, input.projectId) } : given;
  const result: RecheckCapacityResult = { rechecked: [], failed: [], deferred: [] };
  let sharing: Project[];
  try {
    sharing = await projectsSharing(deps, input);
  } catch (err) {
    deps.log.error('capacity recheck of the other projects failed; their monitoring check catches up', {
      projectId: input.projectId,
      error: err instanceof Error ? err.name : 'unknown',
    });
    return result;
  }
  const checked = sharing.slice(0, MAX_CAPACITY_RECHECKS);
  result.deferred = sharing.slice(MAX_CAPACITY_RECHECKS).map((p) => p.id);
  if (result.deferred.length) {
    deps.log.warn('capacity recheck bounded; the other projects wait for their monitoring check', {
      projectId: input.projectId,
      deferred: result.deferred,
    });
  }
  for (const project of checked) {
    try {
      const { action } = await progressGate(deps, project.id, project.currentStage, 'system');
      result.rechecked.push({ projectId: project.id, stage: project.currentStage, action });
    } catch (err) {
      result.failed.push(project.id);
      deps.log.error('capacity recheck of a project failed; its monitoring check catches up', {
        projectId: project.id,
        changedProject: input.projectId,
        stage: project.currentStage,
        error: err instanceof Error ? err.name : 'unknown',
      });
    }
  }
  if (result.rechecked.length || result.failed.length) {
    deps.log.info('capacity gates rechecked', {
      projectId: input.projectId,
      rechecked: result.rechecked,
      failed: result.failed,
    });
  }
  return result;
}

/** The other active projects at an open cross-project gate that share one of the emails, by id. */
async function projectsSharing(deps: Deps, input: RecheckCapacityInput): Promise<Project[]> {
  const candidates = (await activeProjects(deps.store))
    .filter((p) => p.id !== input.projectId && !stageType(p.currentStage).criteriaDependOnlyOnProject)
    .sort((a, b) => a.id.localeCompare(b.id));
  if (candidates.length === 0) return [];
  const emails = new Set(
    (input.emails ?? (await deps.store.list(input.projectId, 'member')).map((m) => m.email)).map((e) =>
      e.toLowerCase(),
    ),
  );
  if (emails.size === 0) return [];

  const withOpenGate: Project[] = [];
  for (let i = 0; i < candidates.length; i += GATES_PER_READ) {
    const chunk = candidates.slice(i, i + GATES_PER_READ);
    const gates = await deps.store.getRecords(
      chunk.map((p) => ({ entity: 'gate', projectId: p.id, id: p.currentStage }) as const),
    );
    chunk.forEach((p, j) => {
      if (open(gates[j])) withOpenGate.push(p);
    });
  }
  const shares = await Promise.all(
    withOpenGate.map(async (p) =>
      (await deps.store.list(p.id, 'member')).some((m) => emails.has(m.email.toLowerCase())),
    ),
  );
  return withOpenGate.filter((_, i) => shares[i]);
}

/** `store` whose active-projects listing leaves out `projectId` (see RecheckCapacityInput.left). */
function leavingOut(store: ProjectStore, projectId: string): ProjectStore {
  return {
    async listProjects(options) {
      const page = await store.listProjects(options);
      return options?.activeOnly ? { ...page, items: page.items.filter((p) => p.id !== projectId) } : page;
    },
    getProject: (id) => store.getProject(id),
    get: (id, entity, childId) => store.get(id, entity, childId),
    list: (id, entity) => store.list(id, entity),
    getLink: (linkHash) => store.getLink(linkHash),
    getRecords: (refs) => store.getRecords(refs),
    getProjectSnapshot: (id) => store.getProjectSnapshot(id),
    listEvents: (id, options) => store.listEvents(id, options),
    // Everything passed on: a pass checks the allocations counter (allocation-order.ts).
    commit: (changes, events, removals, options) => store.commit(changes, events, removals, options),
  };
}
