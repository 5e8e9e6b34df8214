/**
 * Remind and escalate a gate whose task timed out (the state machine then opens the gate again).
 *
 * Input: projectId, stage key, the execution's start time. Output: RemindGateResult.
 * Steps:
 * - approval requests out (pending_approval): every approver who has not decided gets a reminder
 *   with a fresh link of the same round (earlier links stay valid: decisions are per approver);
 *   up to the gate's maxReminders per round; once the request is timeoutDays old and not yet
 *   escalated, an escalation email goes to the gate's escalateTo (or the team's first member) with
 *   event `gate_escalated`, stating the true waiting time. A timeout with neither due (the gate
 *   task's timeout is the earlier of the two, see gate-timeout.ts) sends nothing;
 * - still waiting for criteria or for a resubmission after rework: the PM is reminded instead,
 *   with the criteria that do not hold, `remindAfterDays` after the gate opened or the last
 *   reminder (not at every timeout of the gate task, which comes at least every 6 hours);
 * - nothing due: only the timed-out task's key (`remindedFor`) is stored, no event, no email, so
 *   the gate task's routine reopen records nothing either (open-gate.ts);
 * - a decided gate: nothing (the reopened gate task answers at once);
 * - a round a change request or a spec edit made stale (`rebaselined`): asked again on the new baseline
 *   (renewGateApprovals) instead of reminded; if that fails, nothing is sent with its old links.
 * New links, the gate (reminders, remindedAt, escalatedAt, remindedFor) and `gate_reminded` are
 * committed together, version-checked; only then are the notifications sent (failures recorded,
 * never thrown).
 * Idempotent: the reminder is keyed by the timed-out gate task (`remindedFor` = the SHA-256 of its
 * token, which the gate holds until the next gate task opens). A retry of this step after the
 * commit (a Lambda timeout after the write) finds its key and sends nothing again; two racing
 * calls cannot both commit. Emails lost by a crash between the commit and the sends are not sent
 * again; the next timeout reminds again.
 * When the execution is old enough, the next generation is claimed for continue-as-new.
 */
import { approvalUrl, newApprovalLink } from '../approval-links.js';
import { evaluateCriteria } from '../criteria.js';
import { formatWaited } from '../customer-wait.js';
import {
  claimContinuationIfDue,
  requireProject,
  resolvedStage,
  tokenKey,
  withConflictRetry,
} from '../events.js';
import { carriedCriteriaMark } from '../gate-guard.js';
import { DEADLINE_TOLERANCE_MS, gateDue } from '../gate-timeout.js';
import type { Gate } from '../model.js';
import { approvalRequest, documentLinkOf } from '../notifications/approval-request.js';
import { escalation, gateWaiting } from '../notifications/notices.js';
import type { Notification } from '../notifications/notification.js';
import { notify } from '../notifications/notify.js';
import { loadPeople, notificationContext, projectManagers, uniqueEmails } from '../notifications/people.js';
import type { Deps, NewEvent } from '../ports.js';
import { days } from '../time.js';
import type { RemindGateResult } from '../workflow-contract.js';
import { awaitsRenewal, renewGateApprovals } from './renew-gate-approvals.js';
import { approvesInWords, gateApprovalContent } from './request-approvals.js';

export interface RemindGateInput {
  projectId: string;
  stage: string;
  executionStartedAt: string;
}

export async function remindGate(deps: Deps, input: RemindGateInput): Promise<RemindGateResult> {
  const { projectId, stage } = input;
  // A round a change request made stale is asked again rather than reminded: once, then this
  // step runs again on the new round (nothing is due on it) or, if asking failed, on the marked
  // round (nothing is sent with its links).
  let renewTried = false;
  const remindStep = async (): Promise<Notification[] | 'renew'> => {
    const project = await requireProject(deps, projectId);
    const gate = await deps.store.get(projectId, 'gate', stage);
    if (project.status !== 'active' || !gate) return [];
    if (!renewTried && awaitsRenewal(gate)) return 'renew';
    if (gate.status === 'approved' || gate.status === 'rejected') return [];
    const remindedFor = gate.taskToken ? tokenKey(gate.taskToken) : undefined;
    if (remindedFor !== undefined && gate.remindedFor === remindedFor) {
      deps.log.info('gate reminder already sent for this timeout', { projectId, stage });
      return [];
    }
    const now = deps.clock.now();
    const at = now.toISOString();
    const resolved = resolvedStage(project, stage);
    const stageRecord = await deps.store.get(projectId, 'stage', stage);
    const stageName = stageRecord?.name ?? resolved.name;
    const people = await loadPeople(deps, project);
    const ctx = notificationContext(project, deps.config);
    const reminders = gate.reminders + 1;

    /** Nothing is due at this timeout: mark it handled (for the reopen) and send nothing. */
    const nothingDue = async (why: string) => {
      deps.log.info(`gate timeout with nothing due (${why})`, { projectId, stage });
      if (remindedFor !== undefined)
        await deps.store.commit([{ ...gate, ...carriedCriteriaMark(gate), remindedFor }]);
      return [];
    };

    if (gate.status === 'waiting') {
      const lastNudge = Math.max(
        Date.parse(gate.openedAt),
        gate.remindedAt ? Date.parse(gate.remindedAt) : 0,
      );
      if (now.getTime() + DEADLINE_TOLERANCE_MS < lastNudge + days(resolved.gate.remindAfterDays))
        return nothingDue('the PM was reminded less than remindAfterDays ago');
      const criteria = await evaluateCriteria(deps.store, project, stage, now);
      const pms = projectManagers(people.team);
      await deps.store.commit(
        [
          {
            ...gate,
            ...carriedCriteriaMark(gate),
            reminders,
            remindedAt: at,
            ...(remindedFor ? { remindedFor } : {}),
          },
        ],
        [
          {
            projectId,
            stage,
            type: 'gate_reminded',
            actor: 'scheduler',
            at,
            summary: gate.awaitingResubmission
              ? `Reminder to ${pms.map((p) => p.name).join(', ')}: ${stageName} waits for resubmission`
              : `Reminder to ${pms.map((p) => p.name).join(', ')}: ${stageName} waits for its exit criteria`,
            data: { to: pms.map((p) => p.email), unmet: criteria.unmet, reminder: reminders },
          },
        ],
      );
      return [
        gateWaiting({
          ctx,
          to: uniqueEmails(pms),
          stageName,
          unmet: criteria.unmet,
          awaitingResubmission: Boolean(gate.awaitingResubmission),
          openedAt: gate.openedAt,
        }),
      ];
    }

    // Its links decide nothing until the round is asked again on the new baseline.
    if (gate.rebaselined) return nothingDue('the round waits to be asked again on the new baseline');
    // pending_approval: what is due now. The gate task times out at the earlier of the next
    // reminder and the escalation (gateTimeoutSeconds, statemachines/lifecycle.ts), so each is sent at its own time.
    const due = gateDue(resolved.gate, gate, now);
    const undecided = gate.approvers.filter((a) => !a.decision);
    const escalateTo = resolved.gate.escalateTo ?? people.team[0]?.email;
    const escalate = due.escalate && Boolean(escalateTo);
    if (!due.remind && !escalate) return nothingDue('reminders capped or not yet due');
    const issued = (due.remind ? undecided : []).map((a) =>
      newApprovalLink({
        projectId,
        stage,
        round: gate.round,
        approverEmail: a.email,
        approverName: a.name,
        now,
        linkTtlDays: deps.config.linkTtlDays,
      }),
    );
    const since = gate.requestedAt ?? gate.openedAt;
    const timeoutDays = resolved.gate.timeoutDays;
    const waited = now.getTime() - Date.parse(since);
    const next: Gate = {
      ...gate,
      // A reminder or an escalation changes no record the criteria read.
      ...carriedCriteriaMark(gate),
      ...(due.remind ? { reminders, remindedAt: at } : {}),
      ...(remindedFor ? { remindedFor } : {}),
      ...(escalate ? { escalatedAt: at } : {}),
    };
    const events: NewEvent[] = [];
    if (due.remind) {
      events.push({
        projectId,
        stage,
        type: 'gate_reminded',
        actor: 'scheduler',
        at,
        summary:
          undecided.length > 0
            ? `Reminder ${reminders} sent to ${undecided.map((a) => a.name).join(', ')}`
            : `Reminder ${reminders}: nobody left to remind`,
        data: { round: gate.round, to: undecided.map((a) => a.email), reminder: reminders },
      });
    }
    if (escalate && escalateTo) {
      events.push({
        projectId,
        stage,
        type: 'gate_escalated',
        actor: 'scheduler',
        at,
        summary: `Gate of ${stageName} escalated to ${escalateTo} after ${formatWaited(waited)} without a decision (timeoutDays ${timeoutDays})`,
        data: { round: gate.round, to: escalateTo, since, waitedMs: waited, timeoutDays },
      });
    }
    await deps.store.commit([next, ...issued.map((i) => i.link)], events);

    const content = await gateApprovalContent(deps.store, project, gate);
    const approves = approvesInWords(content);
    const out: Notification[] = issued.map(({ id, link }) =>
      approvalRequest({
        ctx,
        to: link.approverEmail,
        approverName: link.approverName,
        stageName,
        approves,
        ...(content.sections?.length ? { sections: content.sections } : {}),
        ...(stageRecord?.due ? { due: stageRecord.due } : {}),
        rule: gate.rule,
        approverCount: gate.approvers.length,
        url: approvalUrl(deps.config.publicBaseUrl, id),
        ...documentLinkOf(approvalUrl(deps.config.publicBaseUrl, id), content.document),
        expiresAt: link.expiresAt,
        reminder: reminders,
        waitingSince: since,
      }),
    );
    if (escalate && escalateTo) {
      out.push(
        escalation({
          ctx,
          to: [escalateTo],
          stageName,
          approves,
          since,
          waited: formatWaited(waited),
          undecided: undecided.map((a) => ({ name: a.name, email: a.email })),
        }),
      );
    }
    return out;
  };

  let notifications = await withConflictRetry(remindStep);
  if (notifications === 'renew') {
    renewTried = true;
    try {
      await renewGateApprovals(deps, projectId, 'scheduler');
    } catch (err) {
      deps.log.error('could not ask the gate again after a change request', {
        projectId,
        stage,
        error: err instanceof Error ? err.name : 'unknown',
      });
    }
    notifications = await withConflictRetry(remindStep);
  }
  await notify(deps, projectId, stage, notifications === 'renew' ? [] : notifications);
  const continueAsNew = await claimContinuationIfDue(deps, projectId, stage, input.executionStartedAt);
  return { continueAsNew };
}
