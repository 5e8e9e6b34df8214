/**
 * Decide a change request through the sponsor's emailed link: the same link record, page and
 * decision path as a stage gate's (view-approval.ts and decide-approval.ts hand a link whose
 * target is `change` over to here), and no workflow callback: gates go on meanwhile.
 *
 * Input: a found link (its hash, expiry and project already checked), the posted form.
 * Output: the page to show (confirm, decided, neutral, self-approval, invalid form, recorded, stale).
 * Steps of a decision:
 * 1. the request must be pending and the link's sponsor one of its approvers; the person who
 *    raised it may not decide it (as a submitter may not approve their own stage);
 * 2. the form and its CSRF nonce are checked exactly as for a gate;
 * 3. rejected: one commit of the link (decided), the request (rejected) and `change_rejected`;
 *    nothing else changes;
 * 4. approved: when every change's old value still holds and the changed spec is valid, ONE
 *    commit re-baselines the project: the project's spec and resolved stages with the new values
 *    and its `baseline` version + 1, the stage records whose due date changed, the deliverable
 *    tasks added, renamed or removed (a removed one that is not done is waived, saying why), the
 *    link decided, the request approved, and `change_approved` with old and new per field; a
 *    gate of the current stage with approval requests out is marked `rebaselined` in the same
 *    commit (its round was asked on the old baseline: renew-gate-approvals.ts asks it again);
 *    Otherwise the request is superseded (`change_superseded` names the fields that moved), the
 *    link stays unspent and the page says nothing changed (409).
 * Every write is version-checked: a concurrent click or change conflicts and the decision is
 * read again (decide-approval.ts retries), so it happens exactly once.
 */

import { ALLOCATIONS_BUMP, changesAllocations } from '../allocation-order.js';
import {
  type ApprovalOptions,
  checkDecisionForm,
  formClock,
  isSubmitter,
  sameEmail,
} from '../approval-form.js';
import {
  applyChanges,
  baselineProblems,
  baselineVersion,
  describeField,
  describeValue,
  stageOfField,
  stagesOf,
  staleFields,
} from '../change-requests/baseline.js';
import { csrfNonce } from '../csrf.js';
import { deliverableTask } from '../deliverables.js';
import type {
  ApprovalLink,
  BaselineDeliverable,
  ChangeRequest,
  Entity,
  Gate,
  Project,
  Stage,
  Task,
} from '../model.js';
import { changeLines } from '../notifications/change-request.js';
import type { Deps, NewEvent } from '../ports.js';
import { aboveRemovalMarkers } from '../removal-markers.js';
import type { DecideApprovalInput, DecideApprovalResult } from './decide-approval.js';
import type { ApprovalView, DecidedView, ViewApprovalResult } from './view-approval.js';

/** An open change request link: the request, its approver and what the page shows. */
interface ChangeContext {
  link: ApprovalLink;
  project: Project;
  request: ChangeRequest;
  view: ApprovalView;
}

type LoadedChange =
  | { kind: 'neutral' }
  | { kind: 'decided'; decided: DecidedView }
  | { kind: 'open'; context: ChangeContext };

/** The page's view of a change request: each change as old → new, the reason and the impact. */
function changeView(project: Project, request: ChangeRequest, link: ApprovalLink, deps: Deps): ApprovalView {
  return {
    projectId: project.id,
    // A change request has no waivers to accept.
    acceptances: [],
    mspName: project.mspName || deps.config.mspName,
    projectName: project.name,
    customerName: project.customerName,
    timezone: project.timezone,
    stageKey: project.currentStage,
    stageName: `Change request ${request.id}`,
    approves: `a change to the project baseline (baseline ${request.baseline})`,
    sections: [
      {
        title: 'What changes (old → new)',
        items: changeLines(request.changes, project.stages).map((label) => ({ label })),
      },
      { title: 'Reason', items: [{ label: request.reason }] },
      { title: 'Impact', items: [{ label: request.impact }] },
    ],
    rule: request.approvers.length > 1 ? 'any one sponsor decides' : 'the sponsor decides',
    round: 1,
    approverName:
      request.approvers.find((a) => sameEmail(a.email, link.approverEmail))?.name ?? link.approverName,
    approverEmail: link.approverEmail,
    target: 'change',
  };
}

/** The change request a link is for, checked like a gate's link. Reads only. */
async function loadChange(deps: Deps, link: ApprovalLink, project: Project): Promise<LoadedChange> {
  const neutral = { kind: 'neutral' } as const;
  if (!link.changeId) return neutral;
  const request = await deps.store.get(link.projectId, 'change_request', link.changeId);
  if (!request || request.projectId !== link.projectId) return neutral;
  if (!request.approvers.some((a) => sameEmail(a.email, link.approverEmail))) return neutral;
  if (link.status === 'decided' && link.decision && link.decidedAt) {
    return {
      kind: 'decided',
      decided: {
        by: link.approverName,
        at: link.decidedAt,
        decision: link.decision,
        timezone: project.timezone,
      },
    };
  }
  if (
    (request.status === 'approved' || request.status === 'rejected') &&
    request.decision &&
    request.decidedAt
  ) {
    return {
      kind: 'decided',
      decided: {
        by: request.decidedByName ?? request.decidedBy ?? 'the sponsor',
        at: request.decidedAt,
        decision: request.decision,
        timezone: project.timezone,
      },
    };
  }
  // Superseded (the baseline moved) or the project closed: nothing to decide any more.
  if (request.status !== 'pending' || project.status !== 'active') return neutral;
  return {
    kind: 'open',
    context: { link, project, request, view: changeView(project, request, link, deps) },
  };
}

/** GET of a change request's link: the confirmation page with the form. Never writes. */
export async function viewChangeApproval(
  deps: Deps,
  link: ApprovalLink,
  project: Project,
  options: ApprovalOptions,
): Promise<ViewApprovalResult> {
  const loaded = await loadChange(deps, link, project);
  if (loaded.kind !== 'open') return loaded;
  const { context } = loaded;
  if ((options.forbidSelfApproval ?? true) && isSubmitter(context.request.raisedBy, link.approverEmail)) {
    return { kind: 'self-approval', view: context.view };
  }
  return {
    kind: 'confirm',
    view: context.view,
    nonce: csrfNonce(link.csrfSecret, link.linkHash, formClock(options).now()),
  };
}

/** One read-decide-commit of a change request's decision (ConflictError: read again). */
export async function attemptChangeDecision(
  deps: Deps,
  link: ApprovalLink,
  project: Project,
  input: DecideApprovalInput,
  options: ApprovalOptions,
): Promise<Exclude<DecideApprovalResult, { kind: 'busy' | 'forbidden' }>> {
  const loaded = await loadChange(deps, link, project);
  if (loaded.kind !== 'open') return loaded;
  const { request, view } = loaded.context;
  if ((options.forbidSelfApproval ?? true) && isSubmitter(request.raisedBy, link.approverEmail)) {
    return { kind: 'self-approval', view };
  }
  const checked = checkDecisionForm(link, input.form, options);
  if (!checked.ok) return { kind: 'invalid', view, nonce: checked.nonce, issues: checked.issues };
  const { decision, comment } = checked.form;
  const at = deps.clock.now().toISOString();
  const decidedLink: ApprovalLink = {
    ...link,
    status: 'decided',
    decision,
    ...(comment ? { comment } : {}),
    decidedAt: at,
  };
  const decided: ChangeRequest = {
    ...request,
    decision,
    decidedBy: link.approverEmail,
    decidedByName: view.approverName,
    decidedAt: at,
    ...(comment ? { comment } : {}),
  };
  const base = { projectId: project.id, actor: link.approverEmail, at };

  if (decision === 'reject') {
    await deps.store.commit(
      [decidedLink, { ...decided, status: 'rejected' }],
      [
        {
          ...base,
          type: 'change_rejected',
          summary: `${view.approverName} rejected change request ${request.id}: the baseline stays ${baselineVersion(project)}`,
          data: { changeId: request.id, comment },
        },
      ],
    );
    deps.log.info('change request decided', { projectId: project.id, changeId: request.id, decision });
    return { kind: 'recorded', decision, view };
  }

  const changed = applyChanges(project.spec, request.changes);
  const stale = [
    ...staleFields(project.spec, request.changes),
    ...baselineProblems(changed).map((p) => p.path),
  ];
  if (stale.length > 0) {
    // The link stays unspent: the request is what can no longer be approved.
    await deps.store.commit(
      [{ ...request, status: 'superseded', staleFields: stale }],
      [
        {
          ...base,
          type: 'change_superseded',
          summary: `Change request ${request.id} can no longer be approved: the baseline moved since it was raised (${stale.join(', ')})`,
          data: { changeId: request.id, fields: stale },
        },
      ],
    );
    deps.log.info('change request superseded', { projectId: project.id, changeId: request.id });
    return { kind: 'stale', view, fields: stale };
  }

  const baseline = baselineVersion(project) + 1;
  // A deliverable added where a removed task with its id was starts above it (removal-markers.ts).
  const { records, creations } = await aboveRemovalMarkers(
    deps.store,
    await rebaselinedRecords(deps, project, changed, request),
  );
  // A gate whose approval requests are out was asked on the old baseline: marked in this same
  // commit (version-checked), so from it on no link of that round decides, and a click committed
  // before it makes this commit conflict and read again. renewGateApprovals asks the round again.
  const gate = await deps.store.get(project.id, 'gate', project.currentStage);
  const staleGate: Gate[] =
    gate?.status === 'pending_approval'
      ? [
          {
            ...gate,
            rebaselined: {
              reason: 'change_request',
              changeId: request.id,
              baseline,
              at,
              // A change approved before it, or a deployed spec edit, is still to be asked about:
              // the renewal names every one.
              ...(gate.rebaselined?.changeId
                ? { earlier: [...(gate.rebaselined.earlier ?? []), gate.rebaselined.changeId] }
                : gate.rebaselined?.earlier
                  ? { earlier: gate.rebaselined.earlier }
                  : {}),
              ...(gate.rebaselined?.spec ? { spec: gate.rebaselined.spec } : {}),
            },
          },
        ]
      : [];
  const events: NewEvent[] = [
    {
      ...base,
      type: 'change_approved',
      summary: `${view.approverName} approved change request ${request.id}; baseline ${baseline}: ${request.changes
        .map(
          (c) =>
            `${describeField(c.field, project.stages)} ${describeValue(c.old)} → ${describeValue(c.new)}`,
        )
        .join('; ')}`,
      data: {
        changeId: request.id,
        baseline,
        changes: request.changes.map((c) => ({ field: c.field, old: c.old, new: c.new })),
        ...(comment ? { comment } : {}),
      },
    },
  ];
  const rebaselined: Project = {
    ...project,
    spec: changed,
    stages: stagesOf(changed),
    baseline,
    updatedAt: at,
  };
  await deps.store.commit(
    [
      rebaselined,
      ...records,
      ...staleGate,
      decidedLink,
      { ...decided, status: 'approved', appliedBaseline: baseline },
    ],
    events,
    [],
    {
      creations: creations.filter((c) => c !== undefined),
      // New due dates or timeline move the windows in which the project's people count elsewhere:
      // a resourcing gate that read the capacity before this commit does not pass on it.
      bumps: changesAllocations(project, rebaselined) ? ALLOCATIONS_BUMP : [],
    },
  );
  deps.log.info('change request decided', {
    projectId: project.id,
    changeId: request.id,
    decision,
    baseline,
  });
  return { kind: 'recorded', decision, view };
}

/**
 * The stage and task records the new baseline changes: stages whose due date changed (and the
 * deliverables of theirs that had the old date), deliverables added (todo), renamed or moved, and
 * removed (waived with the reason, unless already done).
 */
export async function rebaselinedRecords(
  deps: Deps,
  project: Project,
  changed: Project['spec'],
  request: Pick<ChangeRequest, 'id' | 'changes'>,
): Promise<Entity[]> {
  const out = new Map<string, Stage | Task>();
  const stages = await deps.store.list(project.id, 'stage');
  const tasks = await deps.store.list(project.id, 'task');
  const newStages = stagesOf(changed);
  const dueOf = (key: string) => newStages.find((s) => s.key === key)?.due;
  const dueChanged = new Map<string, string | undefined>();
  for (const c of request.changes) {
    const key = stageOfField(c.field);
    const stage = key ? stages.find((s) => s.key === key) : undefined;
    if (!key || !stage) continue;
    dueChanged.set(key, stage.due);
    const { due: _due, ...rest } = stage;
    const due = dueOf(key);
    out.set(`stage#${key}`, { ...rest, ...(due ? { due } : {}) });
  }
  const setTask = (t: Task) => out.set(`task#${t.id}`, t);
  for (const t of tasks) {
    if (t.type !== 'deliverable' || !dueChanged.has(t.stage) || t.due !== dueChanged.get(t.stage)) continue;
    const { due: _due, ...rest } = t;
    const due = dueOf(t.stage);
    setTask({ ...rest, ...(due ? { due } : {}) });
  }
  const deliverables = request.changes.find((c) => c.field === 'deliverables');
  if (deliverables) {
    const wanted = deliverables.new as BaselineDeliverable[];
    for (const d of wanted) {
      const existing = (out.get(`task#${d.id}`) as Task | undefined) ?? tasks.find((t) => t.id === d.id);
      const due = dueOf(d.stage);
      if (!existing) {
        setTask(deliverableTask(project.id, d, due));
      } else if (
        existing.name !== d.name ||
        existing.stage !== d.stage ||
        existing.acceptance !== d.acceptance ||
        existing.type !== 'deliverable'
      ) {
        setTask({ ...existing, type: 'deliverable', name: d.name, stage: d.stage, acceptance: d.acceptance });
      }
    }
    const kept = new Set(wanted.map((d) => d.id));
    for (const old of deliverables.old as BaselineDeliverable[]) {
      if (kept.has(old.id)) continue;
      const task = (out.get(`task#${old.id}`) as Task | undefined) ?? tasks.find((t) => t.id === old.id);
      if (!task || task.status === 'done' || task.status === 'waived') continue;
      setTask({
        ...task,
        status: 'waived',
        waiverReason: `Removed from the baseline by change request ${request.id}`,
      });
    }
  }
  return [...out.values()];
}
