/**
 * Projects stay code: a deployed spec that lacks an approved change does not revert it.
 *
 * The rule: for each approved change request, in the order they were approved, and for each of
 * its changes, when the deployed spec's value is the change's old value, the spec file simply
 * does not have the change yet: the approved (new) value is kept. A deployed value equal to the
 * new value is in sync. Any other value is a deliberate edit of the spec and takes effect (the
 * registration records it as a baseline change). To go back to an old value, raise a change
 * request.
 */
import type { BaselineChange, ChangeRequest } from '../model.js';
import type { ProjectSpec } from '../spec/schema.js';
import { applyChanges, baselineValue, sameValue } from './baseline.js';

/** One approved change the deployed spec lacked, kept. */
export interface KeptChange extends BaselineChange {
  changeId: string;
}

/** The deployed spec with every approved change it lacks applied, and which ones those were. */
export function reconcileSpec(
  deployed: ProjectSpec,
  approved: ChangeRequest[],
): { spec: ProjectSpec; kept: KeptChange[] } {
  let spec = deployed;
  const kept: KeptChange[] = [];
  const ordered = approved
    .filter((c) => c.status === 'approved')
    .sort((a, b) => (a.appliedBaseline ?? 0) - (b.appliedBaseline ?? 0) || a.number - b.number);
  for (const request of ordered) {
    for (const change of request.changes) {
      if (!sameValue(baselineValue(spec, change.field), change.old)) continue;
      spec = applyChanges(spec, [change]);
      kept.push({ changeId: request.id, ...change });
    }
  }
  return { spec, kept };
}

/** The baseline fields whose value differs between two specs, old and new. */
export function baselineDiff(
  before: ProjectSpec,
  after: ProjectSpec,
  fields: readonly string[],
): BaselineChange[] {
  return fields
    .map((field) => ({ field, old: baselineValue(before, field), new: baselineValue(after, field) }))
    .filter((c) => !sameValue(c.old, c.new));
}
