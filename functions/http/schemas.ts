/**
 * Request and response schemas of the HTTP application. The routes (routes.ts) declare them, the
 * app validates with them and the OpenAPI document is generated from the same objects, so the
 * three cannot drift apart.
 */
import { z } from 'zod';

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
    title: text(200).optional().describe('Required to create.'),
    date: isoDate.optional().describe('Required to create.'),
    audience: text(500).optional().describe('Who it is for. Required to create.'),
    attendees: lines(200, 'Who attended (names or emails).').optional(),
    materials: lines(1000, 'Handouts, recordings, links.').optional(),
    trainer: text(200).optional(),
  }),
  'Create or update a training session of the deployment stage.',
);

export const lessonInputSchema = named(
  'LessonInput',
  z.strictObject({
    version,
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

export const eventsQuerySchema = z.strictObject({
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1, 'must be 1-100').max(100, 'must be 1-100').default(50),
  order: z.enum(['asc', 'desc']).default('asc'),
});

// Responses (documentation; the handlers build these shapes).

const documentVersionSchema = z.object({
  version: z.int(),
  sha256: z.string().describe('SHA-256 (hex) of the bytes of this version'),
  size: z.int().describe('Bytes'),
  contentType: z.string(),
  createdAt: z.string(),
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
      from: z.string(),
      to: z.array(z.string()),
      subject: z.string(),
      text: z.string(),
      html: z.string(),
      sentAt: z.string(),
    }),
  ),
  'Every email sent, oldest first (local runtime only).',
);

/** The approval form (the use case validates it and re-renders the page with what is wrong). */
export const approvalFormSchema = named(
  'ApprovalForm',
  z.object({
    decision: z.enum(['approve', 'reject']),
    comment: z.string().max(2000).optional().describe('Required to reject.'),
    csrf: z.string().describe('The nonce of the rendered form.'),
  }),
);
