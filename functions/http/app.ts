/**
 * The one HTTP application: the approval pages, the staff API and (where asked) the staff console,
 * every route declared once in routes.ts. The same app object serves API Gateway in Lambda
 * (handlers/http.ts) and the local server (local/http-server.ts): both hand it an HttpRequest
 * through `respond` (exchange.ts).
 *
 * What no declared route matches: under /api a JSON 404, or 405 when the path exists with another
 * method; on an approval path with another method the 405 page; elsewhere the not-found page (the
 * console's where the console is served, which also answers other methods than GET with 405).
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Outbox } from '../core/outbox.js';
import { notFoundPage, renderMethodNotAllowed } from '../core/pages/approval-pages.js';
import { CONSOLE_HEADERS, notFoundPage as consoleNotFoundPage } from '../core/pages/console/layout.js';
import type { Deps } from '../core/ports.js';
import type { ApprovalOptions } from '../core/use-cases/view-approval.js';
import { approvalPages, mountApprovalPages } from './approval.js';
import { mountAuth } from './auth.js';
import { mountConsole } from './console.js';
import { type AppEnv, type HttpRequest, type HttpResponse, respond, routingPath } from './exchange.js';
import type { Mount } from './mount.js';
import { generateOpenApi, registerSecuritySchemes } from './openapi.js';
import { htmlResponse, issuesOf, json, jsonError, pageResponse } from './responses.js';
import { ROUTES, type RouteDeclaration } from './routes.js';
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

/** The application: a Fetch handler that reads HttpBindings (see exchange.ts). */
export type HttpApp = OpenAPIHono<AppEnv>;

const pathPattern = (path: string) =>
  new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\}/g, '[^/]+')}$`);

/** An approval path as received: `/approve/{linkId}`, the id possibly empty. */
const APPROVE = /^\/approve\/([^/]*)\/?$/;

/** Builds the application over the core's dependencies. */
export function createHttpApp(deps: Deps, options: HttpAppOptions = {}): HttpApp {
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

  const approval = approvalPages(deps, options.approval ?? {});
  mountApprovalPages(mount, approval);
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

  app.notFound((c) => {
    const path = c.req.path;
    const method = c.req.method.toUpperCase();
    if (path === '/api' || path.startsWith('/api/')) {
      return apiPaths.some((p) => p.test(path))
        ? jsonError(405, `method ${method} not allowed here`)
        : jsonError(404, 'not found');
    }
    const approve = APPROVE.exec(c.env?.path ?? path);
    if (approve) {
      // An empty link id is routed nowhere; it gets what any link that does not work gets.
      if (approve[1] === '' && (method === 'GET' || method === 'HEAD'))
        return approval.guarded(method, () => approval.view('', c.req.query('document')));
      if (approve[1] === '' && method === 'POST')
        return approval.guarded(method, () => approval.decide('', c));
      return pageResponse(renderMethodNotAllowed(), { allow: 'GET, HEAD, POST' });
    }
    if (options.console) {
      if (method !== 'GET' && method !== 'HEAD') return json(405, { message: 'method not allowed' });
      return htmlResponse(404, consoleNotFoundPage(), CONSOLE_HEADERS);
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
