/**
 * The staff API under /api: one handler per declared route, each calling one use case. Before a
 * handler runs, the route's guard refuses what today's API refuses, in this order: a caller
 * without an identity (401), a body larger than any valid one (413), a state-changing request
 * from another site (403), a malformed percent-encoding in the path (400); then the declared
 * schemas validate the path and query (400 with the fields), and the handler the JSON body.
 */
import type { RouteConfig } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type * as z from 'zod';
import { isCrossSite } from '../core/csrf.js';
import { ValidationError } from '../core/errors.js';
import type { Outbox } from '../core/outbox.js';
import type { Deps } from '../core/ports.js';
import { listTimeEntries } from '../core/use-cases/list-time-entries.js';
import { raiseChangeRequest } from '../core/use-cases/raise-change-request.js';
import { recordCorrectiveAction } from '../core/use-cases/record-corrective-action.js';
import { recordExpense } from '../core/use-cases/record-expense.js';
import { recordTimeEntry } from '../core/use-cases/record-time-entry.js';
import { getBaseline } from '../core/use-cases/staff-get-baseline.js';
import { getCapacity } from '../core/use-cases/staff-get-capacity.js';
import { getDocument } from '../core/use-cases/staff-get-document.js';
import { getProjectDetail } from '../core/use-cases/staff-get-project.js';
import { listChangeRequests } from '../core/use-cases/staff-list-change-requests.js';
import { listDocuments } from '../core/use-cases/staff-list-documents.js';
import { listProjectEvents } from '../core/use-cases/staff-list-events.js';
import { listProjectSummaries } from '../core/use-cases/staff-list-projects.js';
import {
  type RemovableEntity,
  type RemoveResult,
  removeProjectRecord,
} from '../core/use-cases/staff-remove-record.js';
import { staffSubmitStage } from '../core/use-cases/staff-submit-stage.js';
import type { UpsertableEntity, UpsertResult } from '../core/use-cases/staff-upsert.js';
import { upsertDeployment } from '../core/use-cases/staff-upsert-deployment.js';
import { upsertLesson } from '../core/use-cases/staff-upsert-lesson.js';
import { upsertMember } from '../core/use-cases/staff-upsert-member.js';
import { upsertResource } from '../core/use-cases/staff-upsert-resource.js';
import { upsertRisk } from '../core/use-cases/staff-upsert-risk.js';
import { upsertTask } from '../core/use-cases/staff-upsert-task.js';
import { upsertTestCase } from '../core/use-cases/staff-upsert-test-case.js';
import { upsertTrainingSession } from '../core/use-cases/staff-upsert-training-session.js';
import type { AppEnv, HttpRequest } from './exchange.js';
import { type Mount, mountRoute, type RouteFn } from './mount.js';
import { apiErrorResponse, downloadResponse, json, jsonError, parse } from './responses.js';
import { ROUTES, type RouteDeclaration } from './routes.js';

/** Header the local runtime accepts to name the staff member acting (never trusted in AWS). */
export const ACTOR_HEADER = 'x-milepost-actor';

/** Largest JSON body accepted: every valid body is far smaller (the longest field is 2000 characters). */
export const MAX_JSON_BYTES = 64 * 1024;

/** Who acts: the IAM caller in AWS; locally (`local`) the x-milepost-actor header may name a person. */
export function actorOf(req: Pick<HttpRequest, 'caller' | 'headers'>): string | undefined {
  if (!req.caller) return undefined;
  if (req.caller === 'local') {
    const named = req.headers[ACTOR_HEADER]?.trim();
    if (named && named.length <= 200) return named;
  }
  return req.caller;
}

function malformedPath(path: string): boolean {
  try {
    for (const segment of path.split('/')) decodeURIComponent(segment);
    return false;
  } catch {
    return true;
  }
}

/** The checks every API route makes before its schemas and handler (see the module doc). */
function guard(deps: Deps, declaration: RouteDeclaration): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const method = c.req.method.toUpperCase();
    // Hono answers HEAD from a GET route; the API has only the methods it declares.
    if (method === 'HEAD') return jsonError(405, `method ${method} not allowed here`);
    const headers = { [ACTOR_HEADER]: c.req.header(ACTOR_HEADER) ?? '' };
    const actor = actorOf({ headers, ...(c.env?.caller ? { caller: c.env.caller } : {}) });
    if (declaration.auth === 'iam' && !actor)
      return jsonError(401, 'this API needs an authenticated (IAM-signed) request');
    const body = method === 'GET' ? '' : await c.req.text();
    if (Buffer.byteLength(body, 'utf8') > MAX_JSON_BYTES) return jsonError(413, 'request body too large');
    // A web page must not drive the staff API through a browser: locally the API has no
    // authentication, and a cross-site POST without custom headers needs no CORS preflight.
    if (
      method !== 'GET' &&
      isCrossSite(deps.config.publicBaseUrl, c.req.header('origin'), c.req.header('sec-fetch-site'))
    )
      return jsonError(403, 'cross-site requests are not allowed');
    if (malformedPath(c.env?.path ?? c.req.path)) return jsonError(400, 'malformed path');
    c.set('actor', actor ?? 'anonymous');
    await next();
  };
}

/** The JSON schema a declaration gives its request body. */
type JsonBodyOf<D> = D extends {
  route: { request: { body: { content: { 'application/json': { schema: infer S extends z.ZodType } } } } };
}
  ? S
  : never;

/**
 * The request's JSON body, validated by the schema its route declares. Any content type, as
 * before; an empty body means `{}`.
 */
async function jsonBody<D extends RouteDeclaration>(
  c: { req: { text(): Promise<string> } },
  declaration: D,
): Promise<z.output<JsonBodyOf<D>>> {
  const text = await c.req.text();
  let value: unknown = {};
  if (text.trim()) {
    try {
      value = JSON.parse(text);
    } catch {
      throw new ValidationError([{ path: '(body)', message: 'must be valid JSON' }]);
    }
  }
  const content = declaration.route.request?.body?.content?.['application/json'];
  const schema = (content && 'schema' in content ? content.schema : undefined) as JsonBodyOf<D>;
  return parse(schema, value);
}

function removed<E extends RemovableEntity>(result: RemoveResult<E>): Response {
  const { entity: _entity, ...record } = result.record as { entity: string } & Record<string, unknown>;
  return json(200, record);
}

function upserted<E extends UpsertableEntity>(result: UpsertResult<E>): Response {
  const { entity: _entity, ...record } = result.record as { entity: string } & Record<string, unknown>;
  return json(result.created ? 201 : 200, record);
}

/** Mounts the staff API's routes (and `GET /api/outbox` when there is an outbox). */
export function mountStaffApi(mount: Mount, deps: Deps, outbox: Outbox | undefined): void {
  const on = <R extends RouteConfig>(declaration: RouteDeclaration<R>, handler: RouteFn<R>) =>
    mountRoute(
      mount.app,
      declaration,
      async (c) => {
        try {
          return await handler(c);
        } catch (err) {
          return apiErrorResponse(deps.log, err, c as unknown as Context<AppEnv>);
        }
      },
      { middleware: [guard(deps, declaration)] },
    );

  on(ROUTES.getOpenApi, () => json(200, mount.openApiDocument()));
  on(ROUTES.listProjects, async () => json(200, await listProjectSummaries(deps)));
  on(ROUTES.getProject, async (c) => json(200, await getProjectDetail(deps, c.req.valid('param').id)));
  on(ROUTES.listProjectEvents, async (c) =>
    json(200, await listProjectEvents(deps, c.req.valid('param').id, c.req.valid('query'))),
  );
  on(ROUTES.putTask, async (c) => {
    const { id, taskId } = c.req.valid('param');
    const body = await jsonBody(c, ROUTES.putTask);
    return upserted(await upsertTask(deps, id, taskId, body, c.get('actor')));
  });
  on(ROUTES.putRisk, async (c) => {
    const { id, riskId } = c.req.valid('param');
    const body = await jsonBody(c, ROUTES.putRisk);
    return upserted(await upsertRisk(deps, id, riskId, body, c.get('actor')));
  });
  on(ROUTES.putTeamMember, async (c) => {
    const { id, email } = c.req.valid('param');
    const body = await jsonBody(c, ROUTES.putTeamMember);
    return upserted(await upsertMember(deps, id, email, body, c.get('actor')));
  });
  on(ROUTES.putResource, async (c) => {
    const { id, resourceId } = c.req.valid('param');
    const body = await jsonBody(c, ROUTES.putResource);
    return upserted(await upsertResource(deps, id, resourceId, body, c.get('actor')));
  });
  on(ROUTES.putTestCase, async (c) => {
    const { id, testId } = c.req.valid('param');
    const body = await jsonBody(c, ROUTES.putTestCase);
    return upserted(await upsertTestCase(deps, id, testId, body, c.get('actor')));
  });
  on(ROUTES.putDeployment, async (c) => {
    const { id, deploymentId } = c.req.valid('param');
    const body = await jsonBody(c, ROUTES.putDeployment);
    return upserted(await upsertDeployment(deps, id, deploymentId, body, c.get('actor')));
  });
  on(ROUTES.putTrainingSession, async (c) => {
    const { id, sessionId } = c.req.valid('param');
    const body = await jsonBody(c, ROUTES.putTrainingSession);
    return upserted(await upsertTrainingSession(deps, id, sessionId, body, c.get('actor')));
  });
  // Removals: one per kind, on the path of its upsert (`key` names its id); the version read is `?version=N`.
  const removal = <R extends RouteConfig>(
    declaration: RouteDeclaration<R>,
    entity: RemovableEntity,
    key: string,
  ) =>
    on(declaration, async (c) => {
      const param = c.req.valid('param' as never) as Record<string, string>;
      const { version } = c.req.valid('query' as never) as { version: number };
      const id = param[key] as string;
      return removed(
        await removeProjectRecord(deps, {
          projectId: param['id'] as string,
          entity,
          id,
          version,
          actor: c.get('actor'),
        }),
      );
    });
  removal(ROUTES.deleteTask, 'task', 'taskId');
  removal(ROUTES.deleteRisk, 'risk', 'riskId');
  removal(ROUTES.deleteTeamMember, 'member', 'email');
  removal(ROUTES.deleteResource, 'resource', 'resourceId');
  removal(ROUTES.deleteTestCase, 'test_case', 'testId');
  removal(ROUTES.deleteDeployment, 'deployment', 'deploymentId');
  removal(ROUTES.deleteTrainingSession, 'training_session', 'sessionId');
  removal(ROUTES.deleteLesson, 'lesson', 'lessonId');
  on(ROUTES.recordTimeEntry, async (c) => {
    const { id } = c.req.valid('param');
    const body = await jsonBody(c, ROUTES.recordTimeEntry);
    const { entry, burn } = await recordTimeEntry(deps, id, body, c.get('actor'));
    const { entity: _entity, ...fields } = entry;
    return json(201, { ...fields, burn });
  });
  on(ROUTES.listTimeEntries, async (c) => json(200, await listTimeEntries(deps, c.req.valid('param').id)));
  on(ROUTES.recordExpense, async (c) => {
    const { id } = c.req.valid('param');
    const body = await jsonBody(c, ROUTES.recordExpense);
    const { expense, burn } = await recordExpense(deps, id, body, c.get('actor'));
    const { entity: _entity, ...fields } = expense;
    return json(201, { ...fields, burn });
  });
  on(ROUTES.putLesson, async (c) => {
    const { id, lessonId } = c.req.valid('param');
    const body = await jsonBody(c, ROUTES.putLesson);
    return upserted(await upsertLesson(deps, id, lessonId, body, c.get('actor')));
  });
  on(ROUTES.listDocuments, async (c) => json(200, await listDocuments(deps, c.req.valid('param').id)));
  on(ROUTES.getDocument, async (c) => {
    const { id, documentId } = c.req.valid('param');
    const doc = await getDocument(deps, id, documentId, c.req.valid('query').version);
    const res = downloadResponse(doc.body, doc.contentType, doc.fileName);
    res.headers.set('x-document-version', String(doc.version));
    res.headers.set('x-document-sha256', doc.sha256);
    return res;
  });
  on(ROUTES.recordCorrectiveAction, async (c) => {
    const { id, key } = c.req.valid('param');
    const body = await jsonBody(c, ROUTES.recordCorrectiveAction);
    return json(200, await recordCorrectiveAction(deps, id, key, body.action, c.get('actor')));
  });
  on(ROUTES.submitStage, async (c) => {
    const { id, stage } = c.req.valid('param');
    return json(200, await staffSubmitStage(deps, id, stage, c.get('actor')));
  });
  on(ROUTES.raiseChangeRequest, async (c) => {
    const { id } = c.req.valid('param');
    const body = await jsonBody(c, ROUTES.raiseChangeRequest);
    return json(201, await raiseChangeRequest(deps, id, body, c.get('actor')));
  });
  on(ROUTES.listChangeRequests, async (c) =>
    json(200, await listChangeRequests(deps, c.req.valid('param').id)),
  );
  on(ROUTES.getBaseline, async (c) => json(200, await getBaseline(deps, c.req.valid('param').id)));
  on(ROUTES.getCapacity, async (c) => json(200, await getCapacity(deps, c.req.valid('query'))));
  if (outbox) on(ROUTES.listOutbox, async () => json(200, await outbox.list()));
}
