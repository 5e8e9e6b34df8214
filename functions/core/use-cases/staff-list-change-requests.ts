/**
 * List a project's change requests (GET /api/projects/{id}/change-requests), newest first.
 *
 * Input: project id. Output: the baseline version in force and each request with its status, each change as field, label, old and
 * new value, the reason and impact, who raised it, the decision (who, when, comment) and, once
 * approved, the baseline version it made and the YAML patch to commit to the spec file.
 */
import { baselineVersion, describeField } from '../change-requests/baseline.js';
import { changePatchYaml } from '../change-requests/baseline-yaml.js';
import { requireProject } from '../events.js';
import type { BaselineValue, ChangeRequest, ChangeRequestStatus } from '../model.js';
import type { Deps } from '../ports.js';

/** A change request as the API and the console show it. */
export interface ChangeRequestView {
  id: string;
  status: ChangeRequestStatus;
  changes: { field: string; label: string; old: BaselineValue; new: BaselineValue }[];
  reason: string;
  impact: string;
  raisedBy: string;
  raisedAt: string;
  baseline: number;
  approvers: string[];
  decision?: { decision: 'approve' | 'reject'; by: string; name?: string; at: string; comment?: string };
  appliedBaseline?: number;
  staleFields?: string[];
  /** Once approved: the spec fields with their new values, to merge into the spec file. */
  patch?: string;
}

/** The view of one request. */
export function changeRequestView(
  cr: ChangeRequest,
  stages: { key: string; name: string }[],
): ChangeRequestView {
  return {
    id: cr.id,
    status: cr.status,
    changes: cr.changes.map((c) => ({
      field: c.field,
      label: describeField(c.field, stages),
      old: c.old,
      new: c.new,
    })),
    reason: cr.reason,
    impact: cr.impact,
    raisedBy: cr.raisedBy,
    raisedAt: cr.raisedAt,
    baseline: cr.baseline,
    approvers: cr.approvers.map((a) => a.email),
    ...(cr.decision && cr.decidedBy && cr.decidedAt
      ? {
          decision: {
            decision: cr.decision,
            by: cr.decidedBy,
            ...(cr.decidedByName ? { name: cr.decidedByName } : {}),
            at: cr.decidedAt,
            ...(cr.comment ? { comment: cr.comment } : {}),
          },
        }
      : {}),
    ...(cr.appliedBaseline !== undefined ? { appliedBaseline: cr.appliedBaseline } : {}),
    ...(cr.staleFields?.length ? { staleFields: cr.staleFields } : {}),
    ...(cr.status === 'approved' ? { patch: changePatchYaml(cr.changes) } : {}),
  };
}

export async function listChangeRequests(
  deps: Deps,
  projectId: string,
): Promise<{ baseline: number; items: ChangeRequestView[] }> {
  const project = await requireProject(deps, projectId);
  const requests = await deps.store.list(projectId, 'change_request');
  requests.sort((a, b) => b.number - a.number);
  return {
    baseline: baselineVersion(project),
    items: requests.map((cr) => changeRequestView(cr, project.stages)),
  };
}
