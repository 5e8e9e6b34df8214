/**
 * Schemas of the stored records (functions/core/model.ts types). The store parses what it reads
 * with these: a malformed item fails where it is read, naming the record and the field, not later
 * in a use case. They check types and shapes only (the business rules were checked when the
 * record was written) and strip attributes the model does not know.
 *
 * Kept apart from model.ts: the model is imported by nearly every core module (the stage types
 * too), and these schemas import the spec's fields (spec/fields.ts).
 *
 * Each schema is built when a record of its kind is first read, not at import: building all of
 * them (and the spec's) took most of a small function's cold module load, and an invocation
 * reads a few kinds of record.
 */
import * as z from 'zod/mini';
import './zod-english.js';
import {
  DEPLOYMENT_RESULTS,
  DOCUMENT_KINDS,
  type EntityName,
  type EntityOf,
  LESSON_KINDS,
  type ProjectEvent,
  TEST_CATEGORIES,
  TEST_RESULTS,
} from './model.js';
import { type ResolvedStage, specSchemas } from './spec/fields.js';
import { STAKEHOLDER_ROLES } from './spec/lifecycle.js';

/** `build`, run at the first call only (a schema shared by several records is built once). */
function lazy<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
}

/**
 * An object whose every property is built by its builder when first read, then kept: a cold
 * start builds no record schema, and an invocation builds the ones of the records it reads.
 */
function builtOnFirstUse<B extends Record<string, () => unknown>>(
  builders: B,
): { readonly [K in keyof B]: ReturnType<B[K]> } {
  const out = {} as { [K in keyof B]: ReturnType<B[K]> };
  for (const key of Object.keys(builders) as (keyof B)[]) {
    Object.defineProperty(out, key, { enumerable: true, get: builders[key] });
  }
  return out;
}

const versioned = { version: z.int().check(z.minimum(0)) };
const text = z.string();
const optionalText = z.optional(z.string());
const decision = z.enum(['approve', 'reject']);

const resolvedStageSchema = lazy(() =>
  z.object({
    key: text,
    name: text,
    order: z.int().check(z.minimum(0)),
    standard: z.boolean(),
    due: optionalText,
    waitsFor: z.optional(z.literal('period')),
    gate: z.object({
      approvers: z.array(text),
      rule: specSchemas().gateRuleSchema,
      remindAfterDays: z.number(),
      maxReminders: z.optional(z.int().check(z.minimum(0))),
      timeoutDays: z.number(),
      escalateTo: optionalText,
      approves: text,
      submit: z.boolean(),
    }),
  }),
);

const correctiveActionSchema = lazy(() => z.object({ action: text, by: text, at: text }));

const projectMonitoringSchema = lazy(() =>
  z.object({
    checkedAt: text,
    rag: z.enum(['green', 'amber', 'red']),
    spi: z.number(),
    cpi: z.number(),
    reasons: z.array(text),
    openDeviations: z.array(text),
    // An open map: deviation key -> its corrective action.
    correctiveActions: z.optional(z.record(z.string(), correctiveActionSchema())),
    notifiedRag: z.optional(z.enum(['green', 'amber', 'red'])),
    deviationSummaries: z.optional(z.record(z.string(), z.string())),
  }),
);

const projectSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('project'),
    id: text,
    name: text,
    customerName: text,
    timezone: text,
    mspName: text,
    // Parsed again with the spec's own schema (defaults already applied: nothing changes).
    spec: specSchemas().projectSpecSchema,
    stages: z.array(resolvedStageSchema()),
    status: z.enum(['active', 'closed', 'archived']),
    currentStage: text,
    generation: z.int().check(z.minimum(0)),
    executionName: optionalText,
    continuedFrom: optionalText,
    planVersion: z.optional(z.int()),
    createdAt: text,
    updatedAt: text,
    closedAt: optionalText,
    archivedAt: optionalText,
    baseline: z.optional(z.int().check(z.minimum(1))),
    monitoring: z.optional(projectMonitoringSchema()),
  }),
);

const stageSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('stage'),
    projectId: text,
    key: text,
    name: text,
    order: z.int().check(z.minimum(0)),
    status: z.enum(['pending', 'active', 'awaiting_approval', 'rework', 'completed']),
    due: optionalText,
    startedAt: optionalText,
    completedAt: optionalText,
    submittedAt: optionalText,
    submittedBy: optionalText,
    reworkCount: z.int().check(z.minimum(0)),
    supportUntil: optionalText,
  }),
);

const approverStateSchema = lazy(() =>
  z.object({
    email: text,
    name: text,
    linkHash: optionalText,
    decision: z.optional(decision),
    comment: optionalText,
    decidedAt: optionalText,
    accepted: z.optional(z.array(z.object({ key: text, label: text, detail: text }))),
  }),
);

const gateSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('gate'),
    projectId: text,
    stage: text,
    round: z.int().check(z.minimum(0)),
    status: z.enum(['waiting', 'pending_approval', 'approved', 'rejected']),
    rule: specSchemas().gateRuleSchema,
    taskToken: optionalText,
    approvers: z.array(approverStateSchema()),
    openedAt: text,
    requestedAt: optionalText,
    remindedAt: optionalText,
    reminders: z.int().check(z.minimum(0)),
    remindedFor: optionalText,
    escalatedAt: optionalText,
    decidedAt: optionalText,
    documentVersion: z.optional(z.int()),
    awaitingResubmission: z.optional(z.boolean()),
    customerWaitMs: z.optional(z.number().check(z.nonnegative())),
    rebaselined: z.optional(
      z.object({
        reason: z.optional(z.enum(['change_request', 'spec'])),
        changeId: z.optional(text),
        baseline: z.int().check(z.minimum(1)),
        at: text,
        earlier: z.optional(z.array(text)),
        spec: z.optional(
          z.object({
            fields: z.array(text),
            changes: z.array(
              z.object({ field: text, old: baselineValueSchema(), new: baselineValueSchema() }),
            ),
          }),
        ),
      }),
    ),
    criteriaHeldAt: z.optional(z.int().check(z.minimum(1))),
  }),
);

const approvalLinkSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('link'),
    linkHash: text,
    projectId: text,
    target: z.optional(z.enum(['gate', 'change'])),
    changeId: optionalText,
    stage: text,
    round: z.int().check(z.minimum(0)),
    approverEmail: text,
    approverName: text,
    status: z.enum(['pending', 'decided']),
    csrfSecret: text,
    createdAt: text,
    expiresAt: z.number(),
    decision: z.optional(decision),
    comment: optionalText,
    decidedAt: optionalText,
  }),
);

const digestRunSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('digest'),
    date: text,
    status: z.enum(['sending', 'sent', 'unsent']),
    claimedAt: text,
    attempts: z.int().check(z.minimum(1)),
    sentAt: optionalText,
    projects: z.optional(z.int()),
    emailed: z.optional(z.boolean()),
    posted: z.optional(z.boolean()),
    failed: z.optional(z.int()),
    expiresAt: z.number(),
  }),
);

const mailDeliverySchema = lazy(() =>
  z.object({
    status: z.enum(['bounced', 'complained']),
    at: text,
    detail: text,
    permanent: z.boolean(),
    messageId: text,
  }),
);

const stakeholderSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('stakeholder'),
    projectId: text,
    email: text,
    name: text,
    role: z.enum(STAKEHOLDER_ROLES),
    delivery: z.optional(mailDeliverySchema()),
  }),
);

const teamMemberSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('member'),
    projectId: text,
    email: text,
    name: text,
    role: text,
    skills: z.array(text),
    allocation: z.number(),
    delivery: z.optional(mailDeliverySchema()),
  }),
);

const resourceSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('resource'),
    projectId: text,
    id: text,
    kind: z.enum(['software', 'hardware', 'tool', 'service']),
    name: text,
    quantity: z.number(),
    cost: z.number(),
  }),
);

const riskSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('risk'),
    projectId: text,
    id: text,
    title: text,
    likelihood: z.number(),
    impact: z.number(),
    owner: optionalText,
    mitigation: optionalText,
    status: z.enum(['open', 'mitigated', 'closed']),
    reviewBy: optionalText,
  }),
);

const taskSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('task'),
    projectId: text,
    id: text,
    type: z.enum(['task', 'deliverable']),
    name: text,
    stage: text,
    status: z.enum(['todo', 'in_progress', 'done', 'waived']),
    estimateHours: z.number(),
    actualHours: z.number(),
    assignee: optionalText,
    acceptance: optionalText,
    due: optionalText,
    waiverReason: optionalText,
    evidence: optionalText,
  }),
);

const testCaseSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('test_case'),
    projectId: text,
    id: text,
    name: text,
    category: z.enum(TEST_CATEGORIES),
    steps: z.array(text),
    expectedResult: text,
    result: z.enum(TEST_RESULTS),
    waiverReason: optionalText,
    evidence: optionalText,
    tester: optionalText,
    testedAt: optionalText,
  }),
);

const deploymentRecordSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('deployment'),
    projectId: text,
    id: text,
    name: text,
    windowStart: optionalText,
    windowEnd: optionalText,
    steps: z.array(text),
    rollbackPlan: optionalText,
    result: z.optional(z.enum(DEPLOYMENT_RESULTS)),
    resultNotes: optionalText,
    deployedBy: optionalText,
  }),
);

const trainingSessionSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('training_session'),
    projectId: text,
    id: text,
    title: text,
    date: text,
    audience: text,
    attendees: z.array(text),
    materials: z.array(text),
    trainer: optionalText,
  }),
);

const timeEntrySchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('time_entry'),
    projectId: text,
    id: text,
    person: text,
    role: text,
    date: text,
    hours: z.number(),
    task: optionalText,
    note: optionalText,
    costRate: z.number(),
    billingRate: z.optional(z.number()),
    cost: z.number(),
    billable: z.number(),
    recordedBy: text,
    recordedAt: text,
  }),
);

const expenseSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('expense'),
    projectId: text,
    id: text,
    date: text,
    description: text,
    amount: z.number(),
    billable: z.boolean(),
    recordedBy: text,
    recordedAt: text,
  }),
);

const ledgerSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('ledger'),
    projectId: text,
    id: text,
    hours: z.number(),
    timeCost: z.number(),
    timeBillable: z.number(),
    expenses: z.number(),
    billableExpenses: z.number(),
    entries: z.int().check(z.minimum(0)),
    crossed: z.array(z.number()),
    updatedAt: text,
  }),
);

const documentVersionSchema = lazy(() =>
  z.object({
    docVersion: z.int(),
    key: text,
    storageVersion: optionalText,
    sha256: text,
    size: z.int(),
    contentType: text,
    createdAt: text,
  }),
);

const documentRecordSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('document'),
    projectId: text,
    id: text,
    kind: z.enum(DOCUMENT_KINDS),
    docVersion: z.int(),
    title: text,
    key: text,
    storageVersion: optionalText,
    sha256: text,
    size: z.optional(z.int()),
    contentType: optionalText,
    contentSha256: optionalText,
    createdAt: text,
    versions: z.optional(z.array(documentVersionSchema())),
  }),
);

const lessonSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('lesson'),
    projectId: text,
    id: text,
    title: text,
    whatHappened: text,
    kind: z.enum(LESSON_KINDS),
    recommendation: text,
    stage: optionalText,
    recordedBy: optionalText,
  }),
);

const baselineDeliverableSchema = lazy(() =>
  z.object({ id: text, name: text, stage: text, acceptance: text }),
);
const baselineValueSchema = lazy(() =>
  z.union([z.number(), text, z.null(), z.array(text), z.array(baselineDeliverableSchema())]),
);

const changeRequestSchema = lazy(() =>
  z.object({
    ...versioned,
    entity: z.literal('change_request'),
    projectId: text,
    id: text,
    number: z.int().check(z.minimum(1)),
    status: z.enum(['pending', 'approved', 'rejected', 'superseded']),
    changes: z.array(z.object({ field: text, old: baselineValueSchema(), new: baselineValueSchema() })),
    reason: text,
    impact: text,
    raisedBy: text,
    raisedAt: text,
    baseline: z.int().check(z.minimum(1)),
    approvers: z.array(z.object({ email: text, name: text })),
    decision: z.optional(decision),
    decidedBy: optionalText,
    decidedByName: optionalText,
    decidedAt: optionalText,
    comment: optionalText,
    appliedBaseline: z.optional(z.int()),
    staleFields: z.optional(z.array(text)),
  }),
);

const projectEventSchema = lazy(() =>
  z.object({
    entity: z.literal('event'),
    projectId: text,
    id: text,
    at: text,
    type: text,
    stage: optionalText,
    actor: text,
    summary: text,
    // An open map: what each event type records.
    data: z.optional(z.record(z.string(), z.unknown())),
  }),
);

/** The schema of each stored record, by its `entity`. */
export const recordSchemas = builtOnFirstUse({
  project: projectSchema,
  stage: stageSchema,
  gate: gateSchema,
  link: approvalLinkSchema,
  digest: digestRunSchema,
  stakeholder: stakeholderSchema,
  member: teamMemberSchema,
  resource: resourceSchema,
  risk: riskSchema,
  task: taskSchema,
  test_case: testCaseSchema,
  deployment: deploymentRecordSchema,
  training_session: trainingSessionSchema,
  time_entry: timeEntrySchema,
  expense: expenseSchema,
  ledger: ledgerSchema,
  lesson: lessonSchema,
  document: documentRecordSchema,
  change_request: changeRequestSchema,
  event: projectEventSchema,
});

// Each schema reads exactly its type: a field added to a type and not to its schema (or the other
// way round) fails to compile here.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Stored = { [E in EntityName]: EntityOf<E> } & { event: ProjectEvent };
type SchemaOutput = { [E in keyof typeof recordSchemas]: z.output<(typeof recordSchemas)[E]> };
const schemasMatchTypes: { [E in keyof Stored]: Same<SchemaOutput[E], Stored[E]> } = {
  project: true,
  stage: true,
  gate: true,
  link: true,
  digest: true,
  stakeholder: true,
  member: true,
  resource: true,
  risk: true,
  task: true,
  test_case: true,
  deployment: true,
  training_session: true,
  time_entry: true,
  expense: true,
  ledger: true,
  lesson: true,
  document: true,
  change_request: true,
  event: true,
};
const resolvedStageMatches: Same<z.output<ReturnType<typeof resolvedStageSchema>>, ResolvedStage> = true;
void schemasMatchTypes;
void resolvedStageMatches;
