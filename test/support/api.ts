/**
 * The staff API in tests: one JSON request through the HTTP application (`handleHttp`), as the
 * local runtime's caller by default, so each test file's `call` or `put` is a thin wrapper.
 */
import type { Deps } from '../../functions/core/ports.js';
import { handleHttp } from '../../functions/http/app.js';
import type { HttpResponse } from '../../functions/http/exchange.js';

export interface ApiCallOptions {
  /** Sent as JSON; a string is sent as it is (a malformed body); none: an empty body. */
  body?: unknown;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** The caller API Gateway names (default `local`); null: no caller (an unsigned request). */
  caller?: string | null;
  /** Sent as `x-milepost-actor` (who the change is recorded for). */
  actor?: string;
}

/** `method path` on the staff API of `deps` with a JSON body: the response as the app answers it. */
export function apiCall(
  deps: Deps,
  method: string,
  path: string,
  options: ApiCallOptions = {},
): Promise<HttpResponse> {
  const caller = options.caller === undefined ? 'local' : options.caller;
  const { body } = options;
  return handleHttp(deps, {
    method,
    path,
    query: options.query ?? {},
    headers: {
      'content-type': 'application/json',
      ...(options.actor ? { 'x-milepost-actor': options.actor } : {}),
      ...options.headers,
    },
    body: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body),
    ...(caller ? { caller } : {}),
  });
}
