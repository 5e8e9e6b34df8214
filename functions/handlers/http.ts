/**
 * Lambda entry for the HTTP API (API Gateway v2 payload): adapts the event to an HttpRequest,
 * runs it through the one HTTP application (functions/http), adapts the response. The caller
 * identity of /api routes is the IAM principal API Gateway authorized
 * (requestContext.authorizer.iam). The app is built once per cold start.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { awsDeps } from '../composition.js';
import type { Deps } from '../core/ports.js';
import { createHttpApp, type HttpApp } from '../http/app.js';
import { type HttpRequest, type HttpResponse, respond } from '../http/exchange.js';

const eventSchema = z.object({
  rawPath: z.string(),
  headers: z.record(z.string(), z.string().optional()).optional(),
  queryStringParameters: z.record(z.string(), z.string().optional()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
  requestContext: z.object({
    stage: z.string().optional(),
    http: z.object({ method: z.string() }),
    authorizer: z
      .object({
        iam: z.object({ userArn: z.string().optional(), callerId: z.string().optional() }).optional(),
      })
      .optional(),
  }),
});

export type HttpApiEvent = z.input<typeof eventSchema>;

function defined(
  record: Record<string, string | undefined> | undefined,
  lower = false,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record ?? {}))
    if (v !== undefined) out[lower ? k.toLowerCase() : k] = v;
  return out;
}

/** The runtime-neutral request of an API Gateway v2 event. */
export function toHttpRequest(event: unknown): HttpRequest {
  const e = eventSchema.parse(event);
  const stage = e.requestContext.stage;
  // A named stage appears as a path prefix; the $default stage does not.
  const path =
    stage && stage !== '$default' && e.rawPath.startsWith(`/${stage}/`)
      ? e.rawPath.slice(stage.length + 1)
      : e.rawPath || '/';
  const body = e.body ? (e.isBase64Encoded ? Buffer.from(e.body, 'base64').toString('utf8') : e.body) : '';
  const iam = e.requestContext.authorizer?.iam;
  const caller = path.startsWith('/api/') || path === '/api' ? (iam?.userArn ?? iam?.callerId) : undefined;
  return {
    method: e.requestContext.http.method,
    path,
    query: defined(e.queryStringParameters),
    headers: defined(e.headers, true),
    body,
    ...(caller ? { caller } : {}),
  };
}

const PLAIN_HEADERS = {
  'content-type': 'text/plain; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** One app per set of dependencies (in Lambda: one per cold start). */
const apps = new WeakMap<Deps, HttpApp>();
function appFor(deps: Deps): HttpApp {
  let app = apps.get(deps);
  if (!app) {
    app = createHttpApp(deps);
    apps.set(deps, app);
  }
  return app;
}

/** Handles one API Gateway v2 event with the given dependencies. Never throws. */
export async function handleEvent(deps: Deps, event: unknown): Promise<APIGatewayProxyResultV2> {
  let request: HttpRequest;
  try {
    request = toHttpRequest(event);
  } catch {
    deps.log.error('unexpected HTTP API event shape');
    return { statusCode: 400, headers: { ...PLAIN_HEADERS }, body: 'Bad request' };
  }
  let response: HttpResponse;
  try {
    response = await respond(appFor(deps), request);
  } catch (err) {
    // Neither the path (it may hold a link id) nor the message (it may quote keys) is logged.
    deps.log.error('HTTP request failed', { error: err instanceof Error ? err.name : 'unknown' });
    response = { status: 500, headers: { ...PLAIN_HEADERS }, body: 'Internal error' };
  }
  return {
    statusCode: response.status,
    headers: response.headers,
    body: response.body,
    isBase64Encoded: false,
  };
}

/** Lambda handler. */
export const handler = (event: unknown): Promise<APIGatewayProxyResultV2> => handleEvent(awsDeps(), event);
