/**
 * Request and response schemas of the HTTP application. The routes (routes.ts) declare them, the
 * app validates with them and the OpenAPI document is generated from the same objects, so the
 * three cannot drift apart.
 */
import * as z from 'zod';
import { notClearable, type RecordFields } from '../core/use-cases/staff-upsert.js';
import { DEPLOYMENT_FIELDS } from '../core/use-cases/staff-upsert-deployment.js';
import { LESSON_FIELDS } from '../core/use-cases/staff-upsert-lesson.js';
import { MEMBER_FIELDS } from '../core/use-cases/staff-upsert-member.js';
import { RESOURCE_FIELDS } from '../core/use-cases/staff-upsert-resource.js';
import { RISK_FIELDS } from '../core/use-cases/staff-upsert-risk.js';
import { TASK_FIELDS } from '../core/use-cases/staff-upsert-task.js';
import { TEST_CASE_FIELDS } from '../core/use-cases/staff-upsert-test-case.js';
import { TRAINING_SESSION_FIELDS } from '../core/use-cases/staff-upsert-training-session.js';

/** A schema that appears as a named component (`#/components/schemas/<id>`) of the OpenAPI document. */
function named<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  return schema.meta({ id, ...(description ? { description } : {}) }) as T;
}

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
const isoDate = z.iso.date('must be a date YYYY-MM-DD');
const version = z
  .int('must be an integer')
  .min(0, 'must not be negative')
  .optional()
  .describe('The version you read; omit (or 0) to create.');

const clearDescription =
  'Optional fields to empty (an update only; a field may not be both sent and cleared). Required fields cannot be cleared.';

/** Why an item of `clear` is refused: a required field, or a name that is not a field. */
function clearItemError(fields: RecordFields) {
  return (issue: { input?: unknown }): string =>
    typeof issue.input === 'string' && fields.required.includes(issue.input)
      ? notClearable(fields, issue.input)
      : fields.optional.length
        ? `must be one of: ${fields.optional.join(', ')}`
        : 'this record has no optional field to clear';
}

/** `clear`: the kind's optional field names (an enum, so the OpenAPI document lists them). */
function clearList<const T extends readonly [string, ...string[]]>(fields: {
  optional: T;
  required: readonly string[];
  lists?: readonly string[];
}) {
  return z
    .array(z.enum(fields.optional, { error: clearItemError(fields) }))
    .max(20, 'at most 20 fields')
    .optional()
    .describe(clearDescription);
}

/** `clear` of a kind without optional fields: accepted only empty, so a name gets a message saying why. */
function noClearList(fields: RecordFields) {
  return z
    .array(z.string().refine(() => false, { error: clearItemError(fields) }))
    .optional()
    .describe('This record has no optional field: nothing can be cleared (an empty list is accepted).');
}

/** Ids of tasks, risks and resources within a project. */
export const recordIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, dots, dashes or underscores');
export const projectIdSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, 'must be a project id');
export const stageKeySchema = projectIdSchema;
export const memberEmailSchema = z.email('invalid email');

export const taskInputSchema = named(
  'TaskInput',
  z.strictObject({
    version,
    clear: clearList(TASK_FIELDS),
    type: z.enum(['task', 'deliverable']).optional(),
    name: text(200).optional().describe('Required to create.'),
    stage: stageKeySchema.optional().describe('Stage key; default: the current stage.'),
    status: z
      .enum(['todo', 'in_progress', 'done', 'waived'])
      .optional()
      .describe('`waived` needs a waiverReason (e.g. a test case the customer waived).'),
    estimateHours: z.number().min(0, 'must not be negative').max(100_000).optional(),
    actualHours: z.number().min(0, 'must not be negative').max(100_000).optional(),
    assignee: text(200).optional(),
    acceptance: text(1000).optional(),
    due: isoDate.optional(),
    waiverReason: text(1000).optional().describe('Why the task is waived; required with status waived.'),
    evidence: text(2000)
      .optional()
      .describe('What shows the work is done (a note or a link); the stage’s approver sees it.'),
  }),
  'Create (fields marked required) or update (only the fields sent) a task or deliverable.',
);

export const riskInputSchema = named(
  'RiskInput',
  z.strictObject({
    version,
    clear: clearList(RISK_FIELDS),
    title: text(200).optional().describe('Required to create.'),
    likelihood: z
      .int()
      .min(1, 'must be 1-5')
      .max(5, 'must be 1-5')
      .optional()
      .describe('Required to create.'),
    impact: z.int().min(1, 'must be 1-5').max(5, 'must be 1-5').optional().describe('Required to create.'),
    owner: text(200).optional(),
    mitigation: text(2000).optional(),
    status: z.enum(['open', 'mitigated', 'closed']).optional(),
    reviewBy: isoDate.optional(),
  }),
  'Create or update a risk (score = likelihood x impact).',
);

export const memberInputSchema = named(
  'TeamMemberInput',
  z.strictObject({
    version,
    clear: noClearList(MEMBER_FIELDS),
    name: text(200).optional().describe('Required to create.'),
    role: text(200).optional().describe('Required to create.'),
    skills: z.array(text(100)).max(50).optional(),
    allocation: z
      .number()
      .min(1, 'must be 1-100 (percent)')
      .max(100, 'must be 1-100 (percent)')
      .optional()
      .describe('Percent of time on the project. Required to create.'),
  }),
  'Create or update a team member (keyed by email).',
);

export const resourceInputSchema = named(
  'ResourceInput',
  z.strictObject({
    version,
    clear: noClearList(RESOURCE_FIELDS),
    kind: z.enum(['software', 'hardware', 'tool', 'service']).optional().describe('Required to create.'),
    name: text(200).optional().describe('Required to create.'),
    quantity: z.int().positive('must be more than 0').optional(),
    cost: z.number().min(0, 'must not be negative').optional(),
  }),
  'Create or update a software, hardware, tool or service resource.',
);

const lines = (max: number, what: string) => z.array(text(max)).max(100, 'at most 100 items').describe(what);
const isoDateTime = z.iso.datetime({
  offset: true,
  error: 'must be a date and time, e.g. 2026-12-05T18:00:00Z',
});

export const testCaseInputSchema = named(
  'TestCaseInput',
  z.strictObject({
    version,
    clear: clearList(TEST_CASE_FIELDS),
    name: text(200).optional().describe('Required to create.'),
    category: z
      .enum(['functional', 'integration', 'security', 'performance', 'user_acceptance'])
      .optional()
      .describe('Required to create.'),
    steps: lines(1000, 'What the tester does, in order.').optional(),
    expectedResult: text(2000).optional().describe('Required to create.'),
    result: z
      .enum(['not_run', 'passed', 'failed', 'waived'])
      .optional()
      .describe('Default `not_run`. `waived` needs a waiverReason. A failed test case blocks the QA gate.'),
    waiverReason: text(1000).optional().describe('Why the test is waived; only with result waived.'),
    evidence: text(2000).optional().describe('A note or a link that shows the result.'),
    tester: text(200).optional(),
  }),
  'Create (fields marked required) or update (only the fields sent) a test case of the QA stage.',
);

export const deploymentInputSchema = named(
  'DeploymentInput',
  z.strictObject({
    version,
    clear: clearList(DEPLOYMENT_FIELDS),
    name: text(200).optional().describe('Required to create.'),
    windowStart: isoDateTime.optional().describe('Start of the change window.'),
    windowEnd: isoDateTime.optional().describe('End of the change window (after its start).'),
    steps: lines(1000, 'The deployment steps, in order.').optional(),
    rollbackPlan: text(4000).optional().describe('How the change is undone if it fails.'),
    result: z
      .enum(['succeeded', 'failed', 'rolled_back'])
      .optional()
      .describe('How it went; absent while planned.'),
    resultNotes: text(2000).optional(),
    deployedBy: text(200).optional(),
  }),
  'Create or update a deployment record. The deployment gate needs one that succeeded and has a rollback plan.',
);

export const trainingSessionInputSchema = named(
  'TrainingSessionInput',
  z.strictObject({
    version,
    clear: clearList(TRAINING_SESSION_FIELDS),
    title: text(200).optional().describe('Required to create.'),
    date: isoDate.optional().describe('Required to create.'),
    audience: text(500).optional().describe('Who it is for. Required to create.'),
    attendees: lines(200, 'Who attended (names or emails).').optional(),
    materials: lines(1000, 'Handouts, recordings, links.').optional(),
    trainer: text(200).optional(),
  }),
  'Create or update a training session of the deployment stage.',
);

export const timeEntryInputSchema = named(
  'TimeEntryInput',
  z.strictObject({
    person: z.email('must be the email of a team member').describe('The team member who did the work.'),
    date: isoDate.describe('The day worked (YYYY-MM-DD), not after today in the project’s time zone.'),
    hours: z
      .number('must be a number of hours')
      .gt(0, 'must be more than 0')
      .max(24, 'must be at most 24')
      .describe('Hours worked that day: more than 0, at most 24.'),
    task: recordIdSchema
      .optional()
      .describe('The task or deliverable (must exist); its actual hours grow by these.'),
    note: text(1000).optional(),
  }),
  'Time a team member spent on the project. Priced by the rate card of the member’s role.',
);

export const expenseInputSchema = named(
  'ExpenseInput',
  z.strictObject({
    date: isoDate.describe('The day of the expense, not after today.'),
    description: text(500),
    amount: z
      .number('must be an amount')
      .gt(0, 'must be more than 0')
      .max(100_000_000, 'too large')
      .describe('In the budget currency.'),
    billable: z.boolean().optional().describe('Passed on to the customer at cost (default true).'),
  }),
  'An expense: a cost that is neither time nor a listed resource.',
);

const budgetBurnSchema = named(
  'BudgetBurn',
  z.object({
    currency: z.string(),
    budget: z.number().describe('The budget amount of the effective spec (BAC).'),
    budgetHours: z.number(),
    hours: z.number().describe('Hours recorded as time entries.'),
    timeCost: z.number().describe('Hours x the cost rate of each person’s role.'),
    resources: z.number(),
    expenses: z.number(),
    actualCost: z.number().describe('timeCost + resources + expenses.'),
    billable: z.number().describe('Hours x billing rates + resources + billable expenses.'),
    burnPercent: z.number().describe('actualCost / budget, in percent.'),
    hoursBurnPercent: z.number().describe('hours / budgetHours, in percent.'),
    percentComplete: z.number().describe('Share (0-1) of the estimated task hours that is done.'),
    earnedValue: z.number().describe('budget x percentComplete.'),
    cpi: z.number().describe('earnedValue / actualCost (1 when nothing is spent).'),
    eac: z.number().describe('Estimate at completion: BAC / CPI (see eacMethod).'),
    vac: z.number().describe('Variance at completion: budget - eac (negative: over).'),
    eacMethod: z.string(),
    thresholds: z.array(z.number()).describe('The budget thresholds watched (percent).'),
    crossed: z.array(z.number()).describe('The thresholds the burn is at or past.'),
    overBudget: z
      .boolean()
      .describe('Actual cost over the budget: the next gate waits for a change request.'),
  }),
  'Money and hours against the budget (internal: staff only).',
);

export const timeEntryResultSchema = named(
  'TimeEntryResult',
  z.looseObject({
    id: z.string(),
    person: z.string(),
    date: z.string(),
    hours: z.number(),
    task: z.string().optional(),
    note: z.string().optional(),
    version: z.int(),
    burn: budgetBurnSchema,
  }),
  'The stored time entry (with its rates and cost) and the budget burn after it.',
);

export const expenseResultSchema = named(
  'ExpenseResult',
  z.looseObject({
    id: z.string(),
    date: z.string(),
    amount: z.number(),
    version: z.int(),
    burn: budgetBurnSchema,
  }),
  'The stored expense and the budget burn after it.',
);

export const timeEntryListSchema = named(
  'TimeEntryList',
  z.object({
    entries: z.array(
      z.looseObject({
        id: z.string(),
        person: z.string(),
        date: z.string(),
        hours: z.number(),
        cost: z.number(),
      }),
    ),
    expenses: z.array(z.looseObject({ id: z.string(), date: z.string(), amount: z.number() })),
    burn: budgetBurnSchema,
  }),
  'The time entries (oldest day first), the expenses and the budget burn.',
);

export const lessonInputSchema = named(
  'LessonInput',
  z.strictObject({
    version,
    clear: clearList(LESSON_FIELDS),
    title: text(200).optional().describe('Required to create.'),
    whatHappened: text(4000).optional().describe('What happened. Required to create.'),
    kind: z
      .enum(['repeat', 'change'])
      .optional()
      .describe('`repeat`: it went well, do it again; `change`: do it differently. Required to create.'),
    recommendation: text(4000).optional().describe('What to repeat or what to change. Required to create.'),
    stage: stageKeySchema.optional().describe('The stage it is about, when it is about one.'),
  }),
  'Create or update a lesson learned; the close-out report lists them.',
);

/** `?version=N` of a document download. */
export const documentQuerySchema = z.strictObject({
  version: z.coerce
    .number('must be a number')
    .int('must be an integer')
    .min(1, 'must be 1 or more')
    .optional()
    .describe('An older version (default: the latest).'),
});

/**
 * `?version=N` of a removal (DELETE of a record): the version read, required. A query parameter
 * rather than an If-Match header: the API's reads give versions in the body (no ETags), the upserts
 * take it as a field, and a query parameter is validated and documented like every other field.
 */
export const removeQuerySchema = z.strictObject({
  version: z.coerce
    .number('must be the version you read (a number)')
    .int('must be an integer')
    .min(1, 'must be 1 or more')
    .describe('The version you read: the record is removed only while it is still this version.'),
});

/** The record a removal deleted, as it was stored. */
export const removedRecordSchema = named(
  'RemovedRecord',
  z.looseObject({ version: z.int().describe('The version it had when it was removed.') }),
  'The record as it was when it was removed (the `<kind>_removed` event keeps it too).',
);

export const eventsQuerySchema = z.strictObject({
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1, 'must be 1-100').max(100, 'must be 1-100').default(50),
  order: z.enum(['asc', 'desc']).default('asc'),
});

export const capacityQuerySchema = z.strictObject({
  from: isoDate.optional().meta({ description: 'Any day of the first week (default: this week)' }),
  weeks: z.coerce
    .number()
    .int('must be an integer')
    .min(1, 'must be 1-52')
    .max(52, 'must be 1-52')
    .optional()
    .meta({ description: 'How many weeks (default 8)' }),
});

// Responses (documentation; the handlers build these shapes).

const documentVersionSchema = z.object({
  version: z.int(),
  sha256: z.string().describe('SHA-256 (hex) of the bytes of this version'),
  size: z.int().describe('Bytes'),
  contentType: z.string(),
  createdAt: z.string(),
  storageVersion: z
    .string()
    .optional()
    .describe(
      'The storage version holding exactly these bytes (the S3 object version id): what a download of this version reads. Absent for versions written before versions were kept',
    ),
});

export const documentListSchema = named(
  'DocumentList',
  z.array(
    z.object({
      id: z.string().describe('e.g. `charter`, `plan`, `status-2026-12-04`, `closeout`'),
      kind: z.enum(['charter', 'plan', 'status', 'closeout']),
      title: z.string(),
      version: z.int().describe('The latest version'),
      sha256: z.string().describe('SHA-256 (hex) of the latest version'),
      size: z.int(),
      contentType: z.string(),
      createdAt: z.string(),
      versions: z.array(documentVersionSchema).describe('Every version, oldest first'),
    }),
  ),
  'The documents of a project, newest first.',
);

export const errorSchema = named(
  'Error',
  z.object({
    error: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
  'Every error: a message, and for 400 the fields that are wrong.',
);

const rag = z.enum(['green', 'amber', 'red']);
const status = z.enum(['active', 'closed', 'archived']);

export const projectSummarySchema = named(
  'ProjectSummary',
  z.object({
    id: z.string(),
    name: z.string(),
    customer: z.string(),
    currentStage: z.string(),
    currentStageName: z.string(),
    completedStages: z.int(),
    totalStages: z.int(),
    status,
    rag,
    reasons: z.array(z.string()).describe('Why the project is not green'),
    waitingOnCustomerSince: z
      .string()
      .optional()
      .describe('When the current gate asked the customer’s approvers (while it waits on them)'),
    overdue: z.array(z.string()).describe('Overdue stages and tasks, in words'),
    nextDue: z
      .object({ date: z.string(), what: z.string() })
      .optional()
      .describe('The earliest due date of unfinished work'),
    customerWaitMs: z
      .number()
      .describe('Milliseconds the project has waited on its customer’s decisions, over every gate and round'),
  }),
);

export const projectListSchema = named('ProjectList', z.array(projectSummarySchema));

const approverSchema = z.object({
  email: z.string(),
  name: z.string(),
  decision: z.enum(['approve', 'reject']).optional(),
  comment: z.string().optional(),
  decidedAt: z.string().optional(),
});

const waitSchema = z.object({ totalMs: z.number() });

export const gateSchema = named(
  'Gate',
  z.looseObject({
    stage: z.string(),
    round: z.int(),
    status: z.enum(['waiting', 'pending_approval', 'approved', 'rejected']),
    rule: z.union([z.enum(['all', 'any', 'auto']), z.object({ quorum: z.int() })]),
    approvers: z.array(approverSchema),
    openedAt: z.string(),
    requestedAt: z.string().optional(),
    decidedAt: z.string().optional(),
    documentVersion: z.int().optional(),
    rebaselined: z
      .object({
        reason: z
          .enum(['change_request', 'spec'])
          .optional()
          .describe(
            'What marked the round last: an approved change request, or a deployed spec edit that changed the document under approval (absent: a change request)',
          ),
        changeId: z
          .string()
          .optional()
          .describe(
            'The change request approved last while the round waited (absent when only spec edits marked it)',
          ),
        baseline: z.int().describe('The baseline version in force when the round was marked last'),
        at: z.string(),
        earlier: z
          .array(z.string())
          .optional()
          .describe('Change requests approved before it while the round waited to be asked again'),
        spec: z
          .object({
            fields: z
              .array(z.string())
              .describe(
                'Spec fields the document shows that the deployed edits changed (budget.amount, objectives...)',
              ),
            changes: z
              .array(z.object({ field: z.string(), old: z.unknown(), new: z.unknown() }))
              .describe('The baseline fields among them, first old value and latest new value'),
          })
          .optional()
          .describe('Deployed spec edits that changed the document under approval since the round was asked'),
      })
      .optional()
      .describe(
        'Set while the round is stale: a change request approved during it re-baselined the project, or a deployed spec edit changed the document it approves. The round\u2019s links decide nothing, and its approvers are being asked again on the new document',
      ),
    customerWait: waitSchema
      .extend({ waiting: z.boolean(), since: z.string().optional() })
      .describe('Its waiting-on-client clock: waiting now, since when, and its total over the rounds'),
    version: z.int(),
  }),
  'A stage gate with its approvers and their decisions (never a task token).',
);

export const stageSchema = named(
  'Stage',
  z.looseObject({
    key: z.string(),
    name: z.string(),
    order: z.int(),
    status: z.enum(['pending', 'active', 'awaiting_approval', 'rework', 'completed']),
    due: z.string().optional(),
    startedAt: z.string().optional(),
    completedAt: z.string().optional(),
    submittedAt: z.string().optional(),
    submittedBy: z.string().optional(),
  }),
);

export const projectDetailSchema = named(
  'ProjectDetail',
  z.looseObject({
    id: z.string(),
    name: z.string(),
    customerName: z.string(),
    mspName: z.string(),
    timezone: z.string(),
    currentStage: z.string().describe('Key of the stage in progress (the last stage once closed).'),
    status,
    version: z.int(),
    stages: z.array(stageSchema),
    gates: z.array(gateSchema),
    risks: z.array(z.looseObject({ id: z.string(), version: z.int() })),
    tasks: z.array(z.looseObject({ id: z.string(), version: z.int() })),
    team: z.array(z.looseObject({ email: z.string(), version: z.int() })),
    stakeholders: z.array(z.looseObject({ email: z.string() })),
    resources: z.array(z.looseObject({ id: z.string(), version: z.int() })),
    testCases: z
      .array(z.looseObject({ id: z.string(), version: z.int() }))
      .describe('Test cases of the QA stage.'),
    deployments: z.array(z.looseObject({ id: z.string(), version: z.int() })).describe('Deployment records.'),
    trainingSessions: z
      .array(z.looseObject({ id: z.string(), version: z.int() }))
      .describe('Training sessions.'),
    lessons: z
      .array(z.looseObject({ id: z.string(), version: z.int() }))
      .describe('Lessons learned (the close-out report lists them).'),
    documents: z.array(z.looseObject({ id: z.string() })),
    criteria: z
      .object({ stage: z.string(), met: z.boolean(), unmet: z.array(z.string()) })
      .optional()
      .describe('Exit criteria of the current stage now: what still blocks it (absent once closed).'),
    health: z
      .object({
        rag,
        spi: z.number(),
        cpi: z.number(),
        reasons: z.array(z.string()),
        plannedHours: z.number(),
        earnedHours: z.number(),
        actualHours: z.number(),
        customerWaitMs: z.number(),
        forecastEnd: z.string().describe('The timeline end moved by the customer wait, in whole days'),
      })
      .describe('Health now: RAG, schedule and cost performance indexes, and why it is not green.'),
    deviations: z
      .array(
        z.object({
          key: z.string(),
          summary: z.string(),
          action: z.object({ action: z.string(), by: z.string(), at: z.string() }).optional(),
        }),
      )
      .describe('Deviations found now, each with its corrective action when one is recorded.'),
    customerWait: waitSchema
      .extend({ waitingSince: z.string().optional() })
      .describe('How long the project has waited on its customer in total, and since when it waits now'),
    budget: budgetBurnSchema.describe('Money and hours against the budget, EAC and VAC (internal).'),
  }),
);

export const eventPageSchema = named(
  'EventPage',
  z.object({
    items: z.array(
      z.looseObject({
        id: z.string(),
        at: z.string(),
        type: z.string(),
        stage: z.string().optional(),
        actor: z.string(),
        summary: z.string(),
      }),
    ),
    cursor: z
      .string()
      .optional()
      .describe('Pass back as ?cursor= for the next page; absent on the last page.'),
  }),
);

/** Keys of deviations as the monitoring check records them (e.g. `spi`, `overdue-stage:qa`). */
export const deviationKeySchema = z
  .string()
  .regex(
    /^[a-z][a-z-]{1,30}(?::[A-Za-z0-9._@-]{1,64}){0,2}$/,
    'must be a deviation key such as overdue-stage:qa',
  );

export const correctiveActionInputSchema = named(
  'CorrectiveActionInput',
  z.strictObject({ action: text(2000).describe('What will be done about the deviation.') }),
  'The corrective action for an open deviation.',
);

export const correctiveActionSchema = named(
  'CorrectiveAction',
  z.object({ key: z.string(), action: z.string(), by: z.string(), at: z.string() }),
);

export const submitResultSchema = named(
  'SubmitResult',
  z.object({
    submitted: z.boolean(),
    unmet: z.array(z.string()).describe('Exit criteria that do not hold yet.'),
  }),
);

export const recordSchema = named(
  'Record',
  z.looseObject({ version: z.int().describe('Send this back to update the record.') }),
  'The stored record, with its new version.',
);

export const outboxSchema = named(
  'Outbox',
  z.array(
    z.object({
      messageId: z.string(),
      channel: z
        .enum(['email', 'teams', 'slack'])
        .describe('An email, or a post to a Teams or Slack channel (incoming webhook).'),
      kind: z.string().optional().describe('Chat posts: the notification kind, e.g. health-changed.'),
      payload: z.unknown().optional().describe('Chat posts: the JSON body as posted to the webhook.'),
      from: z.string(),
      to: z.array(z.string()),
      subject: z.string(),
      text: z.string(),
      html: z.string(),
      sentAt: z.string(),
    }),
  ),
  'Every email sent and chat post made, oldest first (local runtime only). A chat post has `to` empty, `from` the channel and `html` empty.',
);

/** The approval form (the use case validates it and re-renders the page with what is wrong). */
export const approvalFormSchema = named(
  'ApprovalForm',
  z.object({
    decision: z.enum(['approve', 'reject']),
    comment: z.string().max(2000).optional().describe('Required to reject.'),
    csrf: z.string().describe('The nonce of the rendered form.'),
    project: z
      .string()
      .optional()
      .describe('The project the form was rendered for: a read hint only, the link decides.'),
    stage: z
      .string()
      .optional()
      .describe('The stage the form was rendered for: a read hint only, the link decides.'),
  }),
  'An approval of a QA gate with waived test cases also sends `accept:<key>=yes` for each waiver listed on the page (all of them; a rejection needs none).',
);

// ---- change requests and the baseline ----------------------------------------------------------

const slugId = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/, 'must be a lower-case slug (letters, digits, dashes)');
const scopeItems = z
  .array(text(500))
  .max(200, 'at most 200 items')
  .describe('The whole new list (it replaces the current one).');

export const changeRequestInputSchema = named(
  'ChangeRequestInput',
  z.strictObject({
    changes: z
      .strictObject({
        scope: z
          .strictObject({
            in: scopeItems.min(1, 'at least one item in scope').optional(),
            out: scopeItems.optional(),
          })
          .optional(),
        deliverables: z
          .array(
            z.strictObject({ id: slugId, name: text(200), stage: stageKeySchema, acceptance: text(1000) }),
          )
          .min(1, 'at least one deliverable')
          .max(200, 'at most 200 deliverables')
          .optional()
          .describe('The whole new list of deliverables (it replaces the current one).'),
        budget: z
          .strictObject({
            amount: z.number().positive('must be more than 0').max(1e12).optional(),
            hours: z.number().positive('must be more than 0').max(1e7).optional(),
          })
          .optional(),
        timeline: z.strictObject({ end: isoDate.optional() }).optional(),
        stages: z
          .record(
            stageKeySchema,
            z.strictObject({ due: isoDate.nullable().describe('null drops the due date.') }),
          )
          .optional()
          .describe('New due dates by stage key.'),
      })
      .describe('Only the fields given change; each records its current value as the old one.'),
    reason: text(2000).describe('Why the change is needed.'),
    impact: text(2000).describe('What it does to scope, cost and schedule.'),
  }),
  'A change to the project baseline, for the sponsor to decide.',
);

export const changeRequestCreatedSchema = named(
  'ChangeRequestCreated',
  z.object({ id: z.string().describe('e.g. cr-3'), status: z.literal('pending') }),
);

const baselineValue = z.unknown().describe('A number, a date, null, a list of items, or the deliverables.');

export const changeRequestListSchema = named(
  'ChangeRequestList',
  z.object({
    baseline: z.int().describe('The baseline version in force.'),
    items: z.array(
      z.object({
        id: z.string(),
        status: z.enum(['pending', 'approved', 'rejected', 'superseded']),
        changes: z.array(
          z.object({ field: z.string(), label: z.string(), old: baselineValue, new: baselineValue }),
        ),
        reason: z.string(),
        impact: z.string(),
        raisedBy: z.string(),
        raisedAt: z.string(),
        baseline: z.int().describe('The baseline version it was raised against.'),
        approvers: z.array(z.string()),
        decision: z
          .object({
            decision: z.enum(['approve', 'reject']),
            by: z.string(),
            name: z.string().optional(),
            at: z.string(),
            comment: z.string().optional(),
          })
          .optional(),
        appliedBaseline: z.int().optional().describe('The baseline version its approval made.'),
        staleFields: z
          .array(z.string())
          .optional()
          .describe('Superseded: the fields that moved since it was raised.'),
        patch: z.string().optional().describe('Approved: the YAML to merge into the spec file.'),
      }),
    ),
  }),
  'Change requests, newest first.',
);

export const baselineSchema = named(
  'Baseline',
  z.object({
    projectId: z.string(),
    baseline: z.int().describe('1 as registered; each approved change request adds one.'),
    fields: z
      .record(z.string(), z.unknown())
      .describe('scope, deliverables, timeline, budget, stages as the spec writes them'),
    yaml: z.string().describe('The same as YAML, to paste over the spec file’s fields.'),
  }),
);

export const capacitySchema = named(
  'Capacity',
  z.object({
    from: z.string().describe('The Monday of the first week.'),
    weeks: z.array(z.string()).describe('The Mondays of the weeks covered.'),
    people: z.array(
      z.object({
        email: z.string(),
        name: z.string(),
        peak: z.number().describe('The highest weekly total in the range, in percent.'),
        weeks: z.array(
          z.object({
            week: z.string().describe('The Monday of the week (YYYY-MM-DD).'),
            isoWeek: z.string().describe('ISO 8601 week, e.g. 2026-W50.'),
            total: z.number().describe('Allocation over every active project, in percent.'),
            over: z.boolean().describe('More than 100 %.'),
            projects: z.array(
              z.object({
                projectId: z.string(),
                projectName: z.string(),
                allocation: z.number(),
                stages: z.array(z.string()).describe('The project’s stages planned in that week.'),
              }),
            ),
          }),
        ),
      }),
    ),
  }),
  'Each person’s allocation per ISO week, summed by email over the active projects whose remaining stage windows overlap the week.',
);
