/**
 * API Gateway HTTP API (payload 2.0) events to and from the runtime-neutral exchange, for both
 * functions behind the API (handlers/http.ts, handlers/approvals.ts). The caller identity of /api
 * routes is the IAM principal API Gateway authorized (requestContext.authorizer.iam); API Gateway
 * hands cookies apart from the headers: they are joined into the Cookie header, and Set-Cookie
 * values go back in `cookies`. zod/mini: the approvals function loads no classic zod for this.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import '../core/zod-english.js';
import type { Logger } from '../core/ports.js';
import { type FetchApp, type HttpRequest, type HttpResponse, respond } from './exchange.js';

const optionalStrings = z.optional(z.record(z.string(), z.optional(z.string())));

const eventSchema = z.object({
  rawPath: z.string(),
  headers: optionalStrings,
  /** API Gateway v2 hands the request's cookies apart from the headers. */
  cookies: z.optional(z.array(z.string())),
  queryStringParameters: optionalStrings,
  body: z.optional(z.string()),
  isBase64Encoded: z.optional(z.boolean()),
  requestContext: z.object({
    stage: z.optional(z.string()),
    http: z.object({ method: z.string() }),
    authorizer: z.optional(
      z.object({
        iam: z.optional(z.object({ userArn: z.optional(z.string()), callerId: z.optional(z.string()) })),
      }),
    ),
  }),
});

/** The part of an API Gateway v2 event the functions read. */
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

/** The runtime-neutral request of an API Gateway v2 event (throws on an unexpected shape). */
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
  const headers = defined(e.headers, true);
  if (e.cookies?.length) headers.cookie = e.cookies.join('; ');
  return {
    method: e.requestContext.http.method,
    path,
    query: defined(e.queryStringParameters),
    headers,
    body,
    ...(caller ? { caller } : {}),
  };
}

const PLAIN_HEADERS = {
  'content-type': 'text/plain; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/**
 * Runs one API Gateway v2 event through `app` and answers in API Gateway's shape. Never throws:
 * a malformed event is a plain 400, a failure a plain 500, each logged by name only (neither the
 * path, which may hold a link id, nor a message, which may quote keys).
 */
export async function answerEvent(
  log: Logger,
  app: () => FetchApp,
  event: unknown,
): Promise<APIGatewayProxyResultV2> {
  let request: HttpRequest;
  try {
    request = toHttpRequest(event);
  } catch {
    log.error('unexpected HTTP API event shape');
    return { statusCode: 400, headers: { ...PLAIN_HEADERS }, body: 'Bad request' };
  }
  let response: HttpResponse;
  try {
    response = await respond(app(), request);
  } catch (err) {
    log.error('HTTP request failed', { error: err instanceof Error ? err.name : 'unknown' });
    response = { status: 500, headers: { ...PLAIN_HEADERS }, body: 'Internal error' };
  }
  return {
    statusCode: response.status,
    headers: response.headers,
    ...(response.cookies?.length ? { cookies: response.cookies } : {}),
    body: response.body,
    // Documents (PDF) are bytes: API Gateway decodes a base64 body flagged so before sending it.
    isBase64Encoded: response.isBase64Encoded ?? false,
  };
}
