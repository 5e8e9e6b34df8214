/**
 * Every route of the HTTP application, declared once: method, path, request and response schemas,
 * operationId, summary and who may call it. The app validates requests and registers its handlers
 * from these declarations, the OpenAPI document is generated from them, and the CDK stack reads
 * `gatewayRoutes()` to create the API Gateway routes and their authorizers. Handlers live apart
 * (approval.ts, staff-api.ts, console.ts) so that this module stays free of the core's use cases.
 */
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  approvalFormSchema,
  correctiveActionInputSchema,
  correctiveActionSchema,
  deviationKeySchema,
  errorSchema,
  eventPageSchema,
  eventsQuerySchema,
  memberEmailSchema,
  memberInputSchema,
  outboxSchema,
  projectDetailSchema,
  projectIdSchema,
  projectListSchema,
  recordIdSchema,
  recordSchema,
  resourceInputSchema,
  riskInputSchema,
  stageKeySchema,
  submitResultSchema,
  taskInputSchema,
} from './schemas.js';

/** Who may call a route: an IAM-signed caller (SigV4; API Gateway's IAM authorizer) or anyone. */
export type RouteAuth = 'iam' | 'none';

/**
 * The part of the application a route belongs to. `approval` and `api` run everywhere; `console`
 * (the staff pages) is served where the app is asked to (today the local runtime only).
 */
export type RouteGroup = 'approval' | 'api' | 'console';

/** One route: its OpenAPI operation (which Hono routes and validates) and how it is deployed. */
export interface RouteDeclaration<R extends RouteConfig = RouteConfig> {
  route: R;
  auth: RouteAuth;
  group: RouteGroup;
  /** Needs the sent emails: exists only where the app has an outbox (the local runtime). */
  outbox?: true;
  /** Answers HEAD too (from its GET handler): mail scanners probe emailed links with HEAD. */
  head?: true;
}

/** The security requirement of an operation with this auth (see the `sigv4` scheme in openapi.ts). */
const security = (auth: RouteAuth) => (auth === 'iam' ? [{ sigv4: [] }] : []);

function declare<const R extends RouteConfig>(
  group: RouteGroup,
  auth: RouteAuth,
  route: R,
  extra: { outbox?: true; head?: true } = {},
): RouteDeclaration<R> {
  return { route: createRoute({ ...route, security: security(auth) }), auth, group, ...extra };
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
  'Creates the record when it does not exist (omit `version` or send 0), otherwise updates the fields sent; updating needs the `version` that was read. The current stage gate re-checks its exit criteria afterwards.';

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
      params: z.object({
        id: projectId,
        ...({ [idName]: described(idSchema, idDescription) } as Record<N, z.ZodString>),
      }),
      body: { required: true, content: jsonOf(body) },
    },
    responses: {
      200: { description: 'Updated', content: jsonOf(recordSchema) },
      201: { description: 'Created', content: jsonOf(recordSchema) },
      ...errors(400, 401, 403, 404, 409, 413),
    },
  });
}

// ---- the routes ----------------------------------------------------------------------------------

/** Every route of the application, by operationId. */
export const ROUTES = {
  viewApproval: declare(
    'approval',
    'none',
    {
      method: 'get',
      path: '/approve/{linkId}',
      operationId: 'viewApproval',
      summary: 'The approval page of an emailed link (reads only; mail scanners may fetch it)',
      description:
        'The confirmation form: project, stage, what is approved and the document version. With `?document=plan`, the plan document version the gate asks about. Unknown, expired, superseded and foreign links all get the same neutral page.',
      request: {
        params: z.object({
          linkId: z.string().meta({ description: 'The opaque id from the email' }),
        }),
        query: z.object({
          document: z.string().optional().meta({ description: '`plan`: show the plan document' }),
        }),
      },
      responses: {
        200: {
          description: 'The confirmation page, the decision already made, or the document',
          content: htmlPage,
        },
        403: { description: 'The submitter may not approve their own stage', content: htmlPage },
        404: { description: 'The neutral page: this link is not valid', content: htmlPage },
      },
    },
    { head: true },
  ),
  decideApproval: declare('approval', 'none', {
    method: 'post',
    path: '/approve/{linkId}',
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
  }),

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
  putRisk: upsert(
    'putRisk',
    'Add or update a risk',
    '/api/projects/{id}/risks/{riskId}',
    'riskId',
    recordIdSchema,
    'Risk id',
    riskInputSchema,
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
  putResource: upsert(
    'putResource',
    'Add or update a resource',
    '/api/projects/{id}/resources/{resourceId}',
    'resourceId',
    recordIdSchema,
    'Resource id',
    resourceInputSchema,
  ),
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

  portfolioPage: declare('console', 'none', {
    method: 'get',
    path: '/',
    operationId: 'portfolioPage',
    summary: 'Console: every project with its progress, current stage, status and RAG',
    responses: { 200: { description: 'The portfolio page', content: htmlPage } },
  }),
  projectPage: declare('console', 'none', {
    method: 'get',
    path: '/projects/{id}',
    operationId: 'projectPage',
    summary: 'Console: a project’s health, criteria, deviations, timeline, gates, risks and events',
    request: { params: z.object({ id: projectId }) },
    responses: {
      200: { description: 'The project page', content: htmlPage },
      404: { description: 'No such project', content: htmlPage },
    },
  }),
  outboxPage: declare(
    'console',
    'none',
    {
      method: 'get',
      path: '/outbox',
      operationId: 'outboxPage',
      summary: 'Console: every email sent, with its links clickable (local runtime only)',
      responses: { 200: { description: 'The outbox page', content: htmlPage } },
    },
    { outbox: true },
  ),
} satisfies Record<string, RouteDeclaration>;

/** A route as API Gateway sees it. */
export interface GatewayRoute {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'ANY';
  /** API Gateway path syntax, e.g. `/api/projects/{id}`. */
  path: string;
  auth: RouteAuth;
}

/**
 * The routes API Gateway needs in AWS: every declared route of the approval pages and the staff
 * API, plus a catch-all for the rest of `/api` (IAM-authorized) so that an unknown path or method
 * under the API still gets the API's own JSON 404 or 405 from the app, as before.
 */
export function gatewayRoutes(): GatewayRoute[] {
  const routes: GatewayRoute[] = [];
  for (const d of Object.values(ROUTES) as RouteDeclaration[]) {
    if (d.group === 'console' || d.outbox) continue;
    const method = d.route.method.toUpperCase() as GatewayRoute['method'];
    routes.push({ method, path: d.route.path, auth: d.auth });
    if (d.head) routes.push({ method: 'HEAD', path: d.route.path, auth: d.auth });
  }
  routes.push({ method: 'ANY', path: '/api/{proxy+}', auth: 'iam' });
  return routes;
}
