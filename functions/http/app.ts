/**
 * The HTTP application: the approval pages, the staff API and (where asked) the staff console,
 * every route declared once in routes.ts, each with the function that serves it (`fn`). In AWS,
 * API Gateway sends each route to its function: the `approvals` function runs the approval pages'
 * app (approvals-app.ts), the `http` function the staff app built here (`createStaffApp`). The
 * local server (local/http-server.ts) and the tests run `createHttpApp`, which hands each request
 * to the app of the function its route names, by the same declarations. All of them take an
 * HttpRequest through `respond` (exchange.ts).
 *
 * What no declared route matches: under /api a JSON 404, or 405 when the path exists with another
 * method; on an approval path the approvals app's answer (the 405 page); elsewhere the not-found
 * page (the console's where the console is served, which also answers other methods than GET
 * with 405).
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Outbox } from '../core/outbox.js';
import { notFoundPage } from '../core/pages/approval-pages.js';
import { CONSOLE_HEADERS, notFoundPage as consoleNotFoundPage } from '../core/pages/console/layout.js';
import type { Deps } from '../core/ports.js';
import type { ApprovalOptions } from '../core/use-cases/view-approval.js';
import { createApprovalsApp } from './approvals-app.js';
import { mountAuth } from './auth.js';
import { mountConsole } from './console.js';
import {
  type AppEnv,
  type FetchApp,
  type HttpBindings,
  type HttpRequest,
  type HttpResponse,
  respond,
  routingPath,
} from './exchange.js';
import type { Mount } from './mount.js';
import { generateOpenApi, registerSecuritySchemes } from './openapi.js';
import { htmlResponse, issuesOf, json, jsonError, pageResponse } from './responses.js';
import { ROUTES, type RouteDeclaration, type RouteFunction } from './routes.js';
import { sessionOf } from './session.js';
import type { SignIn } from './sign-in.js';
import { mountStaffApi } from './staff-api.js';

export interface HttpAppOptions {
  /** The approval pages' rules: self-approval, and the clock of the form's CSRF nonce. */
  approval?: ApprovalOptions;
  /**
   * Serve the staff console (`/`, `/projects/{id}` and its forms, `/outbox` with an outbox) and
   * its sign-in: Cognito's managed login in AWS, the local sign-in page in the local runtime.
   * Without it the app serves the approval pages and the staff API only.
   */
  console?: { signIn: SignIn };
  /** The sent emails: adds `GET /api/outbox` and, with the console, `/outbox` (local runtime). */
  outbox?: Outbox;
}

/** The staff app (the http function's): a Fetch handler that reads HttpBindings (see exchange.ts). */
export type HttpApp = OpenAPIHono<AppEnv>;

const escaped = (path: string) => path.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
const pathPattern = (path: string) => new RegExp(`^${escaped(path).replace(/\\?\{\w+\}/g, '[^/]+')}$`);

/**
 * The paths a function answers, whatever the method, as received: a declared path with any
 * parameter possibly empty and a trailing slash allowed (`/approve/` is the approval pages' too).
 */
const servedPattern = (path: string) => new RegExp(`^${escaped(path).replace(/\\?\{\w+\}/g, '[^/]*')}/?$`);

/** Each route function but `http` (the rest), with the paths of its declared routes. */
const FUNCTION_PATHS: [RouteFunction, RegExp[]][] = (() => {
  const byFn = new Map<RouteFunction, Set<string>>();
  for (const d of Object.values(ROUTES) as RouteDeclaration[]) {
    if (d.fn === 'http') continue;
    byFn.set(d.fn, (byFn.get(d.fn) ?? new Set()).add(d.route.path));
  }
  return [...byFn].map(([fn, paths]) => [fn, [...paths].map(servedPattern)]);
})();

/**
 * The function whose code answers a request for `path` (as received), from the route
 * declarations: the function of the declared route at that path, `http` for any other.
 */
export function routeFunctionOf(path: string): RouteFunction {
  return FUNCTION_PATHS.find(([, patterns]) => patterns.some((p) => p.test(path)))?.[0] ?? 'http';
}

/**
 * The whole application as the two functions serve it together (local runtime, tests): each
 * request goes to the app of the function its route declaration names (see `routeFunctionOf`),
 * as API Gateway sends it in AWS.
 */
export function createHttpApp(deps: Deps, options: HttpAppOptions = {}): FetchApp {
  const apps: Record<RouteFunction, FetchApp> = {
    approvals: createApprovalsApp(deps, options.approval ? { approval: options.approval } : {}),
    http: createStaffApp(deps, options),
  };
  return {
    fetch: (request: Request, env: HttpBindings) =>
      apps[routeFunctionOf(env?.path ?? new URL(request.url).pathname)].fetch(request, env),
  };
}

/**
 * Builds the http function's application over the core's dependencies: every declared route
 * whose `fn` is `http`. The approval routes are in its OpenAPI document, served elsewhere.
 */
export function createStaffApp(deps: Deps, options: HttpAppOptions = {}): HttpApp {
  const app = new OpenAPIHono<AppEnv>({
    getPath: (request, o) => routingPath(request, o?.env as AppEnv['Bindings'] | undefined),
    // Path and query validation of the staff API: 400 with the fields (query ones as `query.x`).
    defaultHook: (result) => {
      if (result.success) return;
      return jsonError(
        400,
        'invalid request',
        issuesOf(result.error, result.target === 'query' ? 'query' : undefined),
      );
    },
  });
  registerSecuritySchemes(app);
  let document: unknown;
  const mount: Mount = {
    app,
    openApiDocument: () => {
      document ??= generateOpenApi(app, deps.config.publicBaseUrl);
      return document;
    },
  };

  // The approval pages are the approvals function's (approvals-app.ts): documented here only.
  for (const d of Object.values(ROUTES) as RouteDeclaration[])
    if (d.fn !== 'http') app.openAPIRegistry.registerPath(d.route);
  mountStaffApi(mount, deps, options.outbox);
  if (options.console) {
    mountAuth(mount, deps, options.console.signIn);
    mountConsole(mount, deps, options.console.signIn, options.outbox);
  }

  const signInKind = options.console?.signIn.kind;
  const mounted = (Object.values(ROUTES) as RouteDeclaration[]).filter(
    (d) =>
      ((d.group !== 'console' && d.group !== 'auth') || options.console) &&
      (!d.outbox || options.outbox) &&
      (!d.signIn || d.signIn === signInKind),
  );
  const apiPaths = mounted.filter((d) => d.group === 'api').map((d) => pathPattern(d.route.path));

  app.notFound(async (c) => {
    const path = c.req.path;
    const method = c.req.method.toUpperCase();
    if (path === '/api' || path.startsWith('/api/')) {
      return apiPaths.some((p) => p.test(path))
        ? jsonError(405, `method ${method} not allowed here`)
        : jsonError(404, 'not found');
    }
    if (options.console) {
      if (method !== 'GET' && method !== 'HEAD') return json(405, { message: 'method not allowed' });
      // A signed-in person keeps the console's header (its links and Sign out) on a page that
      // does not exist; nobody is sent to sign in for one.
      const found = await sessionOf(options.console.signIn, c.req.header('cookie'), new Date());
      const session = found ? { ...found.user, outbox: Boolean(options.outbox) } : undefined;
      return htmlResponse(404, consoleNotFoundPage(session), CONSOLE_HEADERS);
    }
    return pageResponse(notFoundPage());
  });
  // Routes map their own errors; anything else is the runtime's to report (the local server
  // reports it and answers 500; the Lambda entry logs its name and answers 500).
  app.onError((err) => {
    throw err;
  });
  return app;
}

/**
 * Runs one request through a new application over `deps`: for tests and one-off callers (the
 * runtimes keep one app and call `respond`).
 */
export function handleHttp(
  deps: Deps,
  req: HttpRequest,
  options: HttpAppOptions = {},
): Promise<HttpResponse> {
  return respond(createHttpApp(deps, options), req);
}
