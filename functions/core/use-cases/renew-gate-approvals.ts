/**
 * Ask a gate's approvers again after their round went stale while its approval requests were
 * out: an approved change request re-baselined the project, or a deployed spec edit changed the
 * document the round approves. That commit marked the gate `rebaselined` (decide-change-request.ts,
 * register-project.ts, with the mark's `reason`): from it on, no link of the round decides.
 *
 * Input: the project id, the actor. Output: what was done: `none` (no marked gate waits on
 * approvers), `renewed` (the round was asked again) or `withdrawn` (the criteria no longer hold).
 * Steps:
 * 1. the document the stage's gate approves (charter, plan, close-out) is brought up to the new
 *    baseline first, as before any approval request: a new version when what it says changed;
 * 2. the project and its current stage's gate are read again; nothing to do unless the gate is
 *    pending_approval and marked;
 * 3. the decisions given in the round were given on the old baseline or document and no longer
 *    count: an `approvals_reset` event names the change requests and the new baseline, or says the
 *    spec changed and which fields of the document, the round and who had approved or rejected;
 * 4. when the stage's exit criteria hold on the new baseline, requestApprovals asks again (round
 *    + 1, every decision cleared, the mark cleared, the new document version recorded, new links,
 *    the approvers and rule the spec names now) in ONE commit with the reset event; then each
 *    approver gets a new request whose first section says why (each change request's changes,
 *    the spec fields that changed). When they no longer hold (the change added work to this stage),
 *    withdrawApprovals commits the reset event with the withdrawal and the gate waits for the
 *    PM's next submit. Either way every link of the old round shows the neutral page.
 * The commit is version-checked on the gate: a decision committed before it was read with the
 * gate and is reset with the others (the event names it); one committed after it conflicts and
 * reads again (its link is of an older round: the neutral page). This step reads again on a
 * conflict of its own. The gate's task token stays: the state machine keeps waiting.
 * Idempotent: a second run finds the mark cleared and does nothing. It runs right after the
 * change request's decision (and after a spec deploy where the registering process may publish
 * documents: the local runtime), and again from progressGate (the monitoring check, staff
 * changes), the gate's reminder step and a click on a link of the marked round, so a crash
 * between the marking commit and this step is finished by the next of those.
 */
import { evaluateCriteria } from '../criteria.js';
import { requireProject, resolvedStage, withConflictRetry } from '../events.js';
import type {
  ApproverState,
  BaselineChange,
  Gate,
  GateRebaselined,
  GateSpecEdit,
  Project,
} from '../model.js';
import { changeLines } from '../notifications/change-request.js';
import { loadPeople, nameOf } from '../notifications/people.js';
import type { Deps, NewEvent } from '../ports.js';
import { describeSpecField } from '../spec-document-edit.js';
import { prepareDocument } from '../stages/documents.js';
import { type ContentSection, stageType } from '../stages/index.js';
import { requestApprovals } from './request-approvals.js';
import { withdrawApprovals } from './withdraw-approvals.js';

/** What renewGateApprovals did. */
export interface RenewGateResult {
  action: 'none' | 'renewed' | 'withdrawn';
}

/** True when `gate` waits on approvers of a round asked on an earlier baseline. */
export function awaitsRenewal(
  gate: Gate | undefined,
): gate is Gate & { status: 'pending_approval'; rebaselined: GateRebaselined } {
  return gate?.status === 'pending_approval' && gate.rebaselined !== undefined;
}

/** Asks the current stage's marked gate again on the new baseline, or withdraws it (steps above). */
export async function renewGateApprovals(
  deps: Deps,
  projectId: string,
  actor: string,
): Promise<RenewGateResult> {
  const none = { action: 'none' } as const;
  const first = await requireProject(deps, projectId);
  const stage = first.currentStage;
  if (first.status !== 'active' || !awaitsRenewal(await deps.store.get(projectId, 'gate', stage))) {
    return none;
  }
  // The document under approval says what the new baseline says before anyone is asked again.
  const document = stageType(stage).approvalDocument;
  if (document) await prepareDocument(deps, projectId, document, actor);

  return withConflictRetry(async (): Promise<RenewGateResult> => {
    // The gate before the project and the criteria (progress-gate.ts says why).
    const gate = await deps.store.get(projectId, 'gate', stage);
    const project = await requireProject(deps, projectId);
    if (project.status !== 'active' || project.currentStage !== stage || !awaitsRenewal(gate)) return none;
    const now = deps.clock.now();
    const name = resolvedStage(project, stage).name;
    const reset = resetEvent(project, gate, name, actor, now.toISOString());
    const why = { projectId, stage, reason: gate.rebaselined.reason ?? 'change_request' };
    const criteria = await evaluateCriteria(deps.store, project, stage, now);
    if (!criteria.met) {
      await withdrawApprovals(deps, project, gate, criteria.unmet, actor, { events: [reset] });
      deps.log.info('approvals reset and withdrawn after the round went stale', why);
      return { action: 'withdrawn' };
    }
    const ids = changeIds(gate.rebaselined);
    const requests = await Promise.all(ids.map((id) => deps.store.get(projectId, 'change_request', id)));
    await requestApprovals(deps, project, await withSpecApprovers(deps, project, gate), actor, {
      criteriaHeld: true,
      events: [reset],
      leadSections: [
        whyAgain(
          project,
          gate,
          name,
          ids.map((id, i) => ({ id, changes: requests[i]?.changes ?? [] })),
        ),
      ],
    });
    deps.log.info('approvals reset and asked again after the round went stale', why);
    return { action: 'renewed' };
  });
}

/** The change requests a mark names, oldest first. */
function changeIds(mark: GateRebaselined): string[] {
  return [...(mark.earlier ?? []), ...(mark.changeId ? [mark.changeId] : [])];
}

/**
 * The gate with the approvers and rule its stage has in the spec now: a deploy that changed them
 * while the round was marked left them to the renewal (register-project.ts updateOpenGate), so
 * the new round asks whom the spec names.
 */
async function withSpecApprovers(deps: Deps, project: Project, gate: Gate): Promise<Gate> {
  const resolved = project.stages.find((s) => s.key === gate.stage);
  if (!resolved) return gate;
  const wanted = resolved.gate.approvers.map((e) => e.toLowerCase()).sort();
  const have = gate.approvers.map((a) => a.email.toLowerCase()).sort();
  if (
    JSON.stringify(wanted) === JSON.stringify(have) &&
    JSON.stringify(gate.rule) === JSON.stringify(resolved.gate.rule)
  ) {
    return gate;
  }
  const people = await loadPeople(deps, project);
  return {
    ...gate,
    rule: resolved.gate.rule,
    approvers: resolved.gate.approvers.map((email) => ({ email, name: nameOf(people.stakeholders, email) })),
  };
}

const emails = (approvers: ApproverState[], decision: 'approve' | 'reject') =>
  approvers.filter((a) => a.decision === decision).map((a) => a.email);

/** The spec fields of a mark in words: `Budget (money), Objectives`. */
function specFieldsInWords(edit: GateSpecEdit, project: Project): string {
  return edit.fields.map((f) => describeSpecField(f, project.stages)).join(', ');
}

/** `approvals_reset`: the round's decisions no longer count, and why. */
function resetEvent(
  project: Project,
  gate: Gate & { rebaselined: GateRebaselined },
  stageName: string,
  actor: string,
  at: string,
): NewEvent {
  const { changeId, baseline, earlier, spec } = gate.rebaselined;
  const ids = changeIds(gate.rebaselined);
  const approvedBy = emails(gate.approvers, 'approve');
  const rejectedBy = emails(gate.approvers, 'reject');
  const named = (list: string[]) =>
    list.map((e) => gate.approvers.find((a) => a.email === e)?.name || e).join(', ');
  const given = [
    ...(approvedBy.length ? [`approved by ${named(approvedBy)}`] : []),
    ...(rejectedBy.length ? [`rejected by ${named(rejectedBy)}`] : []),
  ];
  const document = stageType(gate.stage).approvalDocument?.name ?? 'document';
  const causes = [
    ...(ids.length
      ? [
          `change request${ids.length > 1 ? `s ${ids.join(', ')}` : ` ${ids[0]}`} re-baselined the project (baseline ${baseline})`,
        ]
      : []),
    ...(spec ? [`a deployed spec edit changed the ${document} (${specFieldsInWords(spec, project)})`] : []),
  ];
  return {
    projectId: project.id,
    stage: gate.stage,
    type: 'approvals_reset',
    actor,
    at,
    summary: `Approval requests of ${stageName} (round ${gate.round}) reset: ${causes.join(' and ')} while they were out; ${
      given.length
        ? `the decisions given on the earlier ${spec ? document : 'baseline'} no longer count (${given.join('; ')})`
        : 'no decision had been given'
    }`,
    data: {
      ...(spec ? { reason: 'spec' } : {}),
      ...(changeId ? { changeId } : {}),
      ...(earlier?.length ? { earlierChangeIds: earlier } : {}),
      baseline,
      ...(spec ? { specFields: spec.fields, specChanges: spec.changes } : {}),
      round: gate.round,
      approvedBy,
      rejectedBy,
      ...(gate.documentVersion !== undefined ? { documentVersion: gate.documentVersion } : {}),
    },
  };
}

/** The first section of the new request: what changed, and that the earlier link is spent. */
function whyAgain(
  project: Project,
  gate: Gate & { rebaselined: GateRebaselined },
  stageName: string,
  requests: { id: string; changes: BaselineChange[] }[],
): ContentSection {
  const { baseline, spec } = gate.rebaselined;
  const named = requests.map((r) => r.id);
  const document = stageType(gate.stage).approvalDocument?.name ?? 'document';
  const items: ContentSection['items'] = [];
  if (requests.length) {
    const which =
      named.length === 1
        ? `Change request ${named[0]} changed`
        : `Change requests ${named.slice(0, -1).join(', ')} and ${named.at(-1)} changed`;
    items.push({
      label: `${which} the project baseline (now baseline ${baseline}) after approval of ${stageName} was requested.`,
      detail: requests.flatMap((r) =>
        changeLines(r.changes, project.stages).map((line) =>
          requests.length > 1 ? `${r.id}: ${line}` : line,
        ),
      ),
    });
  }
  if (spec) {
    const valued = new Set(spec.changes.map((c) => c.field));
    items.push({
      label: `The project's specification was changed after approval of ${stageName} was requested, and the ${document} now says something else.`,
      detail: [
        ...changeLines(spec.changes, project.stages),
        ...spec.fields
          .filter((f) => !valued.has(f))
          .map((f) => `${describeSpecField(f, project.stages)}: changed`),
      ],
    });
  }
  const last = items.at(-1);
  if (last) {
    last.detail = [
      ...(last.detail ?? []),
      'The earlier approval link no longer works, and a decision given on it does not count: please decide on this request.',
    ];
  }
  return { title: 'Why you are asked again', items };
}
