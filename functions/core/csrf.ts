/**
 * CSRF nonce of an approval form: `<issuedAt ms>.<HMAC-SHA256(link.csrfSecret, linkHash + issuedAt)>`.
 * Derived, never stored, so rendering the page (GET) writes nothing. Valid for two hours.
 * Uses Node's crypto module (no AWS SDK), so it belongs to the core.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a rendered form may be submitted. */
export const CSRF_NONCE_TTL_MS = 2 * 60 * 60 * 1000;
/** Clock skew tolerated for a nonce issued "in the future" (several Lambda instances). */
const MAX_SKEW_MS = 5 * 60 * 1000;

function mac(secret: string, linkHash: string, issuedAt: string): string {
  return createHmac('sha256', secret)
    .update(linkHash + issuedAt, 'utf8')
    .digest('base64url');
}

/** The nonce for a form rendered at `now` for the link with this hash and secret. */
export function csrfNonce(secret: string, linkHash: string, now: Date): string {
  const issuedAt = String(now.getTime());
  return `${issuedAt}.${mac(secret, linkHash, issuedAt)}`;
}

/** True when `nonce` was issued for this link less than two hours before `now`. Constant-time compare. */
export function verifyCsrfNonce(secret: string, linkHash: string, nonce: string, now: Date): boolean {
  const match = /^(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(nonce);
  if (!match) return false;
  const [, issuedAt = '', given = ''] = match;
  const age = now.getTime() - Number(issuedAt);
  if (age > CSRF_NONCE_TTL_MS || age < -MAX_SKEW_MS) return false;
  const expected = Buffer.from(mac(secret, linkHash, issuedAt), 'utf8');
  const actual = Buffer.from(given, 'utf8');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
