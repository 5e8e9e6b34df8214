/**
 * How a declared route becomes part of the app: its whole operation goes into the OpenAPI
 * registry, and Hono routes it, validates its path and query with the declared schemas and runs
 * its handler. Request bodies are declared for the document but read by the handlers: the JSON
 * API accepts a body whatever its content type (an empty one means `{}`) and the approval form is
 * validated by its use case, which renders what is wrong on the page.
 */
import type { OpenAPIHono, RouteConfig, RouteHandler, RouteHook } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './exchange.js';
import type { RouteDeclaration } from './routes.js';

/** The application being built: the Hono app, and the document it serves. */
export interface Mount {
  app: OpenAPIHono<AppEnv>;
  /** The OpenAPI document of the mounted routes (generated once, when first asked for). */
  openApiDocument(): unknown;
}

/** The context a route's handler receives: typed path and query from its declaration. */
export type RouteContext<R extends RouteConfig> = Parameters<RouteHandler<R, AppEnv>>[0];

/** A route's handler: any Response (pages and JSON alike). */
export type RouteFn<R extends RouteConfig> = (c: RouteContext<R>) => Response | Promise<Response>;

/** Answers a failed path or query validation (the app's default answers JSON 400). */
export type RouteFailure<R extends RouteConfig> = RouteHook<R, AppEnv>;

/** Registers one declared route on the app (see the module doc). */
export function mountRoute<R extends RouteConfig>(
  app: OpenAPIHono<AppEnv>,
  declaration: RouteDeclaration<R>,
  handler: RouteFn<R>,
  options: { hook?: RouteFailure<R>; middleware?: MiddlewareHandler<AppEnv>[] } = {},
): void {
  const { route } = declaration;
  app.openAPIRegistry.registerPath(route);
  const { body: _body, ...request } = route.request ?? {};
  const routed = {
    ...route,
    request,
    hide: true,
    ...(options.middleware?.length ? { middleware: options.middleware } : {}),
  } as unknown as R;
  app.openapi(routed, handler as unknown as RouteHandler<R, AppEnv>, options.hook as never);
}
