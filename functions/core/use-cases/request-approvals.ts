/**
 * Send approval requests for a gate whose exit criteria hold (the caller checked them).
 *
 * Input: the project and the gate as read (their versions are the optimistic lock), the actor.
 * Output: the gate as stored (new round, pending_approval).
 * Steps: round + 1; every approver's decision is cleared; one new link per approver (only its
 * hash is stored, with a CSRF secret and an expiry); when the stage type approves a document (the
 * risk stage's plan) the version under approval is recorded; the stage goes to awaiting_approval. Links, gate, stage and the
 * `approval_requested` event are committed together (a ConflictError means another process
 * changed the gate: the caller re-reads and retries). Then one approval request per approver; a
 * failed delivery becomes an `email_failed` event and never throws, so the gate still waits for decisions.
 *
 * Links are valid per round and approver (ApprovalLink.round / approverEmail): a reminder adds
 * another link of the same round and the earlier ones keep working, so ApproverState.linkHash is
 * left unset here.
 */
import { approvalUrl, newApprovalLink } from '../approval-links.js';
import { closeWaitRound } from '../customer-wait.js';
import { NotFoundError } from '../errors.js';
import { resolvedStage } from '../events.js';
import type { ApprovalLink, Gate, Project, Stage } from '../model.js';
import { approvalRequest, documentLinkOf } from '../notifications/approval-request.js';
import type { Notification } from '../notifications/notification.js';
import { notify } from '../notifications/notify.js';
import { notificationContext } from '../notifications/people.js';
import type { Deps, NewEvent } from '../ports.js';
import {
  type ApprovalContent,
  type ContentSection,
  approvesInWords as contentInWords,
  currentDocumentVersion,
  stageType,
} from '../stages/index.js';

export interface RequestApprovalsOptions {
  /** The PM submitted the stage explicitly: record submittedAt/By in the same commit. */
  submitted?: boolean;
  /**
   * Events committed with the request, before `approval_requested` (the `approvals_reset` of a
   * round asked again after a change request re-baselined the project).
   */
  events?: NewEvent[];
  /** Sections each email shows before the stage's own (why the approvers are asked again). */
  leadSections?: ContentSection[];
  /**
   * The caller read `gate`, then found the stage's exit criteria holding on the records it read
   * after: the gate records the version this commit writes (`Gate.criteriaHeldAt`), which a
   * decision may rely on while no write lands on the gate. Leave it out when the criteria were
   * read on anything older than that gate read.
   */
  criteriaHeld?: boolean;
}

/** What the approvers of `gate` see: the stage type's approval content, read from the records now. */
export function gateApprovalContent(
  store: Deps['store'],
  project: Project,
  gate: Pick<Gate, 'stage' | 'documentVersion'>,
): Promise<ApprovalContent> {
  const resolved = resolvedStage(project, gate.stage);
  return stageType(gate.stage).approvalContent({ store, project, stage: resolved, gate });
}

/** What the approvers of `gate` are asked to approve, in words (from the stage type's approval content). */
export function approvesInWords(content: ApprovalContent): string {
  return contentInWords(content);
}

export async function requestApprovals(
  deps: Deps,
  project: Project,
  gate: Gate,
  actor: string,
  options: RequestApprovalsOptions = {},
): Promise<Gate> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const stage = await deps.store.get(project.id, 'stage', gate.stage);
  if (!stage) throw new NotFoundError(`project ${project.id} has no stage record ${gate.stage}`);

  const round = gate.round + 1;
  const approvalDocument = stageType(gate.stage).approvalDocument;
  const issued = gate.approvers.map((a) =>
    newApprovalLink({
      projectId: project.id,
      stage: gate.stage,
      round,
      approverEmail: a.email,
      approverName: a.name,
      now,
      linkTtlDays: deps.config.linkTtlDays,
    }),
  );
  const next: Gate = {
    ...gate,
    round,
    status: 'pending_approval',
    approvers: gate.approvers.map((a) => ({ email: a.email, name: a.name })),
    requestedAt: at,
    // A round still open (a spec change replaced its approvers) ends here: its wait is kept.
    customerWaitMs: closeWaitRound(gate, at),
    reminders: 0,
    remindedAt: undefined,
    escalatedAt: undefined,
    decidedAt: undefined,
    awaitingResubmission: undefined,
    // A round asked on the baseline in force: a re-baseline mark of the round before is done.
    rebaselined: undefined,
    // The store writes version + 1 on the condition that the gate is still at the version read.
    criteriaHeldAt: options.criteriaHeld ? gate.version + 1 : undefined,
    documentVersion: approvalDocument
      ? await currentDocumentVersion(deps.store, project, approvalDocument)
      : undefined,
  };
  const nextStage: Stage = {
    ...stage,
    status: 'awaiting_approval',
    ...(options.submitted ? { submittedAt: at, submittedBy: actor } : {}),
  };
  // Read before the commit: the email shows the records as they were when approval was requested.
  const content = await gateApprovalContent(deps.store, project, next);
  const approves = approvesInWords(content);
  const links: ApprovalLink[] = issued.map((i) => i.link);

  const stored = await deps.store.commit(
    [next, nextStage, ...links],
    [
      ...(options.submitted
        ? [
            {
              projectId: project.id,
              stage: gate.stage,
              type: 'stage_submitted',
              actor,
              at,
              summary: `${actor} submitted ${stage.name} for approval`,
            },
          ]
        : []),
      ...(options.events ?? []),
      {
        projectId: project.id,
        stage: gate.stage,
        type: 'approval_requested',
        actor,
        at,
        summary: `Approval of ${approves} requested from ${next.approvers.map((a) => a.name).join(', ')} (round ${round})`,
        data: {
          round,
          approvers: next.approvers.map((a) => a.email),
          ...(next.documentVersion !== undefined ? { documentVersion: next.documentVersion } : {}),
        },
      },
    ],
  );

  const ctx = notificationContext(project, deps.config);
  const sections = [...(options.leadSections ?? []), ...(content.sections ?? [])];
  const requests: Notification[] = issued.map(({ id, link }) =>
    approvalRequest({
      ctx,
      to: link.approverEmail,
      approverName: link.approverName,
      stageName: stage.name,
      approves,
      ...(sections.length ? { sections } : {}),
      ...(stage.due ? { due: stage.due } : {}),
      rule: next.rule,
      approverCount: next.approvers.length,
      url: approvalUrl(deps.config.publicBaseUrl, id),
      ...documentLinkOf(approvalUrl(deps.config.publicBaseUrl, id), content.document),
      expiresAt: link.expiresAt,
    }),
  );
  await notify(deps, project.id, gate.stage, requests);
  return (
    (stored.find((e) => e.entity === 'gate') as Gate | undefined) ?? { ...next, version: gate.version + 1 }
  );
}
