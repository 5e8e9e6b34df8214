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
