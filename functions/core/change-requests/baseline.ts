/**
 * The project's baseline: the parts of the spec a change request may change (scope in and out,
 * deliverables, budget amount and hours, timeline end, stage due dates). Reads a field's value,
 * applies changes to a spec, tells which recorded old values no longer hold, and writes the
 * baseline (or an approved change) as YAML for the spec file in git.
 */
import type { BaselineChange, BaselineDeliverable, BaselineValue, Project } from '../model.js';
import { checkSpec, type ProjectSpec, type ResolvedStage, resolveStages } from '../spec/schema.js';

/** The baseline version of a project (1 until a change request is approved). */
export function baselineVersion(project: Pick<Project, 'baseline'>): number {
  return project.baseline ?? 1;
}

/** The fields of the baseline, in the order they are shown. Stage due dates are `stages.<key>.due`. */
export const BASELINE_FIELDS = [
  'scope.in',
  'scope.out',
  'deliverables',
  'budget.amount',
  'budget.hours',
  'timeline.end',
] as const;

const STAGE_DUE = /^stages\.([a-z0-9-]+)\.due$/;

/** The stage key of a `stages.<key>.due` field, or undefined. */
export function stageOfField(field: string): string | undefined {
  return STAGE_DUE.exec(field)?.[1];
}

/** The field's value in `spec` (a stage without a due date is null). */
export function baselineValue(spec: ProjectSpec, field: string): BaselineValue {
  switch (field) {
    case 'scope.in':
      return [...spec.scope.in];
    case 'scope.out':
      return [...spec.scope.out];
    case 'deliverables':
      return spec.deliverables.map((d) => ({
        id: d.id,
        name: d.name,
        stage: d.stage,
        acceptance: d.acceptance,
      }));
    case 'budget.amount':
      return spec.budget.amount;
    case 'budget.hours':
      return spec.budget.hours;
    case 'timeline.end':
      return spec.timeline.end;
  }
  const key = stageOfField(field);
  if (key) return resolveStages(spec).find((s) => s.key === key)?.due ?? null;
  throw new Error(`unknown baseline field ${field}`);
}

/** A canonical form of a value for comparison (key order of deliverables does not matter). */
function canonical(value: BaselineValue): string {
  if (Array.isArray(value)) {
    return JSON.stringify(
      (value as (string | BaselineDeliverable)[]).map((v) =>
        typeof v === 'string' ? v : [v.id, v.name, v.stage, v.acceptance],
      ),
    );
  }
  return JSON.stringify(value);
}

/** True when two baseline values are the same. */
export function sameValue(a: BaselineValue, b: BaselineValue): boolean {
  return canonical(a) === canonical(b);
}

/** The spec with `changes` applied (their `new` values); the input is not modified. */
export function applyChanges(
  spec: ProjectSpec,
  changes: Pick<BaselineChange, 'field' | 'new'>[],
): ProjectSpec {
  const next: ProjectSpec = structuredClone(spec);
  for (const change of changes) {
    const value = change.new;
    switch (change.field) {
      case 'scope.in':
        next.scope.in = [...(value as string[])];
        continue;
      case 'scope.out':
        next.scope.out = [...(value as string[])];
        continue;
      case 'deliverables':
        next.deliverables = (value as BaselineDeliverable[]).map((d) => ({ ...d }));
        continue;
      case 'budget.amount':
        next.budget.amount = value as number;
        continue;
      case 'budget.hours':
        next.budget.hours = value as number;
        continue;
      case 'timeline.end':
        next.timeline.end = value as string;
        continue;
    }
    const key = stageOfField(change.field);
    if (!key) throw new Error(`unknown baseline field ${change.field}`);
    // A spec without `stages` has the standard ones: list them, so one can carry a due date.
    next.stages ??= resolveStages(spec).map((s) => ({ key: s.key }));
    next.stages = next.stages.map((s) => {
      if (s.key !== key) return s;
      const { due: _due, ...rest } = s;
      return value === null ? rest : { ...rest, due: value as string };
    });
  }
  return next;
}

/** The fields whose current value in `spec` is no longer the change's old value. */
export function staleFields(spec: ProjectSpec, changes: BaselineChange[]): string[] {
  return changes.filter((c) => !sameValue(baselineValue(spec, c.field), c.old)).map((c) => c.field);
}

/** The cross-field problems of a spec after changes (dates inside the timeline, stages that exist...). */
export function baselineProblems(spec: ProjectSpec): { path: string; message: string }[] {
  return checkSpec(spec).map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** The resolved stages of a changed spec. */
export function stagesOf(spec: ProjectSpec): ResolvedStage[] {
  return resolveStages(spec);
}

/** A value in words: `20350`, `2027-03-12`, `none`, `a; b`, deliverables by id and name. */
export function describeValue(value: BaselineValue): string {
  if (value === null) return 'none';
  if (Array.isArray(value)) {
    if (value.length === 0) return 'nothing';
    return (value as (string | BaselineDeliverable)[])
      .map((v) => (typeof v === 'string' ? v : `${v.name} (${v.id}, ${v.stage})`))
      .join('; ');
  }
  return String(value);
}

/** A field in words (`Budget amount`, `Due date of stage qa`). */
export function describeField(field: string, stages: { key: string; name: string }[] = []): string {
  const names: Record<string, string> = {
    'scope.in': 'In scope',
    'scope.out': 'Out of scope',
    deliverables: 'Deliverables',
    'budget.amount': 'Budget (money)',
    'budget.hours': 'Budget (hours)',
    'timeline.end': 'Timeline end',
  };
  const known = names[field];
  if (known) return known;
  const key = stageOfField(field);
  if (key) return `Due date of ${stages.find((s) => s.key === key)?.name ?? key}`;
  return field;
}

/** The baseline as the spec file writes it (the fields a change request may change). */
export function baselineSpecPart(spec: ProjectSpec): Record<string, unknown> {
  return {
    scope: { in: spec.scope.in, out: spec.scope.out },
    deliverables: spec.deliverables,
    timeline: spec.timeline,
    budget: spec.budget,
    ...(spec.stages ? { stages: spec.stages } : {}),
  };
}
