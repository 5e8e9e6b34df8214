/**
 * The close-out report document (Project Completion & Support): the acceptance of each
 * deliverable (accepted or not, when and by whom, with its evidence), budget against actual
 * (hours: budgeted, estimated, actual; money: budget against billable value, never an internal
 * rate or cost), the lessons learned the PM recorded, the support hand-off (who supports, how to
 * reach them, when hypercare ends), open items (open tasks, open risks, deviations without a
 * corrective action), and the stages with their approvals.
 *
 * Produced when the support gate opens (its approvers approve it) and again at close; it goes to
 * customer stakeholders, so it shows only customer-facing money.
 */
import type { Gate, Lesson, Project, Risk, Stage, Task } from '../model.js';
import { isTaskClosed } from '../model.js';
import { formatDay, formatTime } from '../notifications/format.js';
import { money } from '../stages/stage-type.js';
import type { DocumentDraft } from './model.js';

/** The id of the close-out report's DocumentRecord within its project. */
export const CLOSEOUT_DOCUMENT_ID = 'closeout';

/** What the close-out report is built from. */
export interface CloseoutDocumentInput {
  project: Project;
  stages: Stage[];
  gates: Gate[];
  tasks: Task[];
  risks: Risk[];
  lessons: Lesson[];
  /** When the project closed; absent for the version the support gate's approvers see. */
  closedAt?: string;
  /**
   * The billable value of the work (customer-facing money), once time entries are priced by the
   * rate card; absent until then (the report says it is not recorded).
   */
  billableValue?: number;
}

/** Budget against actual: hours and customer-facing money. */
export interface CloseoutBudget {
  currency: string;
  budgetAmount: number;
  /** Billable value of the work done, when known. */
  billableValue?: number;
  /** billableValue - budgetAmount, when the billable value is known. */
  moneyVariance?: number;
  budgetHours: number;
  estimatedHours: number;
  actualHours: number;
  /** actualHours - budgetHours. */
  hoursVariance: number;
  tasksDone: number;
  tasksTotal: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Budget against actual for the close-out report. Hours come from the tasks (estimates and actual
 * hours); money is the budget against the billable value the caller passes (the rate card's
 * figures); internal rates and costs never enter it.
 */
export function closeoutBudget(input: {
  project: Pick<Project, 'spec'>;
  tasks: Task[];
  billableValue?: number;
}): CloseoutBudget {
  const { budget } = input.project.spec;
  const sum = (f: (t: Task) => number) => round2(input.tasks.reduce((a, t) => a + (f(t) || 0), 0));
  const actualHours = sum((t) => t.actualHours);
  return {
    currency: budget.currency,
    budgetAmount: budget.amount,
    ...(input.billableValue !== undefined
      ? { billableValue: input.billableValue, moneyVariance: round2(input.billableValue - budget.amount) }
      : {}),
    budgetHours: budget.hours,
    estimatedHours: sum((t) => t.estimateHours),
    actualHours,
    hoursVariance: round2(actualHours - budget.hours),
    tasksDone: input.tasks.filter((t) => t.status === 'done').length,
    tasksTotal: input.tasks.length,
  };
}

const signed = (n: number) => `${n > 0 ? '+' : ''}${n}`;

/** How a deliverable was accepted: by its stage's gate decision (who approved, when) or not yet. */
function acceptance(task: Task, gate: Gate | undefined, timezone: string): [string, string, string] {
  if (task.status === 'waived') return ['waived', '-', task.waiverReason ?? '-'];
  if (gate?.status !== 'approved') {
    return [task.status === 'done' ? 'done, not yet accepted' : 'not accepted', '-', '-'];
  }
  const when = formatTime(gate.decidedAt, timezone) ?? '-';
  if (gate.rule === 'auto') return ['accepted', when, 'automatically (its criteria held)'];
  const by = gate.approvers.filter((a) => a.decision === 'approve').map((a) => a.name);
  return ['accepted', when, by.join(', ') || '-'];
}

/** The open deviations that have no corrective action recorded. */
function uncorrectedDeviations(project: Project): string[] {
  const m = project.monitoring;
  if (!m) return [];
  return m.openDeviations.filter((key) => !m.correctiveActions?.[key]);
}

/** The close-out report of `input.project` as a document model. */
export function closeoutDocument(input: CloseoutDocumentInput): DocumentDraft {
  const { project } = input;
  const tz = project.timezone;
  const currency = project.spec.budget.currency;
  const stages = [...input.stages].sort((a, b) => a.order - b.order);
  const stageName = (key: string) => stages.find((s) => s.key === key)?.name ?? key;
  const gateOf = new Map(input.gates.map((g) => [g.stage, g]));
  const byId = <T extends { id: string }>(items: T[]) => [...items].sort((a, b) => a.id.localeCompare(b.id));
  const b = closeoutBudget(input);
  const deliverables = byId(input.tasks.filter((t) => t.type === 'deliverable'));
  const openTasks = byId(input.tasks.filter((t) => !isTaskClosed(t)));
  const openRisks = byId(input.risks.filter((r) => r.status === 'open'));
  const deviations = uncorrectedDeviations(project).sort();
  const lessons = byId(input.lessons);
  const support = project.spec.support;
  const supportStage = stages.find((s) => s.supportUntil);

  const approvalRows = stages.flatMap((st) => {
    const g = gateOf.get(st.key);
    if (!g) return [];
    if (g.rule === 'auto') {
      return [[st.name, 'automatic (criteria held)', g.status, formatTime(g.decidedAt, tz) ?? '-', '']];
    }
    return g.approvers.map((a) => [
      `${st.name}${g.documentVersion ? ` (document v${g.documentVersion})` : ''}`,
      a.name,
      a.decision ?? 'not decided',
      formatTime(a.decidedAt, tz) ?? '-',
      a.comment ?? '',
    ]);
  });

  return {
    title: 'Close-out report',
    projectName: project.name,
    author: project.mspName,
    meta: [
      `Customer: ${project.customerName}`,
      `Prepared by ${project.mspName}`,
      `Timeline: ${project.spec.timeline.start} to ${project.spec.timeline.end} (${tz})`,
      input.closedAt
        ? `Closed on ${formatTime(input.closedAt, tz)}`
        : 'Prepared for the approval of the project completion (not closed yet)',
    ],
    sections: [
      {
        heading: 'Deliverables and their acceptance',
        blocks: [
          {
            type: 'table',
            columns: ['Deliverable', 'Stage', 'Acceptance criteria', 'Evidence', 'Accepted', 'When', 'By'],
            rows: deliverables.map((d) => [
              d.name,
              stageName(d.stage),
              d.acceptance ?? '-',
              d.evidence?.trim() || '-',
              ...acceptance(d, gateOf.get(d.stage), tz),
            ]),
            empty: 'No deliverables are recorded.',
          },
        ],
      },
      {
        heading: 'Budget against actual',
        blocks: [
          {
            type: 'keyValue',
            rows: [
              ['Budget (hours)', String(b.budgetHours)],
              ['Estimated (hours)', String(b.estimatedHours)],
              ['Actual (hours)', String(b.actualHours)],
              ['Variance (hours)', signed(b.hoursVariance)],
              ['Budget', money(b.budgetAmount, currency)],
              [
                'Billable value',
                b.billableValue !== undefined
                  ? money(b.billableValue, currency)
                  : 'not recorded (no priced time entries)',
              ],
              ...(b.moneyVariance !== undefined
                ? [
                    ['Variance', `${b.moneyVariance > 0 ? '+' : ''}${money(b.moneyVariance, currency)}`] as [
                      string,
                      string,
                    ],
                  ]
                : []),
              ['Tasks done', `${b.tasksDone} of ${b.tasksTotal}`],
            ],
          },
        ],
      },
      {
        heading: 'Lessons learned',
        blocks: [
          {
            type: 'table',
            columns: ['Lesson', 'What happened', 'Repeat or change', 'Recommendation'],
            rows: lessons.map((l) => [
              l.stage ? `${l.title} (${stageName(l.stage)})` : l.title,
              l.whatHappened,
              l.kind === 'repeat' ? 'repeat' : 'change',
              l.recommendation,
            ]),
            empty: 'No lessons learned are recorded.',
          },
        ],
      },
      {
        heading: 'Support hand-off',
        blocks: [
          {
            type: 'keyValue',
            rows: [
              ['Hypercare', `${support.days} days after go-live`],
              [
                'Hypercare ends',
                supportStage?.supportUntil
                  ? (formatTime(supportStage.supportUntil, tz) ?? supportStage.supportUntil)
                  : 'not started',
              ],
              ['Supported by', support.by ?? project.mspName],
              ['How to reach them', support.contact ?? 'through the project team'],
            ],
          },
        ],
      },
      {
        heading: 'Open items',
        blocks: [
          { type: 'subheading', text: 'Open tasks' },
          {
            type: 'table',
            columns: ['Task', 'Stage', 'Status', 'Assignee', 'Due'],
            rows: openTasks.map((t) => [
              t.name,
              stageName(t.stage),
              t.status,
              t.assignee ?? '-',
              formatDay(t.due) ?? '-',
            ]),
            empty: 'None.',
          },
          { type: 'subheading', text: 'Open risks' },
          {
            type: 'table',
            columns: ['Risk', 'Score', 'Owner', 'Mitigation'],
            rows: openRisks.map((r) => [
              r.title,
              String(r.likelihood * r.impact),
              r.owner ?? '-',
              r.mitigation ?? '-',
            ]),
            empty: 'None.',
          },
          { type: 'subheading', text: 'Deviations without a corrective action' },
          { type: 'list', items: deviations, empty: 'None.' },
        ],
      },
      {
        heading: 'Stages',
        blocks: [
          {
            type: 'table',
            columns: ['Stage', 'Due', 'Started', 'Completed', 'Rework'],
            rows: stages.map((st) => [
              st.name,
              formatDay(st.due) ?? '-',
              formatDay(st.startedAt) ?? '-',
              formatDay(st.completedAt) ?? '-',
              String(st.reworkCount),
            ]),
          },
        ],
      },
      {
        heading: 'Approvals',
        blocks: [
          {
            type: 'table',
            columns: ['Stage', 'Approver', 'Decision', 'When', 'Comment'],
            rows: approvalRows,
            empty: 'No approvals.',
          },
        ],
      },
    ],
  };
}
