/**
 * Signing in and out of the console. In AWS: `/auth/sign-in` starts the OAuth 2.0 code flow with
 * PKCE at the user pool's managed login (state and verifier kept in a short-lived HttpOnly cookie),
 * `/auth/callback` checks the state, exchanges the code with the verifier, verifies the ID token
 * and sets the session cookie. Locally: `/auth/local` lists the specs' team members to act as.
 * `/auth/sign-out` (a CSRF-checked POST) clears the session, and in AWS ends the managed login
 * session too. Nothing here logs a code, a token or a cookie.
 */
import { timingSafeEqual } from 'node:crypto';
import { isCrossSite } from '../core/csrf.js';
import { refusedPage } from '../core/pages/console/layout.js';
import { localSignInPage, signedOutPage, signInFailedPage } from '../core/pages/console/sign-in.js';
import type { Deps } from '../core/ports.js';
import { verifyCsrfToken } from '../core/session.js';
import { listLocalPeople } from '../core/use-cases/list-local-people.js';
import { parseForm } from './approval.js';
import { consolePage } from './console-response.js';
import { type Mount, mountRoute } from './mount.js';
import { ROUTES } from './routes.js';
import {
  clearedCookie,
  cookie,
  MAX_CONSOLE_FORM_BYTES,
  readCookie,
  redirect,
  safeNext,
  sessionOf,
  signInLocation,
} from './session.js';
import type { CognitoSignIn, LocalSignIn, SignIn } from './sign-in.js';

/** How long a sign-in at the managed login may take before its state cookie expires. */
const PENDING_SECONDS = 600;

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Mounts the routes of signing in and out for this sign-in. */
export function mountAuth(mount: Mount, deps: Deps, signIn: SignIn): void {
  // A query that does not fit its declaration: the same as no query.
  const hook = (result: { success: boolean }) =>
    result.success ? undefined : consolePage(400, signInFailedPage('The request was malformed.', '/'));
  if (signIn.kind === 'local') mountLocal(mount, deps, signIn, hook);
  else mountCognito(mount, deps, signIn, hook);

  mountRoute(mount.app, ROUTES.signedOutPage, () =>
    consolePage(200, signedOutPage(signInLocation(signIn, '/'))),
  );
  mountRoute(mount.app, ROUTES.signOut, async (c) => {
    const body = await c.req.text();
    if (Buffer.byteLength(body, 'utf8') > MAX_CONSOLE_FORM_BYTES)
      return consolePage(413, refusedPage('The form is larger than any valid one.'));
    if (isCrossSite(deps.config.publicBaseUrl, c.req.header('origin'), c.req.header('sec-fetch-site')))
      return consolePage(403, refusedPage('Forms may only be sent from milepost’s own pages.'));
    const value = readCookie(c.req.header('cookie'), signIn.cookies.session);
    const session = await sessionOf(signIn, c.req.header('cookie'), new Date());
    // A valid session signs out only with its own token; an invalid one is cleared anyway.
    if (session && value && !verifyCsrfToken(value, parseForm(body).csrf))
      return consolePage(
        403,
        refusedPage('This form did not come from your session: you are still signed in.'),
      );
    const cleared = [clearedCookie(signIn.cookies.session, signIn.cookies.secure)];
    return redirect(signIn.kind === 'cognito' ? signIn.logoutUrl() : '/auth/signed-out', cleared);
  });
}

function mountLocal(
  mount: Mount,
  deps: Deps,
  signIn: LocalSignIn,
  hook: (result: { success: boolean }) => Response | undefined,
): void {
  mountRoute(
    mount.app,
    ROUTES.localSignInPage,
    async (c) =>
      consolePage(200, localSignInPage(await listLocalPeople(deps), safeNext(c.req.valid('query').next))),
    { hook },
  );
  mountRoute(mount.app, ROUTES.localSignIn, async (c) => {
    const body = await c.req.text();
    if (Buffer.byteLength(body, 'utf8') > MAX_CONSOLE_FORM_BYTES)
      return consolePage(413, refusedPage('The form is larger than any valid one.'));
    if (isCrossSite(deps.config.publicBaseUrl, c.req.header('origin'), c.req.header('sec-fetch-site')))
      return consolePage(403, refusedPage('Forms may only be sent from milepost’s own pages.'));
    const form = parseForm(body);
    const next = safeNext(form.next);
    const people = await listLocalPeople(deps);
    const person = people.find((p) => p.email === (form.email ?? '').trim().toLowerCase());
    if (!person)
      return consolePage(400, localSignInPage(people, next, 'Pick one of the team members listed.'));
    const value = signIn.issue({ email: person.email, name: person.name, groups: ['staff'] }, new Date());
    return redirect(next, [cookie(signIn.cookies.session, value, signIn.cookies.secure)]);
  });
}

function mountCognito(
  mount: Mount,
  deps: Deps,
  signIn: CognitoSignIn,
  hook: (result: { success: boolean }) => Response | undefined,
): void {
  const { pending, session, secure } = signIn.cookies;
  mountRoute(
    mount.app,
    ROUTES.signIn,
    (c) => {
      const next = safeNext(c.req.valid('query').next);
      const started = signIn.start();
      const state = `${started.state}.${started.verifier}.${Buffer.from(next).toString('base64url')}`;
      return redirect(started.url, [cookie(pending, state, secure, PENDING_SECONDS)]);
    },
    { hook },
  );
  mountRoute(
    mount.app,
    ROUTES.authCallback,
    async (c) => {
      const query = c.req.valid('query');
      const again = '/auth/sign-in';
      const clear = clearedCookie(pending, secure);
      const fail = (reason: string) => {
        const res = consolePage(400, signInFailedPage(reason, again));
        res.headers.append('set-cookie', clear);
        return res;
      };
      if (query.error) return fail('The sign-in was cancelled or refused.');
      const [state = '', verifier = '', encodedNext = ''] = (
        readCookie(c.req.header('cookie'), pending) ?? ''
      ).split('.');
      if (!query.code || !query.state || !state || !verifier || !sameText(state, query.state))
        return fail('This sign-in expired or was started elsewhere. Start it again.');
      let idToken: string;
      try {
        idToken = (await signIn.exchange(query.code, verifier)).idToken;
      } catch (err) {
        deps.log.warn('sign-in code exchange failed', { error: err instanceof Error ? err.name : 'unknown' });
        return fail('The sign-in could not be completed. Start it again.');
      }
      const user = await signIn.verify(idToken, new Date());
      if (!user)
        return fail('The identity provider did not confirm who you are (no verified token or email).');
      const next = safeNext(Buffer.from(encodedNext, 'base64url').toString('utf8'));
      return redirect(next, [clear, cookie(session, idToken, secure)]);
    },
    { hook },
  );
}
