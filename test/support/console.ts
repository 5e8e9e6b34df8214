/**
 * The staff console in tests: the HTTP app with the local sign-in, and a call made as a signed-in
 * person (their session cookie, and on a POST the form with the session's CSRF token, sent as a
 * browser on the same site would).
 */
import type { StaffUser } from '../../functions/core/authorization.js';
import { csrfTokenFor, signLocalSession } from '../../functions/core/session.js';
import { createHttpApp } from '../../functions/http/app.js';
import { type HttpResponse, respond } from '../../functions/http/exchange.js';
import { localSignIn } from '../../functions/http/sign-in.js';
import type { TestDeps } from './fakes.js';

/** The secret the local sessions of these tests are signed with. */
export const CONSOLE_SECRET = 'a-secret-of-this-test';

/** The console app of `deps` with the local sign-in. */
export function consoleApp(deps: TestDeps) {
  return createHttpApp(deps, { console: { signIn: localSignIn(CONSOLE_SECRET) } });
}

/**
 * `method path` with the session `cookie` when given (none: signed out), `body` posted as a form
 * as it is (the CSRF token only when the test puts it there) and `headers` added: for the tests of
 * what the console refuses.
 */
export function consoleRequest(
  deps: TestDeps,
  method: string,
  path: string,
  options: { cookie?: string; body?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<HttpResponse> {
  return respond(consoleApp(deps), {
    method,
    path,
    query: {},
    headers: {
      ...(options.cookie ? { cookie: `milepost-session=${options.cookie}` } : {}),
      ...(options.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...options.headers,
    },
    body: options.body ? new URLSearchParams(options.body).toString() : '',
  });
}

/** `method path` as `user`, signed in at `issuedAt` (default the deps' clock); `body` is posted as a form. */
export function consoleCall(
  deps: TestDeps,
  method: string,
  path: string,
  user: StaffUser,
  body?: Record<string, string>,
  issuedAt: Date = deps.clock.now(),
): Promise<HttpResponse> {
  const cookie = signLocalSession(CONSOLE_SECRET, user, issuedAt);
  return respond(consoleApp(deps), {
    method,
    path,
    query: {},
    headers: {
      cookie: `milepost-session=${cookie}`,
      origin: deps.config.publicBaseUrl,
      'sec-fetch-site': 'same-origin',
      ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    body: body ? new URLSearchParams({ csrf: csrfTokenFor(cookie), ...body }).toString() : '',
  });
}
