/**
 * A runtime-neutral HTTP exchange: the Lambda entry (API Gateway HTTP API) and the local server
 * both turn what they receive into an HttpRequest, and `respond` runs it through the one HTTP
 * application (a Fetch-API app) and hands back an HttpResponse.
 */
import { getPath } from 'hono/utils/url';

export interface HttpRequest {
  method: string;
  /** Path without query string, as received (still percent-encoded), e.g. `/approve/abc`. */
  path: string;
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  /** Identity of an IAM-authorized caller (AWS) or `local` (local runtime); absent for public routes. */
  caller?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What the runtime tells the application about a request besides the request itself. */
export interface HttpBindings {
  /** The path as received. A Fetch `Request` resolves `.` and `..` segments, which would route elsewhere. */
  path: string;
  /** The authenticated caller (see HttpRequest.caller). */
  caller?: string;
}

/** The part of an application `respond` needs: a Fetch handler that reads the bindings. */
export interface FetchApp {
  fetch(request: Request, env: HttpBindings): Response | Promise<Response>;
}

/**
 * The path the router matches: the received path with Hono's own decoding (reserved characters
 * such as `%2F` stay encoded; parameters are decoded when read), without a trailing slash.
 */
export function routingPath(request: Request, env: Partial<HttpBindings> | undefined): string {
  const path =
    env?.path === undefined ? getPath(request) : getPath({ url: `http://app${env.path}` } as Request);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Runs one request through the application. */
export async function respond(app: FetchApp, req: HttpRequest): Promise<HttpResponse> {
  const url = new URL('http://app');
  for (const [name, value] of Object.entries(req.query)) url.searchParams.set(name, value);
  const method = req.method.toUpperCase();
  const withBody = method !== 'GET' && method !== 'HEAD' && req.body !== '';
  const request = new Request(`http://app${req.path.startsWith('/') ? '' : '/'}${req.path}${url.search}`, {
    method,
    headers: req.headers,
    ...(withBody ? { body: req.body } : {}),
  });
  const response = await app.fetch(request, {
    path: req.path,
    ...(req.caller ? { caller: req.caller } : {}),
  });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status, headers, body: method === 'HEAD' ? '' : await response.text() };
}

/** The application's Hono environment: the bindings above, and the actor the staff API resolved. */
export interface AppEnv {
  Bindings: HttpBindings;
  Variables: { actor: string };
}
