/**
 * A runtime-neutral HTTP exchange: the Lambda entry (API Gateway HTTP API) and the local server
 * both turn what they receive into an HttpRequest, and `respond` runs it through the one HTTP
 * application (a Fetch-API app) and hands back an HttpResponse.
 */
import { getPath } from 'hono/utils/url';
import type { StaffUser } from '../core/authorization.js';

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
  /** Header names in lower case; never `set-cookie` (see `cookies`). */
  headers: Record<string, string>;
  /** The body: text, or base64 when `isBase64Encoded` (a binary body such as a PDF). */
  body: string;
  /** True when `body` is the base64 of binary bytes (API Gateway decodes it; the local server too). */
  isBase64Encoded?: boolean;
  /** Each Set-Cookie value (one header each: they cannot be joined with commas). */
  cookies?: string[];
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
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  const binary = isBinary(headers['content-type']);
  let body = '';
  if (method !== 'HEAD') {
    body = binary ? Buffer.from(await response.arrayBuffer()).toString('base64') : await response.text();
  }
  return {
    status: response.status,
    headers,
    body,
    ...(binary && method !== 'HEAD' ? { isBase64Encoded: true } : {}),
    ...(cookies.length ? { cookies } : {}),
  };
}

/** Media types whose bodies are bytes, not text (documents): they travel as base64. */
export function isBinary(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/pdf' || type === 'application/octet-stream';
}

/**
 * The application's Hono environment: the bindings above; the actor the staff API resolved, or
 * for the console the signed-in person and their session value.
 */
export interface AppEnv {
  Bindings: HttpBindings;
  Variables: { actor: string; user: StaffUser; session: string };
}
