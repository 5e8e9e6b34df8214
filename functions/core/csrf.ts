/**
 * CSRF nonce of an approval form: `<issuedAt ms>.<HMAC-SHA256(link.csrfSecret, linkHash + issuedAt)>`.
 * Derived, never stored, so rendering the page (GET) writes nothing. Valid for two hours.
 * Also the cross-site check of state-changing requests (the approval form, the staff API).
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

/**
 * True when the headers show a request from another site: Sec-Fetch-Site other than
 * same-origin/none, or an Origin other than the public base URL. Absent headers are accepted (old
 * browsers, curl, SDKs); the nonce (approval form) or the IAM signature (staff API) still applies.
 */
export function isCrossSite(publicBaseUrl: string, origin?: string, secFetchSite?: string): boolean {
  if (secFetchSite !== undefined && secFetchSite !== 'same-origin' && secFetchSite !== 'none') return true;
  // A browser posting the form of a page served with Referrer-Policy: no-referrer (the approval
  // page) sends `Origin: null`; its Sec-Fetch-Site (same-origin, checked above) tells the site then.
  if (origin === undefined || (origin === 'null' && secFetchSite !== undefined)) return false;
  try {
    return origin === 'null' || new URL(origin).origin !== new URL(publicBaseUrl).origin;
  } catch {
    return true;
  }
}
