/**
 * Raise a change request (POST /api/projects/{id}/change-requests, the console's form, the CLI).
 *
 * Input: project id, the changes (new values of scope in/out, deliverables, budget amount and
 * hours, timeline end, stage due dates), the reason and the impact, the actor.
 * Output: `{ id, status: 'pending' }`.
 * Steps:
 * 1. the project must be active and have a sponsor (the sponsor decides);
 * 2. each change records the field's current value as its old value; a change to the value the
 *    field has already, an unknown stage, or a baseline that would break the spec's rules (a stage
 *    due date outside the timeline...) is refused, naming the field (`changes.budget.amount`);
 *    A request whose approval would change more stage and task records than one transaction
 *    holds is refused too (split it);
 * 3. one commit: the request (`cr-<n>`, the next number; version 0, so two requests raised at
 *    once cannot take the same number), one single-use link per sponsor (hash only, as for a
 *    gate) and a `change_requested` event;
 * 4. each sponsor is sent the request with their link; a failed delivery is an `email_failed`
 *    event. Stage gates go on: the request does not touch the workflow.
 */
import { approvalUrl, newApprovalLink } from '../approval-links.js';
import {
  applyChanges,
  baselineProblems,
  baselineValue,
  baselineVersion,
  describeField,
  describeValue,
  sameValue,
} from '../change-requests/baseline.js';
import { StateError, ValidationError } from '../errors.js';
import { requireProject, withConflictRetry } from '../events.js';
import type { BaselineChange, BaselineDeliverable, ChangeRequest } from '../model.js';
import { changeRequestNotification } from '../notifications/change-request.js';
import { notify } from '../notifications/notify.js';
import { notificationContext } from '../notifications/people.js';
import type { Deps } from '../ports.js';
import { removableCreations } from '../removal-markers.js';
import { rebaselinedRecords } from './decide-change-request.js';
import { MAX_ITEMS_PER_COMMIT } from './register-project.js';

/** Items of a change request's approval besides its stage and task records: project, request, link, gate, event. */
const APPROVAL_ITEMS = 5;

/** What the PM asks to change: only the fields given change. */
export interface ChangeRequestInput {
  changes: {
    scope?: { in?: string[]; out?: string[] };
    deliverables?: BaselineDeliverable[];
    budget?: { amount?: number; hours?: number };
    timeline?: { end?: string };
    /** By stage key: the new due date, or null to drop it. */
    stages?: Record<string, { due: string | null }>;
  };
  reason: string;
  impact: string;
}

/** The wanted changes as `[field, input path, new value]`. */
function wanted(input: ChangeRequestInput['changes']): [string, string, BaselineChange['new']][] {
  const out: [string, string, BaselineChange['new']][] = [];
  const add = (field: string, value: BaselineChange['new'] | undefined) => {
    if (value !== undefined) out.push([field, `changes.${field}`, value]);
  };
  add('scope.in', input.scope?.in);
  add('scope.out', input.scope?.out);
  add('deliverables', input.deliverables);
  add('budget.amount', input.budget?.amount);
  add('budget.hours', input.budget?.hours);
  add('timeline.end', input.timeline?.end);
  for (const [key, { due }] of Object.entries(input.stages ?? {})) add(`stages.${key}.due`, due);
  return out;
}

export async function raiseChangeRequest(
  deps: Deps,
  projectId: string,
  input: ChangeRequestInput,
  actor: string,
): Promise<{ id: string; status: 'pending' }> {
  const raised = await withConflictRetry(async () => {
    const project = await requireProject(deps, projectId);
    if (project.status !== 'active') {
      throw new StateError(`project ${projectId} is ${project.status}: its baseline no longer changes`);
    }
    const issues: { path: string; message: string }[] = [];
    const changes: BaselineChange[] = [];
    const stageKeys = project.stages.map((s) => s.key);
    for (const [field, path, value] of wanted(input.changes)) {
      const stage = /^stages\.(.+)\.due$/.exec(field)?.[1];
      if (stage !== undefined && !stageKeys.includes(stage)) {
        issues.push({
          path: `changes.stages.${stage}`,
          message: `unknown stage (stages: ${stageKeys.join(', ')})`,
        });
        continue;
      }
      const old = baselineValue(project.spec, field);
      if (sameValue(old, value)) {
        issues.push({ path, message: `is already ${describeValue(old)}: nothing to change` });
        continue;
      }
      changes.push({ field, old, new: value });
    }
    if (issues.length === 0 && changes.length === 0) {
      issues.push({
        path: 'changes',
        message: 'at least one change (scope, deliverables, budget, timeline or a stage due date)',
      });
    }
    if (issues.length === 0) {
      // The changed baseline must still be a valid spec (due dates inside the timeline, in order...).
      for (const p of baselineProblems(applyChanges(project.spec, changes))) {
        const stage = /^stages\.(\d+)\.(.+)$/.exec(p.path);
        const key = stage
          ? (applyChanges(project.spec, changes).stages?.[Number(stage[1])]?.key ?? stage[1])
          : undefined;
        issues.push({
          path: key && stage ? `changes.stages.${key}.${stage[2]}` : `changes.${p.path}`,
          message: p.message,
        });
      }
    }
    if (issues.length) throw new ValidationError(issues);

    const existing = await deps.store.list(projectId, 'change_request');
    const number = Math.max(0, ...existing.map((c) => c.number)) + 1;
    const id = `cr-${number}`;
    // Its approval is one transaction: the project, the request, the link, the current stage's
    // gate (marked when its approval requests are out), these records and the `change_approved`
    // event.
    const touched = await rebaselinedRecords(deps, project, applyChanges(project.spec, changes), {
      id,
      changes,
    });
    // A deliverable added is a creation: one more item, the check of its id's removal marker.
    const added = removableCreations(touched);
    if (touched.length + added + APPROVAL_ITEMS > MAX_ITEMS_PER_COMMIT) {
      throw new ValidationError([
        {
          path: 'changes',
          message: `changes ${touched.length} stage and task records${added ? ` (${added} of them new deliverables, which count twice)` : ''}; one change request may change at most ${MAX_ITEMS_PER_COMMIT - APPROVAL_ITEMS}: split it`,
        },
      ]);
    }
    const sponsors = (await deps.store.list(projectId, 'stakeholder')).filter((s) => s.role === 'sponsor');
    if (sponsors.length === 0) {
      throw new StateError(
        `project ${projectId} has no sponsor among its stakeholders to decide a change request`,
      );
    }
    const now = deps.clock.now();
    const at = now.toISOString();
    const issued = sponsors.map((s) =>
      newApprovalLink({
        projectId,
        changeId: id,
        stage: project.currentStage,
        round: 1,
        approverEmail: s.email,
        approverName: s.name,
        now,
        linkTtlDays: deps.config.linkTtlDays,
      }),
    );
    const request: ChangeRequest = {
      entity: 'change_request',
      projectId,
      id,
      number,
      status: 'pending',
      changes,
      reason: input.reason,
      impact: input.impact,
      raisedBy: actor,
      raisedAt: at,
      baseline: baselineVersion(project),
      approvers: sponsors.map((s) => ({ email: s.email, name: s.name })),
      version: 0,
    };
    await deps.store.commit(
      [request, ...issued.map((i) => i.link)],
      [
        {
          projectId,
          type: 'change_requested',
          actor,
          at,
          summary: `Change request ${id} raised: ${changes.map((c) => `${describeField(c.field, project.stages)} ${describeValue(c.old)} → ${describeValue(c.new)}`).join('; ')}`,
          data: {
            changeId: id,
            changes: changes.map((c) => ({ field: c.field, old: c.old, new: c.new })),
            approvers: request.approvers.map((a) => a.email),
          },
        },
      ],
    );
    return { project, request, issued };
  });

  const { project, request, issued } = raised;
  const ctx = notificationContext(project, deps.config);
  await notify(
    deps,
    projectId,
    undefined,
    issued.map(({ id, link }) =>
      changeRequestNotification({
        ctx,
        to: link.approverEmail,
        approverName: link.approverName,
        changeId: request.id,
        changes: request.changes,
        reason: request.reason,
        impact: request.impact,
        raisedBy: request.raisedBy,
        stages: project.stages,
        url: approvalUrl(deps.config.publicBaseUrl, id),
        expiresAt: link.expiresAt,
      }),
    ),
  );
  return { id: request.id, status: 'pending' };
}
