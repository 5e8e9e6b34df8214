/**
 * Register a project from its validated spec (on deploy, and by the local runtime). Idempotent.
 *
 * Input: the loaded spec (spec + resolved stages), `start` (start the workflow execution).
 * Output: `{ projectId, created, updated, started }`.
 * Steps, when the project does not exist: create the project (active, at its first stage,
 * generation 0), its stages (pending), stakeholders, team members, resources, risks (open),
 * deliverables as tasks (todo) and a `project_registered` event. Up to 100 items this is one
 * transaction. Beyond that the project's records are written first in chunks and the project item
 * with its event last, so a half-written registration is never visible as a project; a retry
 * skips the records a failed attempt already wrote.
 * When it exists: approved change requests the deployed spec lacks are applied to it first (their
 * field still has the change's old value: the approved value is kept, with a `baseline_kept`
 * event; change-requests/reconcile.ts). No record is overwritten. If the spec changed (its hash
 * differs), the new spec and stages are stored on the project with a `spec_updated` event, and
 * records for stages, stakeholders, team members, resources, risks and deliverables that are new
 * in the spec are created (existing ones are left as the staff changed them). "New" means new
 * relative to the spec stored on the project, not absent from the table: a record the staff
 * removed (staff-remove-record.ts) stays removed while the spec keeps listing it, whatever else
 * the deploy changes; listing it again after the spec dropped it creates it again, above the
 * removed record's last version (removal-markers.ts), and a new open risk with an owner bumps the
 * project's assignments counter (staff-remove-record.ts: a member's removal). An approver's
 * decision, a staff write or the monitoring check that commits while the update is computed makes
 * its commit conflict: the update reads again and commits on what is stored then (bounded
 * attempts, see updateSpec), so a deploy does not fail because someone clicked.
 * A spec change that the running project cannot follow is refused (SpecChangeError, nothing
 * written): a stage that is current or completed removed or renamed, or a stage added (or moved)
 * before the current stage, where it would never be reached. Stages added after the current one
 * are reached in the spec's order: when the stage list changed, the running executions are
 * stopped and the next generation starts at the current stage on the new lifecycle.
 * When the current stage's approval requests are out and the spec edit changes what the document
 * they approve says (spec-document-edit.ts: the draft on the new spec against the one on the old
 * spec and the version under approval), the same commit marks the gate `rebaselined` (reason
 * `spec`, with the fields): from it on no link of the round decides. With `renewStaleRound` the
 * round is then asked again on the document published anew (renew-gate-approvals.ts); a failure
 * there is logged, and the gate's next check, reminder step or a click on an old link does it.
 * When the approvers or the rule of the current stage's open gate changed: a gate still waiting
 * takes them over; one whose requests are out starts a new round with them (the old links are
 * superseded), or withdraws its requests when the criteria no longer hold; one marked stale is
 * left to its renewal, which asks the approvers the spec names then.
 * An archived project (its spec was removed, then deployed again) is restored to active, with a
 * new generation (its executions were stopped).
 * Then, when `start` and the project is active, the execution of its current generation is
 * started (idempotent by its deterministic name). Last, when the project is new, restored, or the
 * deploy changed its team, timeline or stage due dates, the other projects whose resourcing gate
 * counts its people check it again (recheck-capacity-gates.ts).
 */

import { createHash } from 'node:crypto';
import { ALLOCATIONS_BUMP } from '../allocation-order.js';
import { assigns } from '../assignments.js';
import {
  BASELINE_FIELDS,
  baselineVersion,
  describeField,
  describeValue,
} from '../change-requests/baseline.js';
import { baselineDiff, reconcileSpec } from '../change-requests/reconcile.js';
import { evaluateCriteria } from '../criteria.js';
import { deliverableTask } from '../deliverables.js';
import { ConflictError, MilepostError } from '../errors.js';
import { recordEvent, requireProject, withConflictRetry } from '../events.js';
import { gateGuard } from '../gate-guard.js';
import type {
  Entity,
  EntityName,
  Gate,
  Project,
  ProjectChild,
  Resource,
  Risk,
  Stage,
  Stakeholder,
  TeamMember,
} from '../model.js';
import { loadPeople, nameOf } from '../notifications/people.js';
import type { CommitOptions, CounterRef, Creation, Deps, NewEvent } from '../ports.js';
import { aboveRemovalMarkers } from '../removal-markers.js';
import { jitteredBackoff, retry } from '../retry.js';
import type { LoadedSpec } from '../spec/load.js';
import { checkSpec, type ProjectSpec, type ResolvedStage, resolveStages } from '../spec/schema.js';
import { mergeSpecEdits, specDocumentEdit } from '../spec-document-edit.js';
import { type ExecutionInput, executionName } from '../workflow-contract.js';
import { recheckCapacityGates } from './recheck-capacity-gates.js';
import { awaitsRenewal, renewGateApprovals } from './renew-gate-approvals.js';
import { requestApprovals } from './request-approvals.js';
import { withdrawApprovals } from './withdraw-approvals.js';

/** A spec change the running project cannot follow; the message names the spec and the stage. */
export class SpecChangeError extends MilepostError {
  override name = 'SpecChangeError';
}

/** Items per transaction (DynamoDB's TransactWriteItems limit). */
export const MAX_ITEMS_PER_COMMIT = 100;

export interface RegisterResult {
  projectId: string;
  /** The project was created by this call. */
  created: boolean;
  /** The project existed and its spec changed. */
  updated: boolean;
  /** An execution start was requested (it is a no-op when that execution already exists). */
  started: boolean;
}

type Child = Exclude<Entity, Project | { entity: 'link' } | { entity: 'digest' }>;

/** A stable hash of a spec: keys sorted, so key order in the file does not matter. */
export function specHash(spec: ProjectSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A slug of a resource name for its id (`Microsoft 365 licences` -> `microsoft-365-licences`). */
function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return slug || 'resource';
}

/** The records a spec declares, each new (version 0). Resource ids are slugs of their names. */
export function recordsFromSpec(loaded: LoadedSpec): Child[] {
  const { spec, stages } = loaded;
  const projectId = spec.id;
  const dueOf = (stage: string) => stages.find((s) => s.key === stage)?.due;
  const out: Child[] = [];
  for (const s of stages) {
    const stage: Stage = {
      entity: 'stage',
      projectId,
      key: s.key,
      name: s.name,
      order: s.order,
      status: 'pending',
      reworkCount: 0,
      version: 0,
      ...(s.due ? { due: s.due } : {}),
    };
    out.push(stage);
  }
  for (const s of spec.stakeholders) {
    const stakeholder: Stakeholder = {
      entity: 'stakeholder',
      projectId,
      email: s.email.toLowerCase(),
      name: s.name,
      role: s.role,
      version: 0,
    };
    out.push(stakeholder);
  }
  for (const m of spec.team) {
    const member: TeamMember = {
      entity: 'member',
      projectId,
      email: m.email.toLowerCase(),
      name: m.name,
      role: m.role,
      skills: m.skills,
      allocation: m.allocation,
      version: 0,
    };
    out.push(member);
  }
  const resourceIds = new Set<string>();
  for (const r of spec.resources) {
    const base = slugify(r.name);
    let id = base;
    for (let n = 2; resourceIds.has(id); n++) id = `${base}-${n}`;
    resourceIds.add(id);
    const resource: Resource = {
      entity: 'resource',
      projectId,
      id,
      kind: r.kind,
      name: r.name,
      quantity: r.quantity,
      cost: r.cost,
      version: 0,
    };
    out.push(resource);
  }
  for (const r of spec.risks) {
    const risk: Risk = {
      entity: 'risk',
      projectId,
      id: r.id,
      title: r.title,
      likelihood: r.likelihood,
      impact: r.impact,
      status: 'open',
      version: 0,
      ...(r.owner ? { owner: r.owner } : {}),
      ...(r.mitigation ? { mitigation: r.mitigation } : {}),
    };
    out.push(risk);
  }
  for (const d of spec.deliverables) out.push(deliverableTask(projectId, d, dueOf(d.stage)));
  return out;
}

/** The new project record of a spec. */
export function projectFromSpec(loaded: LoadedSpec, mspName: string, at: string): Project {
  const { spec, stages } = loaded;
  return {
    entity: 'project',
    id: spec.id,
    name: spec.name,
    customerName: spec.customer.name,
    timezone: spec.customer.timezone,
    mspName: spec.msp?.name ?? mspName,
    spec,
    stages,
    status: 'active',
    currentStage: stages[0]?.key ?? '',
    generation: 0,
    executionName: executionName(spec.id, 0),
    createdAt: at,
    updatedAt: at,
    version: 0,
  };
}

function childKey(c: Child): string {
  switch (c.entity) {
    case 'stage':
      return `stage#${c.key}`;
    case 'gate':
      return `gate#${c.stage}`;
    case 'member':
    case 'stakeholder':
      return `${c.entity}#${c.email.toLowerCase()}`;
    default:
      return `${c.entity}#${c.id}`;
  }
}

/**
 * The records the spec `loaded` adds to the project's stored spec (by key) that the store does
 * not hold yet. Records the stored spec already lists are never created again, so a record the
 * staff removed is not brought back by a deploy of a spec that still lists it.
 */
async function addedBySpec(
  deps: Pick<Deps, 'store'>,
  project: Project,
  loaded: LoadedSpec,
): Promise<Child[]> {
  const before = new Set(
    recordsFromSpec({ file: loaded.file, spec: project.spec, stages: project.stages }).map(childKey),
  );
  return missing(
    deps,
    project.id,
    recordsFromSpec(loaded).filter((c) => !before.has(childKey(c))),
  );
}

/** The records of `wanted` that the store does not hold yet. */
async function missing(deps: Pick<Deps, 'store'>, projectId: string, wanted: Child[]): Promise<Child[]> {
  const kinds = [...new Set(wanted.map((c) => c.entity))] as ProjectChild[];
  const existing = new Set<string>();
  for (const kind of kinds) {
    for (const c of await deps.store.list(projectId, kind)) existing.add(childKey(c as Child));
  }
  return wanted.filter((c) => !existing.has(childKey(c)));
}

/**
 * Writes `children` and then `last` with `events`: in one transaction when they fit, otherwise
 * the children in chunks first and `last` with the events in the final transaction. `guard` (the
 * current gate while its approval requests are out, gate-guard.ts) goes into every transaction,
 * so a decision that read the criteria before any of them reads them again; it counts against
 * each transaction's items. `onChunk` hears of each chunk of children stored before `last`: when a
 * later transaction fails, those stay written.
 */
async function commitLast(
  deps: Deps,
  children: Child[],
  last: Project,
  guard: Gate[],
  events: NewEvent[],
  onChunk?: (stored: Child[]) => void,
  mark: (gate: Gate) => Gate = (gate) => gate,
  // A new project's registration: nothing to check or bump (no member can be removed before it exists).
  created: Created = { creations: new Map(), bump: false },
): Promise<void> {
  const options = optionsFor(last.id, children, created);
  // The project record (its status, timeline, stages: when its people count elsewhere) is written:
  // the bump orders it before any resourcing pass that reads the capacity after (allocation-order.ts).
  const bumps = (options.bumps ?? []).filter((b) => b.counter !== 'allocations');
  const all = { ...options, bumps: [...bumps, ...ALLOCATIONS_BUMP] };
  if (children.length + 1 + events.length + guard.length + optionItems(all) <= MAX_ITEMS_PER_COMMIT) {
    await deps.store.commit([...children, last, ...guard.map(mark)], events, [], all);
    return;
  }
  let gate = guard;
  for (const chunk of chunked(children, MAX_ITEMS_PER_COMMIT - gate.length, created)) {
    const stored = await deps.store.commit([...chunk, ...gate], [], [], optionsFor(last.id, chunk, created));
    onChunk?.(chunk);
    // The next transaction checks the version this one stored.
    gate = gate.length ? [stored.at(-1) as Gate] : [];
  }
  // The gate's mark (a round made stale) lands with the spec itself, never with a chunk before it.
  await deps.store.commit([last, ...gate.map(mark)], events, [], { bumps: ALLOCATIONS_BUMP });
}

/**
 * `children` in order, in chunks of at most `room` transaction items each: a child is one item,
 * two with the check of its removal marker, and one item is kept for the assignments bump; the
 * first team member of a chunk brings one more, the allocations bump.
 */
function chunked(children: Child[], room: number, created: Created): Child[][] {
  const out: Child[][] = [];
  let chunk: Child[] = [];
  const kept = created.bump ? 1 : 0;
  let items = kept;
  // Whether the chunk holds a team member (its allocations bump is counted once).
  let member = false;
  const sizeOf = (c: Child) =>
    (created.creations.has(childKey(c)) ? 2 : 1) + (c.entity === 'member' && !member ? 1 : 0);
  for (const c of children) {
    if (chunk.length && items + sizeOf(c) > room) {
      out.push(chunk);
      chunk = [];
      items = kept;
      member = false;
    }
    chunk.push(c);
    items += sizeOf(c);
    if (c.entity === 'member') member = true;
  }
  if (chunk.length) out.push(chunk);
  return out;
}

/** What a spec update's new records need besides themselves in their transaction. */
interface Created {
  /** The marker checks of the records created above a removal marker, by childKey. */
  creations: Map<string, Creation>;
  /** Bump the assignments counter with a record that gives an open risk or task to someone. */
  bump: boolean;
}

/**
 * The creations of `children` and, when one of them gives an open risk to someone (its owner),
 * the bump of the project's assignments counter (a member's removal in flight reads again:
 * staff-remove-record.ts); when one of them is a team member (an allocation created or changed),
 * the bump of the portfolio's allocations counter (allocation-order.ts).
 */
function optionsFor(projectId: string, children: Child[], created: Created): CommitOptions {
  const creations = children.flatMap((c) => created.creations.get(childKey(c)) ?? []);
  const bumps: CounterRef[] = [
    ...(created.bump && children.some((c) => assigns(undefined, c))
      ? [{ projectId, counter: 'assignments' as const }]
      : []),
    ...(children.some((c) => c.entity === 'member') ? ALLOCATIONS_BUMP : []),
  ];
  return { creations, bumps };
}

function optionItems(options: CommitOptions): number {
  return (options.creations?.length ?? 0) + (options.bumps?.length ?? 0);
}

/**
 * `fresh` (new records, version 0) with each record of a kind staff may remove placed at the last
 * version of a removed record with its id (its removal marker; 0 when none), and the creations
 * that check those markers at commit: a record removed at version 3 that the spec adds again is
 * created at version 4 (see staff-upsert.ts).
 */
async function aboveRemoved(
  deps: Pick<Deps, 'store'>,
  fresh: Child[],
): Promise<{ records: Child[]; created: Created }> {
  const above = await aboveRemovalMarkers(deps.store, fresh);
  const creations = new Map<string, Creation>();
  above.records.forEach((c, i) => {
    const creation = above.creations[i];
    if (creation) creations.set(childKey(c), creation);
  });
  return { records: above.records, created: { creations, bump: true } };
}

function counts(children: Child[]): Partial<Record<EntityName, number>> {
  const out: Partial<Record<EntityName, number>> = {};
  for (const c of children) out[c.entity] = (out[c.entity] ?? 0) + 1;
  return out;
}

/** How registerProject runs. */
export interface RegisterOptions {
  /** Start the workflow execution of the project's current generation. */
  start: boolean;
  /**
   * Ask the approvers of a round the update made stale again right away (the document published
   * again, new links): for a process that may publish documents (the local runtime). Otherwise
   * the gate's next check, its reminder step or a click on an old link does it.
   */
  renewStaleRound?: boolean;
}

export async function registerProject(
  deps: Deps,
  loaded: LoadedSpec,
  options: RegisterOptions,
): Promise<RegisterResult> {
  const projectId = loaded.spec.id;
  const at = deps.clock.now().toISOString();
  // A concurrent registration (a retried deploy) makes the commit conflict: read again, and the
  // project then exists (or, after a transaction conflict in flight, try once more).
  let created = false;
  let project = await withConflictRetry(async () => {
    const existing = await deps.store.getProject(projectId);
    if (existing) return existing;
    const fresh = projectFromSpec(loaded, deps.config.mspName, at);
    const records = recordsFromSpec(loaded);
    // A chunked registration that failed half-way left some records: write only the others.
    const children =
      records.length + 2 > MAX_ITEMS_PER_COMMIT ? await missing(deps, projectId, records) : records;
    const event: NewEvent = {
      projectId,
      type: 'project_registered',
      actor: 'system',
      at,
      summary: `Project "${fresh.name}" registered with ${fresh.stages.length} stages`,
      data: {
        stages: fresh.stages.map((s) => s.key),
        records: counts(records),
        specHash: specHash(loaded.spec),
      },
    };
    await commitLast(deps, children, fresh, [], [event]);
    created = true;
    return { ...fresh, version: 1 };
  }, 4);

  const restored = !created && project.status === 'archived';
  if (restored) project = await restore(deps, project);
  const before = project;

  let updated = false;
  if (!created) {
    const outcome = await updateSpec(deps, project, loaded);
    project = outcome.project;
    updated = outcome.updated;
    if (updated && project.status === 'active') {
      await updateOpenGate(deps, project);
      if (options.renewStaleRound) await renewStaleRound(deps, project.id);
      if (outcome.lifecycleChanged) {
        project = await newGeneration(deps, project, 'its lifecycle changed in the spec');
      }
    }
  }

  let started = false;
  if (options.start && project.status === 'active') {
    const input: ExecutionInput =
      project.generation === 0 ? { projectId } : { projectId, startAt: project.currentStage };
    await deps.workflow.startExecution(
      projectId,
      project.executionName ?? executionName(projectId, project.generation),
      input,
    );
    started = true;
  }
  // Other projects' resourcing gates count this project's people (capacity.ts). Never throws.
  if (
    project.status === 'active' &&
    (created || restored || (updated && capacityKey(before) !== capacityKey(project)))
  ) {
    await recheckCapacityGates(deps, { projectId });
  }
  return { projectId, created, updated, started };
}

/**
 * What of a spec decides whom the project holds and when (capacity.ts): the team's emails (a
 * deploy creates the members that are new; it never changes or removes existing ones), the
 * timeline, the stages' due dates and the time zone.
 */
function capacityKey(project: Project): string {
  const { spec, stages } = project;
  return JSON.stringify([
    spec.team.map((m) => m.email.toLowerCase()).sort(),
    spec.timeline,
    stages.map((s) => [s.key, s.due ?? null]),
    spec.customer.timezone,
  ]);
}

/** Attempts of a spec update whose commit conflicts with concurrent writes, the first included. */
export const SPEC_UPDATE_ATTEMPTS = 6;

interface SpecUpdate {
  /** The project as stored after the update. */
  project: Project;
  /** The spec changed and was stored. */
  updated: boolean;
  /** The stage list changed: the running executions continue as a new generation. */
  lifecycleChanged: boolean;
}

/**
 * Applies the deployed spec to the existing project `first` (see the module doc). The update is
 * one read-compute-commit step, version-checked on the project and, while its approval requests
 * are out, the current gate. An approver's decision, a staff write or the monitoring check that
 * commits between its reads and its commit makes the commit fail (ConflictError): the step then
 * reads everything again and recomputes, with the jittered pause of retry.ts, so the deploy does
 * not fail because someone clicked and its result is built on what that write stored (a decision
 * that landed first stays; a gate decided meanwhile is left alone). A chunked update (more than
 * 100 items) whose later transaction conflicted has stored its earlier chunks: the next attempt
 * finds them in the store and writes only the rest, and its `spec_updated` event still counts
 * them as added by this update. After SPEC_UPDATE_ATTEMPTS conflicts in a row the ConflictError
 * names the spec and what conflicted last.
 */
async function updateSpec(deps: Deps, first: Project, deployed: LoadedSpec): Promise<SpecUpdate> {
  const projectId = first.id;
  // Records earlier attempts' chunks stored, by key: in the store now, so `missing` skips them.
  const written = new Map<string, Child>();
  let kept: NewEvent | undefined;
  let outcome: SpecUpdate;
  try {
    outcome = await retry(
      {
        attempts: SPEC_UPDATE_ATTEMPTS,
        retryOn: (error) => error instanceof ConflictError,
        delayMs: jitteredBackoff(10, 40),
        onRetry: (error, attempt) =>
          deps.log.warn('spec update conflicted with a concurrent write; reading again', {
            projectId,
            attempt,
            conflict: error instanceof Error ? error.message : 'unknown',
          }),
      },
      async (attempt) => {
        const project = attempt === 1 ? first : await requireProject(deps, projectId);
        const at = deps.clock.now().toISOString();
        // Projects stay code: approved changes the deployed spec lacks are kept (change-requests/reconcile.ts).
        const approved = await keepApprovedChanges(deps, project, deployed, at);
        kept = approved.event;
        return attemptSpecUpdate(deps, project, approved.loaded, approved.event, at, written);
      },
    );
  } catch (error) {
    if (error instanceof SpecChangeError && written.size) {
      // Refused on a later attempt (the project moved on meanwhile): say what is already there.
      throw new SpecChangeError(
        `${error.message}; the ${written.size} new record(s) an earlier attempt of this update wrote stay`,
        { cause: error },
      );
    }
    if (!(error instanceof ConflictError)) throw error;
    const partial = written.size
      ? `; the ${written.size} new record(s) already written stay and the next deploy skips them`
      : '';
    throw new ConflictError(
      `spec ${projectId}: not applied, ${SPEC_UPDATE_ATTEMPTS} attempts in a row conflicted with concurrent changes (last: ${error.message})${partial}; deploy again`,
      { cause: error },
    );
  }
  // Stored with the spec when it changed; otherwise on its own, once, whatever the attempts.
  if (kept && !outcome.updated) await recordEvent(deps, kept);
  return outcome;
}

/** One read-compute-commit of a spec update (ConflictError: read again). */
async function attemptSpecUpdate(
  deps: Deps,
  project: Project,
  loaded: LoadedSpec,
  kept: NewEvent | undefined,
  at: string,
  written: Map<string, Child>,
): Promise<SpecUpdate> {
  const projectId = project.id;
  if (specHash(project.spec) === specHash(loaded.spec)) {
    return { project, updated: false, lifecycleChanged: false };
  }
  // The current gate is read with the stages: a spec change that makes a criterion false must
  // not let an approval in flight pass it (gate-guard.ts).
  const [stageRecords, gate] = await Promise.all([
    deps.store.list(projectId, 'stage'),
    deps.store.get(projectId, 'gate', project.currentStage),
  ]);
  const problem = stageChangeProblem(project, stageRecords, loaded.stages);
  if (problem) throw new SpecChangeError(`spec ${projectId}: ${problem}`);
  const lifecycleChanged = lifecycleKey(project.stages) !== lifecycleKey(loaded.stages);
  const next: Project = {
    ...project,
    spec: loaded.spec,
    stages: loaded.stages,
    name: loaded.spec.name,
    customerName: loaded.spec.customer.name,
    timezone: loaded.spec.customer.timezone,
    mspName: loaded.spec.msp?.name ?? deps.config.mspName,
    updatedAt: at,
  };
  // A baseline field the spec edit changed (not an approved change kept above) is a new baseline.
  const moved = baselineDiff(project.spec, loaded.spec, allBaselineFields(project.spec, loaded.spec));
  if (moved.length) next.baseline = baselineVersion(project) + 1;
  const { records: fresh, created } = await aboveRemoved(deps, await addedBySpec(deps, project, loaded));
  // What this update created: these, and what its earlier attempts' chunks stored.
  const added = [...written.values(), ...fresh];
  // A round out on a document this edit changes is stale: marked in this commit (below).
  const edit = await specDocumentEdit(deps, {
    project,
    spec: loaded.spec,
    gate,
    projectOn: (spec) =>
      spec === loaded.spec ? next : spec === project.spec ? project : projectOnSpec(deps, project, spec, at),
    addedOn: (spec, store) =>
      // The records this attempt writes; an earlier attempt's chunks are in the store already.
      spec === loaded.spec
        ? Promise.resolve(fresh)
        : addedBySpec({ store }, project, { file: loaded.file, spec, stages: resolveStages(spec) }),
  });
  const events: NewEvent[] = [
    {
      projectId,
      type: 'spec_updated',
      actor: 'system',
      at,
      summary: `Spec of "${next.name}" updated${added.length ? `; ${added.length} new record(s)` : ''}`,
      data: {
        specHash: specHash(loaded.spec),
        previousSpecHash: specHash(project.spec),
        added: counts(added),
        ...(moved.length
          ? {
              baseline: next.baseline,
              baselineChanges: moved.map((c) => ({ field: c.field, old: c.old, new: c.new })),
            }
          : {}),
        ...(edit && gate
          ? { staleApprovals: { stage: gate.stage, round: gate.round, fields: edit.fields } }
          : {}),
      },
    },
  ];
  // From this commit on no link of the stale round decides (a click that committed first makes
  // this commit conflict: the update reads again and the renewal's reset names that decision).
  const mark = (g: Gate): Gate =>
    edit
      ? {
          ...g,
          rebaselined: {
            reason: 'spec',
            // Change requests approved meanwhile are still to be named when the round is asked again.
            ...(g.rebaselined?.changeId ? { changeId: g.rebaselined.changeId } : {}),
            ...(g.rebaselined?.earlier ? { earlier: g.rebaselined.earlier } : {}),
            baseline: baselineVersion(next),
            at,
            spec: mergeSpecEdits(g.rebaselined?.spec, edit),
          },
        }
      : g;
  await commitLast(
    deps,
    fresh,
    next,
    gateGuard(project, gate),
    kept ? [kept, ...events] : events,
    (chunk) => {
      for (const c of chunk) written.set(childKey(c), c);
    },
    mark,
    created,
  );
  return { project: { ...next, version: next.version + 1 }, updated: true, lifecycleChanged };
}

/** The project record on `spec`, as an update to it stores it (the drafts of a single field's edit). */
function projectOnSpec(deps: Deps, project: Project, spec: ProjectSpec, at: string): Project {
  return {
    ...project,
    spec,
    stages: resolveStages(spec),
    name: spec.name,
    customerName: spec.customer.name,
    timezone: spec.customer.timezone,
    mspName: spec.msp?.name ?? deps.config.mspName,
    updatedAt: at,
  };
}

/** Every baseline field of two specs (the stage due dates of both). */
function allBaselineFields(a: ProjectSpec, b: ProjectSpec): string[] {
  const stages = new Set([...resolveStages(a), ...resolveStages(b)].map((s) => `stages.${s.key}.due`));
  return [...BASELINE_FIELDS, ...stages];
}

/**
 * The deployed spec with the approved changes it lacks applied; when there were any, the
 * `baseline_kept` event that names them (the spec file should get their YAML patch), for the
 * caller to store once.
 */
async function keepApprovedChanges(
  deps: Deps,
  project: Project,
  deployed: LoadedSpec,
  at: string,
): Promise<{ loaded: LoadedSpec; event?: NewEvent }> {
  const approved = (await deps.store.list(project.id, 'change_request')).filter(
    (c) => c.status === 'approved',
  );
  if (approved.length === 0) return { loaded: deployed };
  const { spec, kept } = reconcileSpec(deployed.spec, approved);
  if (kept.length === 0) return { loaded: deployed };
  const problems = checkSpec(spec);
  if (problems.length) {
    throw new SpecChangeError(
      `spec ${project.id}: with the approved change requests it lacks (${[...new Set(kept.map((k) => k.changeId))].join(', ')}) the spec is not valid: ${problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('; ')}`,
    );
  }
  return {
    loaded: { ...deployed, spec, stages: resolveStages(spec) },
    event: {
      projectId: project.id,
      type: 'baseline_kept',
      actor: 'system',
      at,
      summary: `The deployed spec lacks approved change(s) ${kept.map((k) => `${k.changeId} (${describeField(k.field, project.stages)} ${describeValue(k.new)})`).join(', ')}: the approved values are kept; merge their patch into the spec file`,
      data: {
        kept: kept.map((k) => ({ changeId: k.changeId, field: k.field, deployed: k.old, kept: k.new })),
      },
    },
  };
}

/** The stage keys and what the state machine builds from them: a change needs a new execution. */
function lifecycleKey(stages: ResolvedStage[]): string {
  return JSON.stringify(stages.map((s) => [s.key, s.waitsFor ?? '']));
}

/**
 * Why the running project cannot follow the new stages, or undefined. Stages that started (the
 * current one and those completed) must stay, in the same order, and no stage that has not
 * started may come before the current one.
 */
export function stageChangeProblem(
  project: Project,
  records: Stage[],
  stages: ResolvedStage[],
): string | undefined {
  if (project.status !== 'active' && project.status !== 'closed') return undefined;
  const keys = stages.map((s) => s.key);
  const started = records
    .filter((r) => r.status !== 'pending' || r.key === project.currentStage)
    .sort((a, b) => a.order - b.order);
  for (const r of started) {
    if (!keys.includes(r.key)) {
      const what =
        r.key === project.currentStage && project.status === 'active'
          ? 'the current stage'
          : `a ${r.status} stage`;
      return `stage "${r.key}" (${r.name}) is ${what} and cannot be removed or renamed; keep it in the spec (stages now: ${keys.join(', ')})`;
    }
  }
  const positions = started.map((r) => keys.indexOf(r.key));
  if (positions.some((p, i) => i > 0 && p < (positions[i - 1] ?? 0))) {
    return `the stages that have started (${started.map((r) => r.key).join(', ')}) must keep their order`;
  }
  if (project.status !== 'active') return undefined;
  const current = keys.indexOf(project.currentStage);
  const startedKeys = new Set(started.map((r) => r.key));
  const before = keys.slice(0, current).filter((k) => !startedKeys.has(k));
  if (before.length > 0) {
    return `stage(s) ${before.map((k) => `"${k}"`).join(', ')} would come before the current stage "${project.currentStage}" and never be reached; add new stages after it`;
  }
  return undefined;
}

/**
 * Asks a round the update made stale again (renew-gate-approvals.ts). The spec is stored and the
 * round marked either way: a failure here (the documents function unreachable) is logged, and the
 * gate's next check, reminder step or a click on an old link asks again.
 */
async function renewStaleRound(deps: Deps, projectId: string): Promise<void> {
  try {
    await renewGateApprovals(deps, projectId, 'system');
  } catch (error) {
    deps.log.warn('stale approval round not asked again after the spec update; the next gate check will', {
      projectId,
      error: error instanceof Error ? error.message : 'unknown',
    });
  }
}

/**
 * The current stage's gate takes the new spec's approvers and rule. A gate whose requests are
 * out starts a new round with them (old links superseded), or withdraws its requests when the
 * criteria no longer hold; a decided gate is left as it is. A round marked stale (a change
 * request, or this update changed its document) is left to its renewal, which asks the approvers
 * the spec names then on the new document.
 */
async function updateOpenGate(deps: Deps, project: Project): Promise<void> {
  const stage = project.currentStage;
  await withConflictRetry(async () => {
    const gate = await deps.store.get(project.id, 'gate', stage);
    if (!gate || (gate.status !== 'waiting' && gate.status !== 'pending_approval')) return;
    if (awaitsRenewal(gate)) return;
    const resolved = project.stages.find((s) => s.key === stage);
    if (!resolved) return;
    const people = await loadPeople(deps, project);
    const approvers = resolved.gate.approvers.map((email) => ({
      email,
      name: nameOf(people.stakeholders, email),
    }));
    const same =
      JSON.stringify(gate.rule) === JSON.stringify(resolved.gate.rule) &&
      JSON.stringify(gate.approvers.map((a) => a.email.toLowerCase()).sort()) ===
        JSON.stringify(approvers.map((a) => a.email.toLowerCase()).sort());
    if (same) return;
    const changed: Gate = { ...gate, rule: resolved.gate.rule, approvers };
    const data = {
      from: { rule: gate.rule, approvers: gate.approvers.map((a) => a.email) },
      to: { rule: changed.rule, approvers: approvers.map((a) => a.email) },
    };
    if (gate.status === 'waiting') {
      const at = deps.clock.now().toISOString();
      await deps.store.commit(
        [changed],
        [
          {
            projectId: project.id,
            stage,
            type: 'gate_updated',
            actor: 'system',
            at,
            summary: `Gate of ${resolved.name}: approvers or rule changed in the spec`,
            data,
          },
        ],
      );
      return;
    }
    const criteria = await evaluateCriteria(deps.store, project, stage, deps.clock.now());
    if (!criteria.met) {
      await withdrawApprovals(deps, project, gate, criteria.unmet, 'system');
      return;
    }
    // The decisions of the old round belong to the old approvers: a new round for everyone.
    await requestApprovals(deps, project, changed, 'system');
  });
}

/** Stops the project's executions and claims the next generation (started by the caller). */
async function newGeneration(deps: Deps, project: Project, why: string): Promise<Project> {
  await deps.workflow.stopExecutions(project.id, `new generation: ${why}`);
  return withConflictRetry(async () => {
    const current = (await deps.store.getProject(project.id)) ?? project;
    const generation = current.generation + 1;
    const name = executionName(project.id, generation);
    const at = deps.clock.now().toISOString();
    const next: Project = {
      ...current,
      generation,
      executionName: name,
      continuedFrom: undefined,
      updatedAt: at,
    };
    await deps.store.commit(
      [next],
      [
        {
          projectId: project.id,
          stage: current.currentStage,
          type: 'workflow_continued',
          actor: 'system',
          at,
          summary: `Workflow continues as execution ${name} at ${current.currentStage}: ${why}`,
          data: { generation, executionName: name, startAt: current.currentStage },
        },
      ],
    );
    return { ...next, version: next.version + 1 };
  });
}

/** An archived project whose spec is registered again becomes active on a new generation. */
async function restore(deps: Deps, project: Project): Promise<Project> {
  const at = deps.clock.now().toISOString();
  const active: Project = {
    ...project,
    status: project.closedAt ? 'closed' : 'active',
    archivedAt: undefined,
    updatedAt: at,
  };
  await deps.store.commit(
    [active],
    [
      {
        projectId: project.id,
        type: 'project_restored',
        actor: 'system',
        at,
        summary: `Project "${project.name}" restored: its spec was registered again`,
        data: { status: active.status },
      },
    ],
    [],
    // Active again: its people count elsewhere (allocation-order.ts).
    { bumps: active.status === 'active' ? ALLOCATIONS_BUMP : [] },
  );
  const restored = { ...active, version: active.version + 1 };
  return restored.status === 'active' ? newGeneration(deps, restored, 'the project was restored') : restored;
}
