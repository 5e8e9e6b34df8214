/**
 * The console's session values and their CSRF tokens. Uses Node's crypto only (no AWS SDK).
 *
 * - A local session (the local runtime has no Cognito) is `l1.<payload>.<mac>`: the person and an
 *   expiry, base64url JSON, with an HMAC-SHA256 under the runtime's secret. A value that was
 *   altered, signed with another secret, malformed or expired names nobody.
 * - The CSRF token of a session is HMAC-SHA256 keyed by the session value itself (the Cognito ID
 *   token, or the local value): per session, stateless, and impossible to compute for a page that
 *   cannot read the HttpOnly cookie. Compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import './zod-english.js';
import type { StaffUser } from './authorization.js';

/** How long a local session lasts. */
export const LOCAL_SESSION_TTL_MS = 8 * 60 * 60 * 1000;

const payloadSchema = z.strictObject({
  email: z.email().check(z.maxLength(320)),
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  groups: z.array(z.string().check(z.maxLength(100))).check(z.maxLength(20)),
  exp: z.int().check(z.positive()),
});

const mac = (secret: string, data: string) =>
  createHmac('sha256', secret).update(data, 'utf8').digest('base64url');

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A signed local session for `user`, valid for LOCAL_SESSION_TTL_MS from `now`. */
export function signLocalSession(secret: string, user: StaffUser, now: Date): string {
  const exp = now.getTime() + LOCAL_SESSION_TTL_MS;
  const payload = Buffer.from(JSON.stringify({ ...user, exp }), 'utf8').toString('base64url');
  return `l1.${payload}.${mac(secret, `l1.${payload}`)}`;
}

/** The person of a local session value, or undefined when it is forged, malformed or expired. */
export function verifyLocalSession(secret: string, value: string, now: Date): StaffUser | undefined {
  const match = /^l1\.([A-Za-z0-9_-]{1,4000})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return undefined;
  const [, payload = '', given = ''] = match;
  if (!equal(mac(secret, `l1.${payload}`), given)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const result = payloadSchema.safeParse(parsed);
  if (!result.success || result.data.exp <= now.getTime()) return undefined;
  const { exp: _exp, ...user } = result.data;
  return user;
}

/** The CSRF token of the forms of a session. */
export function csrfTokenFor(sessionValue: string): string {
  return mac(sessionValue, 'milepost-console-csrf');
}

/** True when `token` is the CSRF token of this session. */
export function verifyCsrfToken(sessionValue: string, token: string | undefined): boolean {
  return typeof token === 'string' && token.length > 0 && equal(csrfTokenFor(sessionValue), token);
}
