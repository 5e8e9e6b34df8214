/**
 * Lambda entry for the HTTP API (API Gateway v2 payload): adapts the event to an HttpRequest,
 * runs it through the one HTTP application (functions/http), adapts the response. The caller
 * identity of /api routes is the IAM principal API Gateway authorized
 * (requestContext.authorizer.iam); the console's routes check the session cookie in the app
 * (API Gateway hands cookies apart from the headers: they are joined into the Cookie header, and
 * Set-Cookie values go back in `cookies`). The app is built once per cold start.
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { type Env, readEnv } from '../adapters/config.js';
import { lambdaDeps } from '../composition/deps.js';
import { documentStore } from '../composition/documents.js';
import { emailNotifier } from '../composition/notifier.js';
import { lambdaRenderer } from '../composition/renderer.js';
import { dynamoStore } from '../composition/store.js';
import { sfnWorkflow } from '../composition/workflow.js';
import type { Deps } from '../core/ports.js';
import { createHttpApp, type HttpApp, type HttpAppOptions } from '../http/app.js';
import { type HttpRequest, type HttpResponse, respond } from '../http/exchange.js';
import { cognitoSignIn } from '../http/sign-in.js';

const eventSchema = z.object({
  rawPath: z.string(),
  headers: z.record(z.string(), z.string().optional()).optional(),
  /** API Gateway v2 hands the request's cookies apart from the headers. */
  cookies: z.array(z.string()).optional(),
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

/** One app per set of dependencies (in Lambda: one per cold start). */
const apps = new WeakMap<Deps, HttpApp>();
function appFor(deps: Deps, options: HttpAppOptions): HttpApp {
  let app = apps.get(deps);
  if (!app) {
    app = createHttpApp(deps, options);
    apps.set(deps, app);
  }
  return app;
}

/**
 * The app's options in AWS: the console with Cognito's managed login when the platform stack
 * configured the user pool (COGNITO_* variables), else the approval pages and staff API only.
 */
export function awsHttpOptions(env: Env): HttpAppOptions {
  if (!env.COGNITO_USER_POOL_ID || !env.COGNITO_CLIENT_ID || !env.COGNITO_DOMAIN) return {};
  return {
    console: {
      signIn: cognitoSignIn({
        userPoolId: env.COGNITO_USER_POOL_ID,
        clientId: env.COGNITO_CLIENT_ID,
        domain: env.COGNITO_DOMAIN,
        baseUrl: env.PUBLIC_BASE_URL,
      }),
    },
  };
}

/** Handles one API Gateway v2 event with the given dependencies. Never throws. */
export async function handleEvent(
  deps: Deps,
  event: unknown,
  options: HttpAppOptions = {},
): Promise<APIGatewayProxyResultV2> {
  let request: HttpRequest;
  try {
    request = toHttpRequest(event);
  } catch {
    deps.log.error('unexpected HTTP API event shape');
    return { statusCode: 400, headers: { ...PLAIN_HEADERS }, body: 'Bad request' };
  }
  let response: HttpResponse;
  try {
    response = await respond(appFor(deps, options), request);
  } catch (err) {
    // Neither the path (it may hold a link id) nor the message (it may quote keys) is logged.
    deps.log.error('HTTP request failed', { error: err instanceof Error ? err.name : 'unknown' });
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

/** Approval pages, staff API and console: records, decisions sent to waiting gate tasks, emails, documents. */
const functionDeps = lambdaDeps({
  store: dynamoStore,
  workflow: sfnWorkflow,
  notifier: emailNotifier,
  documents: documentStore,
  renderer: lambdaRenderer,
});

let options: HttpAppOptions | undefined;
/** Lambda handler. */
export const handler = (event: unknown): Promise<APIGatewayProxyResultV2> => {
  const deps = functionDeps();
  if (!options) {
    try {
      options = awsHttpOptions(readEnv());
    } catch (err) {
      // A sign-in misconfiguration must not take the approval pages and the staff API down with
      // it: they are served, the console is not, and the error is logged (by name only).
      deps.log.error('console sign-in is misconfigured; the console is not served', {
        error: err instanceof Error ? err.name : 'unknown',
      });
      options = {};
    }
  }
  return handleEvent(deps, event, options);
};
