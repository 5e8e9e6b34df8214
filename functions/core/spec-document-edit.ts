/**
 * Whether a deployed spec edit changes the document a waiting gate's round approves (the charter,
 * the project plan, the close-out report), and which spec fields of it.
 *
 * The approvers of a round were asked to approve one exact version of that document
 * (`Gate.documentVersion`). A spec edit makes the round stale when the document built on the new
 * spec (with the records the deploy creates) says something else than the one built on the spec
 * in force, and than the version under approval (its record's `contentSha256`). Comparing the two
 * drafts first keeps a deploy from asking again for what it did not change (a close-out whose
 * billable value moved since is the time entries' doing, not the spec's). The drafts are built
 * without rendering (stages/document-drafts.ts), on records read once.
 *
 * Which fields: each spec field that differs is applied alone to the spec in force; it counts when
 * that alone changes the document. Baseline fields (budget, hours, timeline end, scope, deliverables,
 * stage due dates) carry their old and new values; any other field is named only (a spec holds
 * internal figures, e.g. rates, that never reach customer approvers).
 */
import { applyChanges, BASELINE_FIELDS, describeField } from './change-requests/baseline.js';
import { baselineDiff } from './change-requests/reconcile.js';
import { contentSha256 } from './documents/model.js';
import type { BaselineChange, Entity, Gate, GateSpecEdit, Project, ProjectChild } from './model.js';
import type { Deps, ProjectStore } from './ports.js';
import { type ProjectSpec, resolveStages } from './spec/schema.js';
import { documentDraft } from './stages/document-drafts.js';
import { stageType } from './stages/index.js';

/** How the caller builds a project on a spec, and the records a spec adds that the store lacks. */
export interface SpecDocumentEditInput {
  /** The project as stored (the spec in force). */
  project: Project;
  /** The spec being deployed. */
  spec: ProjectSpec;
  /** The current stage's gate as read. */
  gate: Gate | undefined;
  /** The project record on `spec`, as the deploy stores it. */
  projectOn: (spec: ProjectSpec) => Project;
  /** The records `spec` declares that `store` does not hold yet (the deploy creates them). */
  addedOn: (spec: ProjectSpec, store: ProjectStore) => Promise<Entity[]>;
}

/**
 * What the deploy of `input.spec` changes in the document the current gate's round approves, or
 * undefined when it changes nothing there (or no round that approves a document is out).
 */
export async function specDocumentEdit(
  deps: Pick<Deps, 'store'>,
  input: SpecDocumentEditInput,
): Promise<GateSpecEdit | undefined> {
  const { project, gate } = input;
  if (gate?.status !== 'pending_approval' || project.status !== 'active') return undefined;
  if (gate.stage !== project.currentStage) return undefined;
  const document = stageType(gate.stage).approvalDocument;
  if (!document) return undefined;
  const store = memoStore(deps.store);
  const hashOn = async (spec: ProjectSpec): Promise<string> => {
    const added = await input.addedOn(spec, store);
    const draft = await documentDraft(
      { store: withRecords(store, added) },
      input.projectOn(spec),
      document.id,
    );
    return contentSha256(draft);
  };
  const [record, before, after] = await Promise.all([
    store.get(project.id, 'document', document.id),
    hashOn(project.spec),
    hashOn(input.spec),
  ]);
  if (after === before) return undefined;
  // The edit brings the document back to exactly the version under approval: nothing to ask again.
  if (record && record.docVersion === gate.documentVersion && record.contentSha256 === after)
    return undefined;

  const candidates = fieldEdits(project.spec, input.spec);
  const counted: FieldEdit[] = [];
  for (const c of candidates) {
    let changes = true;
    try {
      changes = (await hashOn(c.apply(project.spec))) !== before;
    } catch {
      // A field that cannot stand alone (it needs another edit of the same deploy): name it.
    }
    if (changes) counted.push(c);
  }
  // Only the edits together change it (each alone does not): name them all.
  const named = counted.length ? counted : candidates;
  return {
    fields: named.map((c) => c.field),
    changes: named.flatMap((c) => (c.baseline ? [c.baseline] : [])),
  };
}

/** Merges a deploy's edit into the edits already on a round's mark: first old, latest new. */
export function mergeSpecEdits(earlier: GateSpecEdit | undefined, edit: GateSpecEdit): GateSpecEdit {
  if (!earlier) return edit;
  const fields = [...earlier.fields, ...edit.fields.filter((f) => !earlier.fields.includes(f))];
  const changes = [...earlier.changes];
  for (const c of edit.changes) {
    const i = changes.findIndex((e) => e.field === c.field);
    if (i < 0) changes.push(c);
    else changes[i] = { field: c.field, old: changes[i]!.old, new: c.new };
  }
  return { fields, changes };
}

const LABELS: Record<string, string> = {
  name: 'Project name',
  'customer.name': 'Customer name',
  'customer.timezone': 'Customer time zone',
  msp: 'Service provider',
  'msp.name': 'Service provider name',
  objectives: 'Objectives',
  requirements: 'Requirements',
  'timeline.start': 'Timeline start',
  'budget.currency': 'Budget currency',
  'budget.thresholds': 'Budget alert thresholds',
  stakeholders: 'Stakeholders',
  team: 'Team',
  communication: 'Communication plan',
  'communication.channels': 'Communication channels',
  'communication.statusReport': 'Status report schedule',
  requiredSkills: 'Required skills',
  resources: 'Resources',
  risks: 'Risks',
  stages: 'Stages',
};

/** A spec field in words (`Budget (money)`, `Objectives`, `Due date of Quality Assurance`). */
export function describeSpecField(field: string, stages: { key: string; name: string }[] = []): string {
  const label = LABELS[field];
  if (label) return label;
  const known = describeField(field, stages);
  if (known !== field) return known;
  return field
    .split('.')
    .map((part, i) => (i === 0 ? part.charAt(0).toUpperCase() + part.slice(1) : part))
    .join(' ');
}

/** One spec field a deploy changed, and the spec in force with that edit alone. */
interface FieldEdit {
  field: string;
  baseline?: BaselineChange;
  apply: (spec: ProjectSpec) => ProjectSpec;
}

/** Every field `after` changes in `before`: the baseline fields, then the others by path. */
function fieldEdits(before: ProjectSpec, after: ProjectSpec): FieldEdit[] {
  const stageKeys = new Set([...resolveStages(before), ...resolveStages(after)].map((s) => s.key));
  const baselineFields = [...BASELINE_FIELDS, ...[...stageKeys].map((k) => `stages.${k}.due`)];
  const out: FieldEdit[] = baselineDiff(before, after, baselineFields).map((change) => ({
    field: change.field,
    baseline: change,
    apply: (spec) => applyChanges(spec, [change]),
  }));
  const rest = (spec: ProjectSpec) => withoutBaseline(spec) as Record<string, unknown>;
  for (const path of changedPaths(rest(before), rest(after))) {
    out.push({ field: path.join('.'), apply: (spec) => withPath(spec, after, path) });
  }
  return out;
}

/** The spec without its baseline fields (a deliverable or due date edit is a baseline field). */
function withoutBaseline(spec: ProjectSpec): unknown {
  const copy = structuredClone(spec) as Record<string, unknown> & ProjectSpec;
  const { in: _in, out: _out, ...scope } = copy.scope;
  const { amount: _amount, hours: _hours, ...budget } = copy.budget;
  const { end: _end, ...timeline } = copy.timeline;
  return {
    ...copy,
    scope,
    budget,
    timeline,
    deliverables: undefined,
    stages: copy.stages?.map(({ due: _due, ...s }) => s),
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Paths (two levels at most) whose values differ; lists compare whole. */
function changedPaths(a: Record<string, unknown>, b: Record<string, unknown>, depth = 0): string[][] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  const out: string[][] = [];
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (JSON.stringify(x) === JSON.stringify(y)) continue;
    if (depth === 0 && isPlainObject(x) && isPlainObject(y)) {
      const inner = changedPaths(x, y, depth + 1);
      out.push(...inner.map((p) => [key, ...p]));
    } else {
      out.push([key]);
    }
  }
  return out;
}

/** `spec` with the value at `path` taken from `from` (the stages keep `spec`'s due dates). */
function withPath(spec: ProjectSpec, from: ProjectSpec, path: string[]): ProjectSpec {
  const next = structuredClone(spec) as unknown as Record<string, Record<string, unknown>>;
  const source = from as unknown as Record<string, Record<string, unknown>>;
  const [top, inner] = path as [string, string | undefined];
  if (top === 'stages' && inner === undefined) {
    const dues = new Map((spec.stages ?? []).map((s) => [s.key, s.due]));
    const stages = from.stages?.map(({ due: _due, ...s }) => {
      const due = dues.get(s.key);
      return due ? { ...s, due } : s;
    });
    return { ...spec, stages } as ProjectSpec;
  }
  if (inner === undefined) {
    next[top] = structuredClone(source[top]) as Record<string, unknown>;
  } else {
    next[top] = { ...(next[top] ?? {}), [inner]: structuredClone(source[top]?.[inner]) };
  }
  return next as unknown as ProjectSpec;
}

/** A store that reads each list once (the drafts on several specs read the same records). */
function memoStore(store: ProjectStore): ProjectStore {
  const lists = new Map<string, Promise<unknown[]>>();
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'list') {
        return (projectId: string, entity: ProjectChild) => {
          const key = `${projectId}#${entity}`;
          let list = lists.get(key);
          if (!list) {
            list = target.list(projectId, entity);
            lists.set(key, list);
          }
          return list;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** `store` with `added` listed as if stored (the records the deploy creates with the spec). */
function withRecords(store: ProjectStore, added: Entity[]): ProjectStore {
  if (!added.length) return store;
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'list') {
        return async (projectId: string, entity: ProjectChild) => [
          ...(await target.list(projectId, entity)),
          ...added.filter((a) => a.entity === entity),
        ];
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
