/**
 * The scheduled status report of one project (Documentation & Reporting).
 *
 * Input: projectId. Output: `sent` with the document id and recipient count, or `skipped` with why.
 * Steps:
 * 1. A closed project is skipped (it had its close-out report).
 * 2. The spec's cadence decides whether today is a report day (statusReportDue: `week` always;
 *    `fortnight` every other ISO week counted from the week of timeline.start; `month` only in the
 *    first seven days of the month). Dates are in the customer's time zone.
 * 3. The report is built from the latest records (health, stages, tasks, risks, pending approvals,
 *    next milestones); the copy everyone gets is stored as a PDF (`status-<date>`, version 1).
 * 4. Its DocumentRecord (`status-<date>`) and a `status_report_sent` event are committed together;
 *    the record is new (version 0), so a second run on the same day (a retry) stops here.
 * 5. One email per stakeholder and team member; a failed send is recorded as `email_failed`.
 *    An approver whose decision is pending gets their own copy, which opens with "Waiting for
 *    your decision since ..." for each of theirs, each with a fresh personal link of the gate's
 *    current round (stored hashed with the report in step 4, as a reminder's link is); the
 *    stored document is the copy everyone else gets, without any link.
 * The MSP's staff (team members who are not also stakeholders) get a copy with the budget burn
 * (money and hours against the budget, EAC, VAC); customer stakeholders never see it.
 * The report shows the waiting-on-client clock: the project's total wait on decisions and the
 * forecast end it moves (health), and since when each pending approval waits.
 */
import { approvalUrl, newApprovalLink } from '../approval-links.js';
import { budgetBurn, LEDGER_ID } from '../budget.js';
import { contentSha256 } from '../documents/model.js';
import { statusDocument } from '../documents/status.js';
import { ConflictError } from '../errors.js';
import { requireProject } from '../events.js';
import { computeHealth } from '../health.js';
import {
  type ApprovalLink,
  type DocumentRecord,
  type Gate,
  isTaskClosed,
  type Project,
  type Stage,
  type Task,
} from '../model.js';
import { baselineSection } from '../notifications/baseline-section.js';
import { budgetBurnSection } from '../notifications/budget.js';
import type { Notification } from '../notifications/notification.js';
import { notify } from '../notifications/notify.js';
import { loadPeople, notificationContext, uniqueEmails } from '../notifications/people.js';
import {
  type StatusReportInput,
  statusReportContent,
  type YourDecision,
} from '../notifications/status-report.js';
import type { Deps } from '../ports.js';
import { statusReportDue } from '../schedules.js';
import type { GateRule } from '../spec/lifecycle.js';
import { localDate } from '../time.js';
import { documentKey, storeVersion } from './publish-document.js';

export type StatusReportResult =
  | { status: 'sent'; documentId: string; key: string; recipients: number; failed: number }
  | { status: 'skipped'; reason: 'closed' | 'not_due' | 'already_sent' };

/** How many milestones the report lists. */
const MILESTONES = 5;

/** Where a status report is kept in the document store. */
export function statusReportKey(projectId: string, date: string): string {
  return documentKey(projectId, `status-${date}`, 1);
}

function ruleText(rule: GateRule, count: number): string {
  if (rule === 'all') return `all of ${count}`;
  if (rule === 'any') return `any 1 of ${count}`;
  if (rule === 'auto') return 'automatic';
  return `${rule.quorum} of ${count}`;
}

function milestones(project: Project, stages: Stage[], tasks: Task[], today: string) {
  const stageName = (key: string) => project.stages.find((s) => s.key === key)?.name ?? key;
  const list = [
    ...stages
      .filter((s) => s.status !== 'completed' && s.due && s.due >= today)
      .map((s) => ({ name: `Stage ${s.name} complete`, due: s.due as string })),
    ...tasks
      .filter((t) => !isTaskClosed(t) && t.due && t.due >= today)
      .map((t) => ({
        name: `${t.type === 'deliverable' ? 'Deliverable' : 'Task'} ${t.name} (${stageName(t.stage)})`,
        due: t.due as string,
      })),
  ];
  return list.sort((a, b) => a.due.localeCompare(b.due)).slice(0, MILESTONES);
}

function pendingApprovals(project: Project, gates: Gate[]) {
  return gates
    .filter((g) => g.status === 'pending_approval')
    .map((g) => ({
      stageName: project.stages.find((s) => s.key === g.stage)?.name ?? g.stage,
      ...(g.requestedAt ? { requestedAt: g.requestedAt } : {}),
      waitingFor: g.approvers.filter((a) => !a.decision).map((a) => a.name || a.email),
      rule: ruleText(g.rule, g.approvers.length),
    }));
}

export async function sendStatusReport(deps: Deps, projectId: string): Promise<StatusReportResult> {
  const project = await requireProject(deps, projectId);
  if (project.status !== 'active') return { status: 'skipped', reason: 'closed' };
  const now = deps.clock.now();
  const today = localDate(now, project.timezone);
  const cadence = project.spec.communication.statusReport.every;
  if (!statusReportDue(cadence, today, project.spec.timeline.start))
    return { status: 'skipped', reason: 'not_due' };
  const documentId = `status-${today}`;
  if (await deps.store.get(projectId, 'document', documentId))
    return { status: 'skipped', reason: 'already_sent' };

  const [stages, tasks, risks, gates, people, ledger, resources, changeRequests] = await Promise.all([
    deps.store.list(projectId, 'stage'),
    deps.store.list(projectId, 'task'),
    deps.store.list(projectId, 'risk'),
    deps.store.list(projectId, 'gate'),
    loadPeople(deps, project),
    deps.store.get(projectId, 'ledger', LEDGER_ID),
    deps.store.list(projectId, 'resource'),
    deps.store.list(projectId, 'change_request'),
  ]);
  const ordered = [...stages].sort((a, b) => a.order - b.order);
  const health = computeHealth({ project, stages, tasks, risks, gates, now });
  const stageName = (key: string) => project.stages.find((s) => s.key === key)?.name ?? key;
  const ctx = notificationContext(project, deps.config);
  const input: StatusReportInput = {
    ctx,
    date: today,
    health,
    currentStage: stageName(project.currentStage),
    stages: ordered.map((s) => ({
      name: s.name,
      status: s.status,
      ...(s.due ? { due: s.due } : {}),
      ...(s.completedAt ? { completedAt: s.completedAt } : {}),
    })),
    doneTasks: tasks
      .filter((t) => isTaskClosed(t))
      .map((t) => ({ name: t.name, stageName: stageName(t.stage) })),
    openTasks: tasks
      .filter((t) => !isTaskClosed(t))
      .sort((a, b) => (a.due ?? '9999').localeCompare(b.due ?? '9999'))
      .map((t) => ({
        name: t.name,
        stageName: stageName(t.stage),
        status: t.status,
        ...(t.due ? { due: t.due } : {}),
        ...(t.assignee ? { assignee: t.assignee } : {}),
      })),
    risks: risks
      .filter((r) => r.status === 'open')
      .map((r) => ({
        title: r.title,
        score: r.likelihood * r.impact,
        ...(r.owner ? { owner: r.owner } : {}),
        ...(r.mitigation ? { mitigation: r.mitigation } : {}),
      }))
      .sort((a, b) => b.score - a.score),
    pendingApprovals: pendingApprovals(project, gates),
    milestones: milestones(project, ordered, tasks, today),
    budget: {
      hours: project.spec.budget.hours,
      currency: project.spec.budget.currency,
      amount: project.spec.budget.amount,
    },
    plannedEnd: project.spec.timeline.end,
    baseline: baselineSection(project, changeRequests),
  };
  const report = statusReportContent(input);

  // Each approver's own pending decisions, each with a fresh link of the same round (as a
  // reminder mints one: link ids are stored hashed, so an earlier one cannot be sent again).
  // Only undecided approvers of a gate that waits for approval get one; nobody else's link is
  // in anyone's copy, and the stored document (everyone else's copy) has none.
  const recipients = uniqueEmails([...people.stakeholders, ...people.team]);
  const receives = new Set(recipients.map((email) => email.toLowerCase()));
  const yours = new Map<string, YourDecision[]>();
  const links: ApprovalLink[] = [];
  for (const g of gates) {
    if (g.status !== 'pending_approval' || !g.requestedAt) continue;
    for (const a of g.approvers.filter((x) => !x.decision)) {
      const who = a.email.toLowerCase();
      if (!receives.has(who)) continue;
      const { id, link } = newApprovalLink({
        projectId,
        stage: g.stage,
        round: g.round,
        approverEmail: a.email,
        approverName: a.name,
        now,
        linkTtlDays: deps.config.linkTtlDays,
      });
      links.push(link);
      yours.set(who, [
        ...(yours.get(who) ?? []),
        {
          stageName: stageName(g.stage),
          since: g.requestedAt,
          url: approvalUrl(deps.config.publicBaseUrl, id),
          expiresAt: link.expiresAt,
        },
      ]);
    }
  }

  const key = statusReportKey(projectId, today);
  // The stored document is the copy everyone gets, as a PDF.
  const draft = statusDocument(report, {
    projectName: project.name,
    customerName: project.customerName,
    mspName: ctx.mspName,
    date: today,
  });
  const at = now.toISOString();
  const version = await storeVersion(deps, key, draft, 1, at);
  const record: DocumentRecord = {
    entity: 'document',
    projectId,
    id: documentId,
    kind: 'status',
    title: report.title,
    ...version,
    contentSha256: contentSha256(draft),
    versions: [version],
    version: 0,
  };
  try {
    // The report and the links of its approvers' copies are stored together, or neither.
    await deps.store.commit(
      [record, ...links],
      [
        {
          projectId,
          type: 'status_report_sent',
          actor: 'scheduler',
          at,
          summary: `${report.title} (${health.rag}) sent to ${recipients.length} recipient(s)`,
          data: {
            document: documentId,
            rag: health.rag,
            spi: health.spi,
            cpi: health.cpi,
            recipients,
            // Who got a copy with their own approval link(s) (never the links themselves).
            approverCopies: [...yours.keys()],
          },
        },
      ],
    );
  } catch (error) {
    // Another run stored today's report first: it sends the emails.
    if (error instanceof ConflictError) return { status: 'skipped', reason: 'already_sent' };
    throw error;
  }

  // Staff: team members who are not also stakeholders (a person in both gets the customer's copy).
  const customers = new Set(people.stakeholders.map((p) => p.email.toLowerCase()));
  const staff = new Set(
    uniqueEmails(people.team).filter((email) => !customers.has(email) && !yours.has(email)),
  );
  // Each approver with a pending decision gets a copy that says which of theirs wait, since
  // when, with their own link to each.
  const everyone = recipients.filter((email) => !yours.has(email.toLowerCase()) && !staff.has(email));
  const burn = budgetBurn({ spec: project.spec, ...(ledger ? { ledger } : {}), resources, tasks });
  const staffReport = statusReportContent({ ...input, staffBudget: budgetBurnSection(burn) });
  const copies: Notification[] = [
    { kind: 'status-report', to: everyone.map((email) => ({ email })), context: ctx, content: report },
    { kind: 'status-report', to: [...staff].map((email) => ({ email })), context: ctx, content: staffReport },
    ...recipients
      .filter((email) => yours.has(email.toLowerCase()))
      .map(
        (email): Notification => ({
          kind: 'status-report',
          to: [{ email }],
          context: ctx,
          content: statusReportContent({
            ...input,
            yourDecisions: yours.get(email.toLowerCase()) ?? [],
            now,
          }),
        }),
      ),
  ];
  const { sent, failed } = await notify(deps, projectId, undefined, copies);
  deps.log.info('status report sent', { projectId, document: documentId, rag: health.rag, sent, failed });
  return { status: 'sent', documentId, key, recipients: sent, failed };
}
