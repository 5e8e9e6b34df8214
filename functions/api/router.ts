/**
 * The staff API under /api: a route table, zod validation of paths, queries and bodies, and the
 * mapping of core errors to JSON responses (400 with field paths, 404, 409). Thin: each route
 * calls one use case.
 */
import type { z } from 'zod';
import { isCrossSite } from '../core/csrf.js';
import { ConflictError, NotFoundError, StateError, ValidationError } from '../core/errors.js';
import type { Deps } from '../core/ports.js';
import { recordCorrectiveAction } from '../core/use-cases/record-corrective-action.js';
import { getProjectDetail } from '../core/use-cases/staff-get-project.js';
import { listProjectEvents } from '../core/use-cases/staff-list-events.js';
import { listProjectSummaries } from '../core/use-cases/staff-list-projects.js';
import { staffSubmitStage } from '../core/use-cases/staff-submit-stage.js';
import type { UpsertableEntity, UpsertResult } from '../core/use-cases/staff-upsert.js';
import { upsertMember } from '../core/use-cases/staff-upsert-member.js';
import { upsertResource } from '../core/use-cases/staff-upsert-resource.js';
import { upsertRisk } from '../core/use-cases/staff-upsert-risk.js';
import { upsertTask } from '../core/use-cases/staff-upsert-task.js';
import type { HttpRequest, HttpResponse } from '../handlers/http-types.js';
import { buildOpenApi } from './openapi.js';
import {
  correctiveActionInputSchema,
  deviationKeySchema,
  eventsQuerySchema,
  memberEmailSchema,
  memberInputSchema,
  projectIdSchema,
  recordIdSchema,
  resourceInputSchema,
  riskInputSchema,
  stageKeySchema,
  taskInputSchema,
} from './schemas.js';

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** Header the local runtime accepts to name the staff member acting (never trusted in AWS). */
export const ACTOR_HEADER = 'x-milepost-actor';

export function json(status: number, body: unknown): HttpResponse {
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

export function jsonError(
  status: number,
  error: string,
  issues?: { path: string; message: string }[],
): HttpResponse {
  return json(status, issues?.length ? { error, issues } : { error });
}

interface RouteContext {
  deps: Deps;
  req: HttpRequest;
  params: Record<string, string>;
  actor: string;
}

interface Route {
  method: string;
  pattern: RegExp;
  /** Names of the pattern's capture groups, in order. */
  names: string[];
  /** False for routes anyone may read (the OpenAPI document). */
  auth: boolean;
  run: (ctx: RouteContext) => Promise<HttpResponse>;
}

function route(method: string, path: string, run: Route['run'], auth = true): Route {
  const names: string[] = [];
  const source = path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { method, pattern: new RegExp(`^${source}/?$`), names, auth, run };
}

/** Parses with zod; failures become a ValidationError with the field paths (prefixed by `where`). */
function parse<T extends z.ZodType>(schema: T, value: unknown, where?: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((i) => ({
      path: [where, ...i.path.map(String)].filter(Boolean).join('.') || '(body)',
      message: i.message,
    })),
  );
}

/** Largest JSON body accepted: every valid body is far smaller (the longest field is 2000 characters). */
export const MAX_JSON_BYTES = 64 * 1024;

function jsonBody(req: HttpRequest): unknown {
  if (!req.body.trim()) return {};
  try {
    return JSON.parse(req.body);
  } catch {
    throw new ValidationError([{ path: '(body)', message: 'must be valid JSON' }]);
  }
}

function upserted<E extends UpsertableEntity>(result: UpsertResult<E>): HttpResponse {
  const { entity: _entity, ...record } = result.record as { entity: string } & Record<string, unknown>;
  return json(result.created ? 201 : 200, record);
}

const projectParam = (ctx: RouteContext) => parse(projectIdSchema, ctx.params.id, 'id');

const ROUTES: Route[] = [
  route('GET', '/api/openapi.json', async () => json(200, buildOpenApi()), false),
  route('GET', '/api/projects', async ({ deps }) => json(200, await listProjectSummaries(deps))),
  route('GET', '/api/projects/{id}', async (ctx) =>
    json(200, await getProjectDetail(ctx.deps, projectParam(ctx))),
  ),
  route('GET', '/api/projects/{id}/events', async (ctx) => {
    const query = parse(eventsQuerySchema, ctx.req.query, 'query');
    return json(200, await listProjectEvents(ctx.deps, projectParam(ctx), query));
  }),
  route('PUT', '/api/projects/{id}/tasks/{taskId}', async (ctx) => {
    const taskId = parse(recordIdSchema, ctx.params.taskId, 'taskId');
    const body = parse(taskInputSchema, jsonBody(ctx.req));
    return upserted(await upsertTask(ctx.deps, projectParam(ctx), taskId, body, ctx.actor));
  }),
  route('PUT', '/api/projects/{id}/risks/{riskId}', async (ctx) => {
    const riskId = parse(recordIdSchema, ctx.params.riskId, 'riskId');
    const body = parse(riskInputSchema, jsonBody(ctx.req));
    return upserted(await upsertRisk(ctx.deps, projectParam(ctx), riskId, body, ctx.actor));
  }),
  route('PUT', '/api/projects/{id}/team/{email}', async (ctx) => {
    const email = parse(memberEmailSchema, ctx.params.email, 'email');
    const body = parse(memberInputSchema, jsonBody(ctx.req));
    return upserted(await upsertMember(ctx.deps, projectParam(ctx), email, body, ctx.actor));
  }),
  route('PUT', '/api/projects/{id}/resources/{resourceId}', async (ctx) => {
    const resourceId = parse(recordIdSchema, ctx.params.resourceId, 'resourceId');
    const body = parse(resourceInputSchema, jsonBody(ctx.req));
    return upserted(await upsertResource(ctx.deps, projectParam(ctx), resourceId, body, ctx.actor));
  }),
  route('POST', '/api/projects/{id}/deviations/{key}/corrective-action', async (ctx) => {
    const key = parse(deviationKeySchema, ctx.params.key, 'key');
    const body = parse(correctiveActionInputSchema, jsonBody(ctx.req));
    return json(200, await recordCorrectiveAction(ctx.deps, projectParam(ctx), key, body.action, ctx.actor));
  }),
  route('POST', '/api/projects/{id}/stages/{stage}/submit', async (ctx) => {
    const stage = parse(stageKeySchema, ctx.params.stage, 'stage');
    return json(200, await staffSubmitStage(ctx.deps, projectParam(ctx), stage, ctx.actor));
  }),
];

/** Who acts: the IAM caller in AWS; locally (`local`) the x-milepost-actor header may name a person. */
export function actorOf(req: HttpRequest): string | undefined {
  if (!req.caller) return undefined;
  if (req.caller === 'local') {
    const named = req.headers[ACTOR_HEADER]?.trim();
    if (named && named.length <= 200) return named;
  }
  return req.caller;
}

/** Handles a request under /api. */
export async function handleApi(deps: Deps, req: HttpRequest): Promise<HttpResponse> {
  const method = req.method.toUpperCase();
  let pathMatched = false;
  for (const r of ROUTES) {
    const match = r.pattern.exec(req.path);
    if (!match) continue;
    pathMatched = true;
    if (r.method !== method) continue;
    const actor = actorOf(req);
    if (r.auth && !actor) return jsonError(401, 'this API needs an authenticated (IAM-signed) request');
    if (Buffer.byteLength(req.body, 'utf8') > MAX_JSON_BYTES) return jsonError(413, 'request body too large');
    // A web page must not drive the staff API through a browser: locally the API has no
    // authentication, and a cross-site POST without custom headers needs no CORS preflight.
    if (
      method !== 'GET' &&
      isCrossSite(deps.config.publicBaseUrl, req.headers.origin, req.headers['sec-fetch-site'])
    )
      return jsonError(403, 'cross-site requests are not allowed');
    const params: Record<string, string> = {};
    try {
      r.names.forEach((name, i) => {
        params[name] = decodeURIComponent(match[i + 1] ?? '');
      });
    } catch {
      return jsonError(400, 'malformed path');
    }
    try {
      return await r.run({ deps, req, params, actor: actor ?? 'anonymous' });
    } catch (err) {
      return errorResponse(deps, err, req);
    }
  }
  return pathMatched ? jsonError(405, `method ${method} not allowed here`) : jsonError(404, 'not found');
}

/** Maps core errors to responses; anything else is logged and becomes a plain 500. */
export function errorResponse(deps: Deps, err: unknown, req: HttpRequest): HttpResponse {
  if (err instanceof ValidationError) return jsonError(400, 'invalid request', err.issues);
  if (err instanceof NotFoundError) return jsonError(404, err.message);
  if (err instanceof ConflictError) return jsonError(409, err.message);
  if (err instanceof StateError) return jsonError(409, err.message);
  // The error's name only: messages of unexpected errors (SDK, store) may quote keys or values.
  deps.log.error('staff API request failed', {
    method: req.method,
    path: req.path,
    error: err instanceof Error ? err.name : 'unknown',
  });
  return jsonError(500, 'internal error');
}
