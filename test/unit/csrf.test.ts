import { describe, expect, it } from 'vitest';
import { CSRF_NONCE_TTL_MS, csrfNonce, verifyCsrfNonce } from '../../functions/core/csrf.js';

const secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I';
const linkHash = 'aGFzaC1oYXNoLWhhc2gtaGFzaC1oYXNoLWhhc2gtaGE';
const issued = new Date('2026-12-01T09:00:00Z');
const later = (ms: number) => new Date(issued.getTime() + ms);

describe('csrf nonce', () => {
  it('is derived: the same inputs give the same nonce', () => {
    expect(csrfNonce(secret, linkHash, issued)).toBe(csrfNonce(secret, linkHash, issued));
  });

  it('accepts a nonce within two hours', () => {
    const nonce = csrfNonce(secret, linkHash, issued);
    expect(verifyCsrfNonce(secret, linkHash, nonce, later(CSRF_NONCE_TTL_MS - 1000))).toBe(true);
  });

  it('rejects an expired nonce', () => {
    const nonce = csrfNonce(secret, linkHash, issued);
    expect(verifyCsrfNonce(secret, linkHash, nonce, later(CSRF_NONCE_TTL_MS + 1000))).toBe(false);
  });

  it('rejects a nonce of another link', () => {
    const nonce = csrfNonce(secret, linkHash, issued);
    expect(verifyCsrfNonce(secret, `${linkHash.slice(0, -1)}A`, nonce, later(1000))).toBe(false);
  });

  it('rejects a nonce made with another secret', () => {
    const nonce = csrfNonce('another-secret', linkHash, issued);
    expect(verifyCsrfNonce(secret, linkHash, nonce, later(1000))).toBe(false);
  });

  it('rejects a nonce whose time was changed', () => {
    const [, mac] = csrfNonce(secret, linkHash, issued).split('.');
    const forged = `${issued.getTime() + 3_600_000}.${mac}`;
    expect(verifyCsrfNonce(secret, linkHash, forged, later(3_600_000))).toBe(false);
  });

  it('rejects malformed and empty nonces', () => {
    for (const bad of ['', 'abc', '123.', '.abc', `${issued.getTime()}.short`]) {
      expect(verifyCsrfNonce(secret, linkHash, bad, later(1000))).toBe(false);
    }
  });

  it('rejects a nonce issued far in the future', () => {
    const nonce = csrfNonce(secret, linkHash, later(3_600_000));
    expect(verifyCsrfNonce(secret, linkHash, nonce, issued)).toBe(false);
  });
});
