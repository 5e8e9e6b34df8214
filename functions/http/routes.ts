/**
 * Every route of the HTTP application, declared once: method, path, request and response schemas,
 * operationId, summary and who may call it. The app validates requests and registers its handlers
 * from these declarations, the OpenAPI document is generated from them, and the CDK stack reads
 * `gatewayRoutes()` to create the API Gateway routes, their authorizers and the function each is
 * sent to (`fn`: the approval pages run in the `approvals` function, the rest in `http`; the local
 * runtime dispatches by the same field, app.ts). Handlers live apart (approval.ts, staff-api.ts,
 * console.ts) so that this module stays free of the core's use cases.
 */
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import * as z from 'zod';
import { APPROVAL_ROUTES } from './approval-routes.js';
import {
  approvalFormSchema,
  baselineSchema,
  capacityQuerySchema,
  capacitySchema,
  changeRequestCreatedSchema,
  changeRequestInputSchema,
  changeRequestListSchema,
  correctiveActionInputSchema,
  correctiveActionSchema,
  deploymentInputSchema,
  deviationKeySchema,
  documentListSchema,
  documentQuerySchema,
  errorSchema,
  eventPageSchema,
  eventsQuerySchema,
  expenseInputSchema,
  expenseResultSchema,
  lessonInputSchema,
  memberEmailSchema,
  memberInputSchema,
  outboxSchema,
  projectDetailSchema,
  projectIdSchema,
  projectListSchema,
  recordIdSchema,
  recordSchema,
  removedRecordSchema,
  removeQuerySchema,
  resourceInputSchema,
  riskInputSchema,
  stageKeySchema,
  submitResultSchema,
  taskInputSchema,
  testCaseInputSchema,
  timeEntryInputSchema,
  timeEntryListSchema,
  timeEntryResultSchema,
  trainingSessionInputSchema,
} from './schemas.js';

/**
 * Who may call a route: an IAM-signed caller (SigV4; API Gateway's IAM authorizer), anyone, or a
 * signed-in staff member (`session`: API Gateway lets the request through without an authorizer
 * and the app checks the session cookie before anything else; a request without a valid session
 * is sent to sign in and changes nothing).
 */
export type RouteAuth = 'iam' | 'none' | 'session';

/**
 * The part of the application a route belongs to. `approval` and `api` run everywhere; `console`
 * (the staff pages) and `auth` (sign-in and sign-out) are served where the app is given a
 * sign-in (in AWS Cognito's managed login, locally the local sign-in page).
 */
export type RouteGroup = 'approval' | 'api' | 'console' | 'auth';

/** The kind of sign-in a route belongs to (a route without one exists with either). */
export type SignInKind = 'local' | 'cognito';

/**
 * The Lambda function that serves a route in AWS, and whose code path answers it in the local
 * runtime: `approvals` (the public approval pages, functions/handlers/approvals.ts) or `http`
 * (the staff API, the console, sign-in and the OpenAPI document, functions/handlers/http.ts).
 */
export type RouteFunction = 'http' | 'approvals';

/** One route: its OpenAPI operation (which Hono routes and validates) and how it is deployed. */
export interface RouteDeclaration<R extends RouteConfig = RouteConfig> {
  route: R;
  auth: RouteAuth;
  group: RouteGroup;
  /** Needs the sent emails: exists only where the app has an outbox (the local runtime). */
  outbox?: true;
  /** Answers HEAD too (from its GET handler): mail scanners probe emailed links with HEAD. */
  head?: true;
  /** Exists only with this kind of sign-in (the local sign-in page never exists in AWS). */
  signIn?: SignInKind;
  /** The function that serves it (default `http`). */
  fn: RouteFunction;
}

/** The security requirement of an operation with this auth (the schemes are in openapi.ts). */
const security = (auth: RouteAuth) =>
  auth === 'iam' ? [{ sigv4: [] }] : auth === 'session' ? [{ session: [] }] : [];

function declare<const R extends RouteConfig>(
  group: RouteGroup,
  auth: RouteAuth,
  route: R,
  extra: { outbox?: true; head?: true; signIn?: SignInKind; fn?: RouteFunction } = {},
): RouteDeclaration<R> {
  const { fn = 'http', ...rest } = extra;
  return { route: createRoute({ ...route, security: security(auth) }), auth, group, fn, ...rest };
}

// ---- shared parts of the declarations ------------------------------------------------------------

const jsonOf = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });
const htmlPage = { 'text/html': { schema: z.string() } };
const errorContent = jsonOf(errorSchema);

const apiErrors = {
  400: { description: 'Invalid request: `issues` names each wrong field', content: errorContent },
  401: { description: 'Not authenticated (the request is not IAM-signed)', content: errorContent },
  403: { description: 'A cross-site request from a browser', content: errorContent },
  404: { description: 'Project or record not found', content: errorContent },
  409: {
    description: 'Version conflict (read again and retry) or not allowed in the current state',
    content: errorContent,
  },
  413: { description: 'Request body too large', content: errorContent },
};
type ApiError = keyof typeof apiErrors;
const errors = <const C extends ApiError[]>(...codes: C) =>
  Object.fromEntries(codes.map((code) => [code, apiErrors[code]])) as Pick<typeof apiErrors, C[number]>;

// Parameter descriptions travel as zod metadata: the OpenAPI generator reads them from there.
const described = <S extends z.ZodString | z.ZodEmail>(schema: S, description: string) =>
  schema.meta({ description });
const projectId = described(projectIdSchema, 'Project id (the spec id)');

const upsertDescription =
  'Creates the record when it does not exist (omit `version` or send 0), otherwise updates the fields sent (a field left out is unchanged; `clear` lists optional fields to empty, e.g. `{"version": 3, "clear": ["assignee", "due"]}`; a required field, an unknown name or a field both sent and cleared is a 400 naming `clear.<n>`); updating needs the `version` that was read. The current stage gate re-checks its exit criteria afterwards.';

/** The path parameters of one record of a project: the project id and the record's id (`idName`). */
function recordParams<const N extends string>(
  idName: N,
  idSchema: z.ZodString | z.ZodEmail,
  idDescription: string,
) {
  return z.object({
    id: projectId,
    ...({ [idName]: described(idSchema, idDescription) } as Record<N, z.ZodString>),
  });
}

function upsert<const P extends string, const N extends string, B extends z.ZodType>(
  operationId: string,
  summary: string,
  path: P,
  idName: N,
  idSchema: z.ZodString | z.ZodEmail,
  idDescription: string,
  body: B,
) {
  return declare('api', 'iam', {
    method: 'put',
    path,
    operationId,
    summary,
    description: upsertDescription,
    request: {
      params: recordParams(idName, idSchema, idDescription),
      body: { required: true, content: jsonOf(body) },
    },
    responses: {
      200: { description: 'Updated', content: jsonOf(recordSchema) },
      201: { description: 'Created', content: jsonOf(recordSchema) },
      ...errors(400, 401, 403, 404, 409, 413),
    },
  });
}

const removeDescription =
  'Removes the record, only with the `version` that was read (`?version=N`); the whole record is kept in a `<kind>_removed` event of the project log. Some records are refused with 409 and what to do instead: a team member who is the assignee of an open task or the owner of an open risk, a deliverable (raise a change request), a test case with a result (waive it), a deployment with a result. The current stage gate re-checks its exit criteria afterwards.';

/** DELETE of one kind of record, on the path of its upsert. */
function remove<const P extends string, const N extends string>(
  operationId: string,
  summary: string,
  path: P,
  idName: N,
  idSchema: z.ZodString | z.ZodEmail,
  idDescription: string,
) {
  return declare('api', 'iam', {
    method: 'delete',
    path,
    operationId,
    summary,
    description: removeDescription,
    request: {
      params: recordParams(idName, idSchema, idDescription),
      query: removeQuerySchema,
    },
    responses: {
      200: { description: 'Removed: the record as it was', content: jsonOf(removedRecordSchema) },
      ...errors(400, 401, 403, 404, 409),
    },
  });
}

// ---- the console's form routes -------------------------------------------------------------------

const formOf = <T extends z.ZodType>(schema: T) => ({ 'application/x-www-form-urlencoded': { schema } });
const csrfFormSchema = z.object({
  csrf: z.string().meta({ description: 'The session’s CSRF token, from the rendered form' }),
});
const nextQuery = z.object({
  next: z.string().max(2000).optional().meta({ description: 'The console page to return to' }),
});
const consoleFormResponses = {
  303: { description: 'Done (or not signed in): to the page that shows the change' },
  400: { description: 'The form again, each error next to its field', content: htmlPage },
  403: {
    description: 'Not on the project’s team, a missing or wrong CSRF token, or a cross-site post',
    content: htmlPage,
  },
  404: { description: 'No such project, record or open deviation', content: htmlPage },
  409: { description: 'Changed since it was read, or not allowed now: the form again', content: htmlPage },
  413: { description: 'The form is larger than any valid one', content: htmlPage },
};

/** The edit page (GET) and the save form (POST) of one kind of project record. */
function recordForms<const K extends string, const P extends string, const N extends string>(
  kind: K,
  segment: P,
  idName: N,
  idSchema: z.ZodString | z.ZodEmail,
  idDescription: string,
  what: string,
) {
  const edit = declare('console', 'session', {
    method: 'get',
    path: `/projects/{id}/${segment}/{${idName}}` as `/projects/{id}/${P}/{${N}}`,
    operationId: `${kind}Page`,
    summary: `Console: the form to update ${what}`,
    request: {
      params: recordParams(idName, idSchema, idDescription),
    },
    responses: {
      200: { description: 'The form, filled in', content: htmlPage },
      303: { description: 'Not signed in: to the sign-in page' },
      404: { description: 'No such project or record', content: htmlPage },
    },
  });
  const save = declare('console', 'session', {
    method: 'post',
    path: `/projects/{id}/${segment}` as `/projects/{id}/${P}`,
    operationId: `save${kind[0]!.toUpperCase()}${kind.slice(1)}`,
    summary: `Console: create or update ${what}`,
    request: {
      params: z.object({ id: projectId }),
      body: {
        required: true,
        content: formOf(
          csrfFormSchema.extend({
            [idName === 'email' ? 'email' : 'id']: z.string().meta({ description: idDescription }),
            version: z.string().optional().meta({ description: 'The version read; empty to create' }),
          }),
        ),
      },
    },
    responses: consoleFormResponses,
  });
  return { [`${kind}Page`]: edit, [`${kind}Save`]: save } as {
    [k in `${K}Page`]: typeof edit;
  } & { [k in `${K}Save`]: typeof save };
}

/** The Remove form (POST) on the edit page of one kind of project record. */
function removeForm<const K extends string, const P extends string, const N extends string>(
  kind: K,
  segment: P,
  idName: N,
  idSchema: z.ZodString | z.ZodEmail,
  idDescription: string,
  what: string,
) {
  const remove = declare('console', 'session', {
    method: 'post',
    path: `/projects/{id}/${segment}/{${idName}}/remove` as `/projects/{id}/${P}/{${N}}/remove`,
    operationId: `${kind}Remove`,
    summary: `Console: remove ${what} (the record is kept in the event log)`,
    request: {
      params: recordParams(idName, idSchema, idDescription),
      body: {
        required: true,
        content: formOf(
          csrfFormSchema.extend({
            version: z
              .string()
              .meta({ description: 'The version read: removed only while it is still this one' }),
          }),
        ),
      },
    },
    responses: {
      ...consoleFormResponses,
      303: { description: 'Removed (or not signed in): to the project page' },
      409: {
        description: 'Changed since it was read, or refused (what to do instead): the edit page again',
        content: htmlPage,
      },
    },
  });
  return { [`${kind}Remove`]: remove } as { [k in `${K}Remove`]: typeof remove };
}

// ---- the routes ----------------------------------------------------------------------------------

/** Every route of the application, by operationId. */
export const ROUTES = {
  viewApproval: declare(
    'approval',
    'none',
    {
      method: APPROVAL_ROUTES.viewApproval.method,
      path: APPROVAL_ROUTES.viewApproval.path,
      operationId: 'viewApproval',
      summary: 'The approval page of an emailed link (reads only; mail scanners may fetch it)',
      description:
        'The confirmation form: project, stage, what is approved and the document version with its SHA-256. With `?document=<id>` (`charter`, `plan` or `closeout`: the one the gate approves), that document as a PDF download in the version the gate asks about; it changes nothing. Unknown, expired, superseded, used and foreign links, and any other document, all get the same neutral page.',
      request: {
        params: z.object({
          linkId: z.string().meta({ description: 'The opaque id from the email' }),
        }),
        query: z.object({
          document: z
            .string()
            .max(100)
            .optional()
            .meta({ description: 'The id of the document the gate approves: download it (PDF)' }),
        }),
      },
      responses: {
        200: {
          description:
            'The confirmation page, the decision already made, or the document (PDF, as an attachment)',
          content: { ...htmlPage, 'application/pdf': { schema: z.string().meta({ format: 'binary' }) } },
        },
        403: { description: 'The submitter may not approve their own stage', content: htmlPage },
        404: { description: 'The neutral page: this link is not valid', content: htmlPage },
      },
    },
    { head: APPROVAL_ROUTES.viewApproval.head, fn: 'approvals' },
  ),
  decideApproval: declare(
    'approval',
    'none',
    {
      method: APPROVAL_ROUTES.decideApproval.method,
      path: APPROVAL_ROUTES.decideApproval.path,
      operationId: 'decideApproval',
      summary: 'Record the approver’s decision (the form of the approval page)',
      description:
        'Single use: the first decision counts; later posts show who decided and when. Needs the CSRF nonce of the rendered form; cross-site posts are refused.',
      request: {
        params: z.object({
          linkId: z.string().meta({ description: 'The opaque id from the email' }),
        }),
        body: {
          required: true,
          content: { 'application/x-www-form-urlencoded': { schema: approvalFormSchema } },
        },
      },
      responses: {
        200: { description: 'Thank you, or the decision already made', content: htmlPage },
        400: { description: 'The form again, saying what is wrong', content: htmlPage },
        403: { description: 'A cross-site post, or self-approval', content: htmlPage },
        404: { description: 'The neutral page: this link is not valid', content: htmlPage },
        413: { description: 'The form is larger than any valid one', content: htmlPage },
      },
    },
    { fn: 'approvals' },
  ),

  getOpenApi: declare('api', 'none', {
    method: 'get',
    path: '/api/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This OpenAPI document',
    responses: { 200: { description: 'OpenAPI 3.1 document', content: jsonOf(z.looseObject({})) } },
  }),
  listProjects: declare('api', 'iam', {
    method: 'get',
    path: '/api/projects',
    operationId: 'listProjects',
    summary: 'List projects with current stage, status and RAG',
    responses: {
      200: { description: 'Projects', content: jsonOf(projectListSchema) },
      ...errors(401),
    },
  }),
  getProject: declare('api', 'iam', {
    method: 'get',
    path: '/api/projects/{id}',
    operationId: 'getProject',
    summary: 'A project with its stages, gates, approvals, records, health, deviations and exit criteria',
    request: { params: z.object({ id: projectId }) },
    responses: {
      200: { description: 'The project', content: jsonOf(projectDetailSchema) },
      ...errors(400, 401, 404),
    },
  }),
  listProjectEvents: declare('api', 'iam', {
    method: 'get',
    path: '/api/projects/{id}/events',
    operationId: 'listProjectEvents',
    summary: 'The project event log, paged',
    request: { params: z.object({ id: projectId }), query: eventsQuerySchema },
    responses: {
      200: { description: 'One page of events', content: jsonOf(eventPageSchema) },
      ...errors(400, 401, 404),
    },
  }),
  putTask: upsert(
    'putTask',
    'Add or update a task or deliverable',
    '/api/projects/{id}/tasks/{taskId}',
    'taskId',
    recordIdSchema,
    'Task or deliverable id',
    taskInputSchema,
  ),
  deleteTask: remove(
    'deleteTask',
    'Remove a task (a deliverable is refused: raise a change request)',
    '/api/projects/{id}/tasks/{taskId}',
    'taskId',
    recordIdSchema,
    'Task id',
  ),
  putRisk: upsert(
    'putRisk',
    'Add or update a risk',
    '/api/projects/{id}/risks/{riskId}',
    'riskId',
    recordIdSchema,
    'Risk id',
    riskInputSchema,
  ),
  deleteRisk: remove(
    'deleteRisk',
    'Remove a risk',
    '/api/projects/{id}/risks/{riskId}',
    'riskId',
    recordIdSchema,
    'Risk id',
  ),
  putTeamMember: upsert(
    'putTeamMember',
    'Add or update a team member',
    '/api/projects/{id}/team/{email}',
    'email',
    memberEmailSchema,
    'Team member email',
    memberInputSchema,
  ),
  deleteTeamMember: remove(
    'deleteTeamMember',
    'Remove a team member (refused while they hold an open task or risk)',
    '/api/projects/{id}/team/{email}',
    'email',
    memberEmailSchema,
    'Team member email',
  ),
  putResource: upsert(
    'putResource',
    'Add or update a resource',
    '/api/projects/{id}/resources/{resourceId}',
    'resourceId',
    recordIdSchema,
    'Resource id',
    resourceInputSchema,
  ),
  deleteResource: remove(
    'deleteResource',
    'Remove a resource',
    '/api/projects/{id}/resources/{resourceId}',
    'resourceId',
    recordIdSchema,
    'Resource id',
  ),
  putTestCase: upsert(
    'putTestCase',
    'Add or update a test case (category, steps, expected result, result, evidence, tester)',
    '/api/projects/{id}/test-cases/{testId}',
    'testId',
    recordIdSchema,
    'Test case id',
    testCaseInputSchema,
  ),
  deleteTestCase: remove(
    'deleteTestCase',
    'Remove a test case that has not run (one with a result is refused: waive it)',
    '/api/projects/{id}/test-cases/{testId}',
    'testId',
    recordIdSchema,
    'Test case id',
  ),
  putDeployment: upsert(
    'putDeployment',
    'Add or update a deployment record (window, steps, rollback plan, result, who deployed)',
    '/api/projects/{id}/deployments/{deploymentId}',
    'deploymentId',
    recordIdSchema,
    'Deployment id',
    deploymentInputSchema,
  ),
  deleteDeployment: remove(
    'deleteDeployment',
    'Remove a planned deployment (one with a result is history and is refused)',
    '/api/projects/{id}/deployments/{deploymentId}',
    'deploymentId',
    recordIdSchema,
    'Deployment id',
  ),
  putTrainingSession: upsert(
    'putTrainingSession',
    'Add or update a training session (date, audience, attendees, materials)',
    '/api/projects/{id}/training-sessions/{sessionId}',
    'sessionId',
    recordIdSchema,
    'Training session id',
    trainingSessionInputSchema,
  ),
  deleteTrainingSession: remove(
    'deleteTrainingSession',
    'Remove a training session',
    '/api/projects/{id}/training-sessions/{sessionId}',
    'sessionId',
    recordIdSchema,
    'Training session id',
  ),
  recordTimeEntry: declare('api', 'iam', {
    method: 'post',
    path: '/api/projects/{id}/time-entries',
    operationId: 'recordTimeEntry',
    summary: 'Record time a team member spent (person, date, hours, task, note)',
    description:
      'Priced by the rate card of the person’s role (internal cost rate, optional billing rate). The entry, the task’s actual hours and the project’s running totals are written in one transaction; a budget threshold it crosses alerts the PM and the delivery manager once. 400 names the field (unknown person or task, hours not in 0-24, a date after today).',
    request: {
      params: z.object({ id: projectId }),
      body: { required: true, content: jsonOf(timeEntryInputSchema) },
    },
    responses: {
      201: { description: 'Recorded', content: jsonOf(timeEntryResultSchema) },
      ...errors(400, 401, 403, 404, 409, 413),
    },
  }),
  listTimeEntries: declare('api', 'iam', {
    method: 'get',
    path: '/api/projects/{id}/time-entries',
    operationId: 'listTimeEntries',
    summary: 'The time entries and expenses of a project, with the budget burn (internal)',
    request: { params: z.object({ id: projectId }) },
    responses: {
      200: { description: 'Entries, expenses and burn', content: jsonOf(timeEntryListSchema) },
      ...errors(400, 401, 404),
    },
  }),
  recordExpense: declare('api', 'iam', {
    method: 'post',
    path: '/api/projects/{id}/expenses',
    operationId: 'recordExpense',
    summary: 'Record an expense (date, description, amount, billable)',
    description:
      'Counts in the actual cost (and, when billable, in the billable value) with the time and the resources; written in one transaction with the running totals, like a time entry.',
    request: {
      params: z.object({ id: projectId }),
      body: { required: true, content: jsonOf(expenseInputSchema) },
    },
    responses: {
      201: { description: 'Recorded', content: jsonOf(expenseResultSchema) },
      ...errors(400, 401, 403, 404, 409, 413),
    },
  }),
  putLesson: upsert(
    'putLesson',
    'Add or update a lesson learned (what happened, whether to repeat or change it, the recommendation)',
    '/api/projects/{id}/lessons/{lessonId}',
    'lessonId',
    recordIdSchema,
    'Lesson id',
    lessonInputSchema,
  ),
  deleteLesson: remove(
    'deleteLesson',
    'Remove a lesson learned',
    '/api/projects/{id}/lessons/{lessonId}',
    'lessonId',
    recordIdSchema,
    'Lesson id',
  ),
  listDocuments: declare('api', 'iam', {
    method: 'get',
    path: '/api/projects/{id}/documents',
    operationId: 'listDocuments',
    summary: 'The documents of a project (charter, plan, status reports, close-out) with every version',
    request: { params: z.object({ id: projectId }) },
    responses: {
      200: { description: 'The documents, newest first', content: jsonOf(documentListSchema) },
      ...errors(400, 401, 404),
    },
  }),
  getDocument: declare('api', 'iam', {
    method: 'get',
    path: '/api/projects/{id}/documents/{documentId}',
    operationId: 'getDocument',
    summary: 'One document as a PDF: the latest version, or `?version=N`',
    request: {
      params: z.object({ id: projectId, documentId: described(recordIdSchema, 'Document id') }),
      query: documentQuerySchema,
    },
    responses: {
      200: {
        description:
          'The PDF, as an attachment (`Content-Disposition`); its SHA-256 is in the list and in `X-Document-Sha256`',
        content: { 'application/pdf': { schema: z.string().meta({ format: 'binary' }) } },
      },
      ...errors(400, 401, 404),
    },
  }),
  recordCorrectiveAction: declare('api', 'iam', {
    method: 'post',
    path: '/api/projects/{id}/deviations/{key}/corrective-action',
    operationId: 'recordCorrectiveAction',
    summary: 'Record the corrective action for an open deviation',
    description:
      'Deviations are found by the monitoring check (their keys are in `monitoring.openDeviations` and `deviations` of the project). The action stays with the deviation while it is open; a new one replaces it. 404 when no such deviation is open.',
    request: {
      params: z.object({
        id: projectId,
        key: described(deviationKeySchema, 'Deviation key, e.g. overdue-stage:qa'),
      }),
      body: { required: true, content: jsonOf(correctiveActionInputSchema) },
    },
    responses: {
      200: { description: 'The recorded action', content: jsonOf(correctiveActionSchema) },
      ...errors(400, 401, 403, 404, 409, 413),
    },
  }),
  submitStage: declare('api', 'iam', {
    method: 'post',
    path: '/api/projects/{id}/stages/{stage}/submit',
    operationId: 'submitStage',
    summary: 'Submit the current stage for its gate',
    description:
      'Checks the exit criteria; when they hold the gate requests approvals (or advances an automatic gate). `unmet` lists the criteria that do not hold. 409 when the stage is not the current one.',
    request: {
      params: z.object({ id: projectId, stage: described(stageKeySchema, 'Stage key') }),
    },
    responses: {
      200: { description: 'Submit result', content: jsonOf(submitResultSchema) },
      ...errors(400, 401, 403, 404, 409, 413),
    },
  }),
  raiseChangeRequest: declare('api', 'iam', {
    method: 'post',
    path: '/api/projects/{id}/change-requests',
    operationId: 'raiseChangeRequest',
    summary:
      'Raise a change request (scope, deliverables, budget, timeline, stage due dates) for the sponsor',
    description:
      'Each change records the field’s current value as its old value; a change to the value a field has already is refused, naming it. The sponsors get an emailed single-use link; approval re-baselines the project in one transaction, provided every old value still holds (otherwise the request is superseded and the page answers 409). 409 when the project is not active or has no sponsor.',
    request: {
      params: z.object({ id: projectId }),
      body: { required: true, content: jsonOf(changeRequestInputSchema) },
    },
    responses: {
      201: { description: 'Raised; the sponsors are emailed', content: jsonOf(changeRequestCreatedSchema) },
      ...errors(400, 401, 403, 404, 409, 413),
    },
  }),
  listChangeRequests: declare('api', 'iam', {
    method: 'get',
    path: '/api/projects/{id}/change-requests',
    operationId: 'listChangeRequests',
    summary: 'The change requests: status, each change old → new, the decision, the YAML patch once approved',
    request: { params: z.object({ id: projectId }) },
    responses: {
      200: { description: 'Newest first', content: jsonOf(changeRequestListSchema) },
      ...errors(401, 404),
    },
  }),
  getBaseline: declare('api', 'iam', {
    method: 'get',
    path: '/api/projects/{id}/baseline',
    operationId: 'getBaseline',
    summary: 'The current baseline (version, fields and YAML for the spec file)',
    request: { params: z.object({ id: projectId }) },
    responses: {
      200: { description: 'The baseline', content: jsonOf(baselineSchema) },
      ...errors(401, 404),
    },
  }),
  getCapacity: declare('api', 'iam', {
    method: 'get',
    path: '/api/capacity',
    operationId: 'getCapacity',
    summary: 'Each person’s allocation per week across the active projects, with the projects contributing',
    description:
      'A team member’s allocation counts in the weeks their project’s stages that are not done yet are planned (from the current stage to the timeline end); the totals are summed by email. `over` marks weeks above 100 %.',
    request: { query: capacityQuerySchema },
    responses: {
      200: { description: 'Per person and week', content: jsonOf(capacitySchema) },
      ...errors(400, 401),
    },
  }),
  listOutbox: declare(
    'api',
    'iam',
    {
      method: 'get',
      path: '/api/outbox',
      operationId: 'listOutbox',
      summary: 'Every email sent (local runtime only)',
      responses: { 200: { description: 'The emails', content: jsonOf(outboxSchema) }, ...errors(401) },
    },
    { outbox: true },
  ),

  // ---- the staff console (a signed-in session; forms carry the session's CSRF token) ------------

  portfolioPage: declare('console', 'session', {
    method: 'get',
    path: '/',
    operationId: 'portfolioPage',
    summary: 'Console: every project with its stage, RAG and reasons, waiting, overdue and next due date',
    responses: {
      200: { description: 'The portfolio page', content: htmlPage },
      303: { description: 'Not signed in: to the sign-in page' },
    },
  }),
  projectPage: declare('console', 'session', {
    method: 'get',
    path: '/projects/{id}',
    operationId: 'projectPage',
    summary: 'Console: a project, its records, gates and events, with the forms of the PM’s actions',
    request: {
      params: z.object({ id: projectId }),
      query: z.object({
        cursor: z.string().max(2000).optional().meta({ description: 'The next page of events' }),
        notice: z.string().max(40).optional().meta({ description: 'What the last form did' }),
        ref: z.string().max(200).optional().meta({ description: 'Which record the notice is about' }),
      }),
    },
    responses: {
      200: { description: 'The project page', content: htmlPage },
      303: { description: 'Not signed in: to the sign-in page' },
      404: { description: 'No such project', content: htmlPage },
    },
  }),
  documentDownload: declare('console', 'session', {
    method: 'get',
    path: '/projects/{id}/documents/{documentId}',
    operationId: 'documentDownload',
    summary: 'Console: download a project document (charter, plan, status report, close-out report)',
    request: {
      params: z.object({ id: projectId, documentId: described(recordIdSchema, 'Document id') }),
      query: documentQuerySchema,
    },
    responses: {
      200: {
        description: 'The document (PDF, as an attachment)',
        content: { 'application/pdf': { schema: z.string().meta({ format: 'binary' }) } },
      },
      303: { description: 'Not signed in: to the sign-in page' },
      404: { description: 'No such project or document', content: htmlPage },
    },
  }),
  ...recordForms(
    'task',
    'tasks',
    'taskId',
    recordIdSchema,
    'Task or deliverable id',
    'a task or deliverable',
  ),
  ...removeForm('task', 'tasks', 'taskId', recordIdSchema, 'Task id', 'a task'),
  ...recordForms('risk', 'risks', 'riskId', recordIdSchema, 'Risk id', 'a risk'),
  ...removeForm('risk', 'risks', 'riskId', recordIdSchema, 'Risk id', 'a risk'),
  ...recordForms('member', 'team', 'email', memberEmailSchema, 'Team member email', 'a team member'),
  ...removeForm('member', 'team', 'email', memberEmailSchema, 'Team member email', 'a team member'),
  ...recordForms('resource', 'resources', 'resourceId', recordIdSchema, 'Resource id', 'a resource'),
  ...removeForm('resource', 'resources', 'resourceId', recordIdSchema, 'Resource id', 'a resource'),
  ...recordForms('testCase', 'test-cases', 'testId', recordIdSchema, 'Test case id', 'a test case'),
  ...removeForm('testCase', 'test-cases', 'testId', recordIdSchema, 'Test case id', 'a test case'),
  ...recordForms(
    'deployment',
    'deployments',
    'deploymentId',
    recordIdSchema,
    'Deployment id',
    'a deployment record',
  ),
  ...removeForm(
    'deployment',
    'deployments',
    'deploymentId',
    recordIdSchema,
    'Deployment id',
    'a planned deployment',
  ),
  ...recordForms(
    'training',
    'training-sessions',
    'sessionId',
    recordIdSchema,
    'Training session id',
    'a training session',
  ),
  ...removeForm(
    'training',
    'training-sessions',
    'sessionId',
    recordIdSchema,
    'Training session id',
    'a training session',
  ),
  ...recordForms('lesson', 'lessons', 'lessonId', recordIdSchema, 'Lesson id', 'a lesson learned'),
  ...removeForm('lesson', 'lessons', 'lessonId', recordIdSchema, 'Lesson id', 'a lesson learned'),
  submitStageForm: declare('console', 'session', {
    method: 'post',
    path: '/projects/{id}/stages/{stage}/submit',
    operationId: 'submitStageForm',
    summary: 'Console: submit the current stage (the criteria that do not hold are shown)',
    request: {
      params: z.object({ id: projectId, stage: described(stageKeySchema, 'Stage key') }),
      body: { required: true, content: formOf(csrfFormSchema) },
    },
    responses: consoleFormResponses,
  }),
  timeEntryForm: declare('console', 'session', {
    method: 'post',
    path: '/projects/{id}/time-entries',
    operationId: 'timeEntryForm',
    summary: 'Console: record time (person, day, hours, task, note)',
    request: {
      params: z.object({ id: projectId }),
      body: {
        required: true,
        content: formOf(
          csrfFormSchema.extend({
            person: z.string().meta({ description: 'A team member’s email' }),
            date: z.string().meta({ description: 'The day worked, YYYY-MM-DD' }),
            hours: z.string().meta({ description: 'More than 0, at most 24' }),
            task: z.string().optional().meta({ description: 'A task id (empty: none)' }),
            note: z.string().optional(),
          }),
        ),
      },
    },
    responses: consoleFormResponses,
  }),
  correctiveActionForm: declare('console', 'session', {
    method: 'post',
    path: '/projects/{id}/deviations/{key}/corrective-action',
    operationId: 'correctiveActionForm',
    summary: 'Console: record the corrective action of an open deviation',
    request: {
      params: z.object({
        id: projectId,
        key: described(deviationKeySchema, 'Deviation key, e.g. overdue-stage:qa'),
      }),
      body: {
        required: true,
        content: formOf(csrfFormSchema.extend({ action: z.string().meta({ description: 'The action' }) })),
      },
    },
    responses: consoleFormResponses,
  }),
  changeRequestForm: declare('console', 'session', {
    method: 'post',
    path: '/projects/{id}/change-requests',
    operationId: 'changeRequestForm',
    summary: 'Console: raise a change request (only the fields filled in change)',
    request: {
      params: z.object({ id: projectId }),
      body: {
        required: true,
        content: formOf(
          csrfFormSchema.extend({
            reason: z.string().meta({ description: 'Why the change is needed' }),
            impact: z.string().meta({ description: 'What it does to scope, cost and schedule' }),
            budgetAmount: z.string().optional(),
            budgetHours: z.string().optional(),
            timelineEnd: z.string().optional(),
            scopeIn: z.string().optional().meta({ description: 'One item per line' }),
            scopeOut: z.string().optional().meta({ description: 'One item per line' }),
            deliverables: z
              .string()
              .optional()
              .meta({ description: 'One per line: id | stage | name | acceptance' }),
          }),
        ),
      },
    },
    responses: consoleFormResponses,
  }),
  capacityPage: declare('console', 'session', {
    method: 'get',
    path: '/capacity',
    operationId: 'capacityPage',
    summary: 'Console: each person’s allocation per week across the active projects (over 100 % marked)',
    request: { query: capacityQuerySchema },
    responses: {
      200: { description: 'The capacity page', content: htmlPage },
      303: { description: 'Not signed in: to the sign-in page' },
    },
  }),
  outboxPage: declare(
    'console',
    'session',
    {
      method: 'get',
      path: '/outbox',
      operationId: 'outboxPage',
      summary: 'Console: every email sent, with its links clickable (local runtime only)',
      responses: {
        200: { description: 'The outbox page', content: htmlPage },
        303: { description: 'Not signed in: to the sign-in page' },
      },
    },
    { outbox: true },
  ),

  // ---- sign-in and sign-out --------------------------------------------------------------------

  localSignInPage: declare(
    'auth',
    'none',
    {
      method: 'get',
      path: '/auth/local',
      operationId: 'localSignInPage',
      summary: 'Local runtime only: pick a team member of the specs to act as',
      request: { query: nextQuery },
      responses: {
        200: { description: 'The local sign-in page', content: htmlPage },
        400: { description: 'Not a page of this site to return to', content: htmlPage },
      },
    },
    { signIn: 'local' },
  ),
  localSignIn: declare(
    'auth',
    'none',
    {
      method: 'post',
      path: '/auth/local',
      operationId: 'localSignIn',
      summary: 'Local runtime only: sign in as the team member picked',
      request: {
        body: {
          required: true,
          content: formOf(
            z.object({
              email: z.string().meta({ description: 'A team member of a spec' }),
              next: z.string().optional(),
            }),
          ),
        },
      },
      responses: {
        303: { description: 'Signed in: to the page asked for' },
        400: { description: 'Nobody of that email in the specs: the page again', content: htmlPage },
        403: { description: 'A cross-site post', content: htmlPage },
      },
    },
    { signIn: 'local' },
  ),
  signIn: declare(
    'auth',
    'none',
    {
      method: 'get',
      path: '/auth/sign-in',
      operationId: 'signIn',
      summary: 'Sign in with the user pool’s managed login (OAuth 2.0 code flow with PKCE)',
      request: { query: nextQuery },
      responses: {
        303: { description: 'To the managed login page' },
        400: { description: 'Not a page of this site to return to', content: htmlPage },
      },
    },
    { signIn: 'cognito' },
  ),
  authCallback: declare(
    'auth',
    'none',
    {
      method: 'get',
      path: '/auth/callback',
      operationId: 'authCallback',
      summary: 'Where managed login returns: exchanges the code (with the PKCE verifier) for tokens',
      request: {
        query: z.object({
          code: z.string().max(2000).optional(),
          state: z.string().max(200).optional(),
          error: z.string().max(200).optional(),
        }),
      },
      responses: {
        303: { description: 'Signed in: to the page asked for' },
        400: { description: 'The sign-in did not complete: a page saying so', content: htmlPage },
      },
    },
    { signIn: 'cognito' },
  ),
  signedOutPage: declare('auth', 'none', {
    method: 'get',
    path: '/auth/signed-out',
    operationId: 'signedOutPage',
    summary: 'The page after signing out',
    responses: {
      200: { description: 'Signed out, with a link to sign in again', content: htmlPage },
      404: { description: 'No such page', content: htmlPage },
    },
  }),
  signOut: declare('auth', 'none', {
    method: 'post',
    path: '/auth/sign-out',
    operationId: 'signOut',
    summary: 'Sign out: clears the session cookie (and ends the managed login session)',
    request: { body: { required: true, content: formOf(csrfFormSchema) } },
    responses: {
      303: { description: 'Signed out: to the sign-in page or the managed login’s sign-out' },
      403: { description: 'A cross-site post', content: htmlPage },
    },
  }),
} satisfies Record<string, RouteDeclaration>;

/** A route as API Gateway sees it. */
export interface GatewayRoute {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'ANY';
  /** API Gateway path syntax, e.g. `/api/projects/{id}`. */
  path: string;
  auth: RouteAuth;
  /** The function API Gateway sends it to. */
  fn: RouteFunction;
}

/**
 * The routes API Gateway needs in AWS: every declared route of the approval pages, the staff
 * API, the console and Cognito's sign-in (not the local runtime's outbox and sign-in page), plus a catch-all for the rest of `/api` (IAM-authorized) so that an unknown path or method
 * under the API still gets the API's own JSON 404 or 405 from the app, as before.
 */
export function gatewayRoutes(): GatewayRoute[] {
  const routes: GatewayRoute[] = [];
  for (const d of Object.values(ROUTES) as RouteDeclaration[]) {
    // The outbox and the local sign-in exist only in the local runtime.
    if (d.outbox || d.signIn === 'local') continue;
    const method = d.route.method.toUpperCase() as GatewayRoute['method'];
    routes.push({ method, path: d.route.path, auth: d.auth, fn: d.fn });
    if (d.head) routes.push({ method: 'HEAD', path: d.route.path, auth: d.auth, fn: d.fn });
  }
  routes.push({ method: 'ANY', path: '/api/{proxy+}', auth: 'iam', fn: 'http' });
  return routes;
}
