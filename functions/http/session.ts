/**
 * The console's session in the HTTP exchange: the cookie (read, set, cleared), the page to return
 * to after signing in, and the guard every console route runs first. The guard, in this order:
 * no valid session -> 303 to sign in (a forged or expired cookie is cleared; nothing runs);
 * then for a POST: a body larger than any valid form -> 413; a cross-site request -> 403; a
 * missing or wrong CSRF token -> 403. Nothing changes when the guard refuses.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { isCrossSite } from '../core/csrf.js';
import { type PageSession, refusedPage } from '../core/pages/console/layout.js';
import type { Deps } from '../core/ports.js';
import { csrfTokenFor, verifyCsrfToken } from '../core/session.js';
import { parseForm } from './approval.js';
import { consolePage } from './console-response.js';
import type { AppEnv } from './exchange.js';
import type { SignIn } from './sign-in.js';

/** Largest console form accepted (the longest field, a mitigation, is 2000 characters). */
export const MAX_CONSOLE_FORM_BYTES = 32 * 1024;

/** The value of cookie `name` in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** A Set-Cookie value: HttpOnly, SameSite=Lax, path /, Secure over HTTPS. */
export function cookie(name: string, value: string, secure: boolean, maxAgeSeconds?: number): string {
  return [
    `${name}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
    ...(maxAgeSeconds !== undefined ? [`Max-Age=${maxAgeSeconds}`] : []),
  ].join('; ');
}

/** A Set-Cookie value that removes the cookie. */
export function clearedCookie(name: string, secure: boolean): string {
  return cookie(name, '', secure, 0);
}

/** A 303 redirect that no cache keeps, with any cookies to set. */
export function redirect(location: string, cookies: string[] = []): Response {
  const headers = new Headers({ location, 'cache-control': 'no-store' });
  for (const c of cookies) headers.append('set-cookie', c);
  return new Response(null, { status: 303, headers });
}

/** A console page to return to: a path of this site (never `//host` or a URL), else `/`. */
export function safeNext(next: string | undefined): string {
  if (!next || next.length > 2000) return '/';
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  // Control characters and backslashes (which browsers read as `/`) never belong to our paths.
  if ([...next].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\\')) return '/';
  return next;
}

/** Where a request without a session is sent: the sign-in of this deployment, returning to `next`. */
export function signInLocation(signIn: SignIn, next: string): string {
  const path = signIn.kind === 'local' ? '/auth/local' : '/auth/sign-in';
  return next === '/' ? path : `${path}?${new URLSearchParams({ next })}`;
}

/** The signed-in person of a request and their session value, if the cookie holds a valid session. */
export async function sessionOf(
  signIn: SignIn,
  cookieHeader: string | undefined,
  now: Date,
): Promise<{ value: string; user: PageSession } | undefined> {
  const value = readCookie(cookieHeader, signIn.cookies.session);
  if (!value) return undefined;
  const user = await signIn.verify(value, now);
  if (!user) return undefined;
  return { value, user: { name: user.name, email: user.email, csrf: csrfTokenFor(value) } };
}

/** The page session of a request the guard let through (for rendering its header and forms). */
export function pageSession(c: Context<AppEnv>, outbox: boolean): PageSession {
  const user = c.get('user');
  return { name: user.name, email: user.email, csrf: csrfTokenFor(c.get('session')), outbox };
}

/** The form of a POST the guard let through (already read and checked). */
export async function formOf(c: Context<AppEnv>): Promise<Record<string, string>> {
  return parseForm(await c.req.text());
}

/** The guard of every console route (see the module doc). */
export function sessionGuard(deps: Deps, signIn: SignIn, outbox: boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const method = c.req.method.toUpperCase();
    const cookieHeader = c.req.header('cookie');
    const value = readCookie(cookieHeader, signIn.cookies.session);
    const user = value ? await signIn.verify(value, new Date()) : undefined;
    if (!value || !user) {
      // After a POST the form is lost anyway: return to the page it was on, never re-post.
      const here = c.env?.path ?? c.req.path;
      const back =
        method === 'GET' || method === 'HEAD'
          ? `${here}${new URL(c.req.url).search}`
          : (/^\/projects\/[^/]+/.exec(here)?.[0] ?? '/');
      return redirect(
        signInLocation(signIn, safeNext(back)),
        value ? [clearedCookie(signIn.cookies.session, signIn.cookies.secure)] : [],
      );
    }
    c.set('user', user);
    c.set('session', value);
    c.set('actor', user.email);
    if (method !== 'GET' && method !== 'HEAD') {
      const session = pageSession(c, outbox);
      const body = await c.req.text();
      if (Buffer.byteLength(body, 'utf8') > MAX_CONSOLE_FORM_BYTES)
        return consolePage(413, refusedPage('The form is larger than any valid one.', session));
      if (isCrossSite(deps.config.publicBaseUrl, c.req.header('origin'), c.req.header('sec-fetch-site')))
        return consolePage(403, refusedPage('Forms may only be sent from milepost’s own pages.', session));
      if (!verifyCsrfToken(value, parseForm(body).csrf))
        return consolePage(
          403,
          refusedPage(
            'This form has expired or did not come from your session: nothing was changed. Open the page again and resend the form.',
            session,
          ),
        );
    }
    await next();
  };
}
