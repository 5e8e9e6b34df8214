/**
 * The responses every part of the HTTP application shares: JSON with the staff API's headers,
 * the error shape `{ error, issues? }` (issues name the request field), the mapping of the core's
 * errors to status codes, and HTML pages with the security headers of every page.
 */
import type { Context } from 'hono';
import type * as z from 'zod';
import { ConflictError, NotFoundError, StateError, ValidationError } from '../core/errors.js';
import type { HtmlPage } from '../core/pages/layout.js';
import { PAGE_HEADERS } from '../core/pages/layout.js';
import type { Logger } from '../core/ports.js';
import type { AppEnv } from './exchange.js';

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** A JSON response that no cache keeps. */
export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

/** One wrong request field: where it is and what is wrong. */
export interface Issue {
  path: string;
  message: string;
}

/** The one error shape: a message, and for 400 the fields that are wrong. */
export function jsonError(status: number, error: string, issues?: Issue[]): Response {
  return json(status, issues?.length ? { error, issues } : { error });
}

/** Zod issues as request fields, prefixed by where they were found (`query.limit`; body fields bare). */
export function issuesOf(error: z.ZodError, where?: string): Issue[] {
  return error.issues.map((i) => ({
    path: [where, ...i.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: i.message,
  }));
}

/** Parses with zod; failures become a ValidationError with the field paths (prefixed by `where`). */
export function parse<T extends z.ZodType>(schema: T, value: unknown, where?: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(issuesOf(result.error, where));
}

/**
 * Maps the core's errors to JSON responses (400 with the fields, 404, 409); anything else is
 * logged by its name only (messages of SDK or store errors may quote keys or values) and becomes
 * a plain 500.
 */
export function apiErrorResponse(log: Logger, err: unknown, c: Context<AppEnv>): Response {
  if (err instanceof ValidationError) return jsonError(400, 'invalid request', err.issues);
  if (err instanceof NotFoundError) return jsonError(404, err.message);
  if (err instanceof ConflictError) return jsonError(409, err.message);
  if (err instanceof StateError) return jsonError(409, err.message);
  log.error('staff API request failed', {
    method: c.req.method,
    path: c.env?.path ?? c.req.path,
    error: err instanceof Error ? err.name : 'unknown',
  });
  return jsonError(500, 'internal error');
}

/** A rendered page with the security headers of every page (and any extra ones). */
export function pageResponse(page: HtmlPage, extraHeaders: Record<string, string> = {}): Response {
  return new Response(page.html, { status: page.status, headers: { ...PAGE_HEADERS, ...extraHeaders } });
}

/** An HTML document with the given headers. */
export function htmlResponse(
  status: number,
  body: string,
  headers: Readonly<Record<string, string>>,
): Response {
  return new Response(body, { status, headers: { ...headers } });
}

/**
 * A document's bytes as a download: its media type, `Content-Disposition: attachment` (a browser
 * saves it, never shows it inline in the site's origin), `nosniff`, no caching, no referrer, and a
 * CSP that sandboxes it should a browser render it anyway. The file name is built from ids (slugs
 * and a version), so it needs no quoting beyond the quotes.
 */
export function downloadResponse(body: Uint8Array, contentType: string, fileName: string): Response {
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': contentType,
      'content-disposition': `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'none'; sandbox",
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
    },
  });
}
