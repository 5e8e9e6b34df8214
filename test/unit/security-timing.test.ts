/**
 * Security review, timing: a link is found by the SHA-256 of its id (the store never sees the id,
 * so no comparison of ids can leak it), and the CSRF nonce is compared in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { hashLinkId, newCsrfSecret, newLinkId } from '../../functions/core/approval-links.js';
import { csrfNonce, verifyCsrfNonce } from '../../functions/core/csrf.js';
import type { ProjectStore } from '../../functions/core/ports.js';
import { handleHttp } from '../../functions/http/app.js';
import { makeTestDeps } from '../support/fakes.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

describe('link lookup', () => {
  it('asks the store only for the hash of the link id, on GET, HEAD and POST', async () => {
    const calls: { method: string; args: unknown[] }[] = [];
    const store = new Proxy({} as ProjectStore, {
      get:
        (_target, method) =>
        async (...args: unknown[]) => {
          calls.push({ method: String(method), args });
          return undefined;
        },
    });
    const deps = makeTestDeps(store);
    const id = newLinkId();
    for (const method of ['GET', 'HEAD', 'POST']) {
      const res = await handleHttp(deps, {
        method,
        path: `/approve/${id}`,
        query: {},
        headers: {},
        body: 'decision=approve&csrf=x',
      });
      expect(res.status).toBe(404);
    }
    expect(calls).toEqual([
      { method: 'getLink', args: [hashLinkId(id)] },
      { method: 'getLink', args: [hashLinkId(id)] },
      { method: 'getLink', args: [hashLinkId(id)] },
    ]);
    expect(JSON.stringify(calls)).not.toContain(id);
  });
});

describe('CSRF nonce comparison', () => {
  const secret = newCsrfSecret();
  const linkHash = hashLinkId(newLinkId());
  const now = new Date('2026-12-01T09:00:00.000Z');
  const compare = vi.mocked(timingSafeEqual);

  beforeEach(() => {
    compare.mockClear();
  });

  it('compares a well-formed nonce in constant time, right or wrong', () => {
    const nonce = csrfNonce(secret, linkHash, now);
    const [issuedAt, mac = ''] = nonce.split('.');
    const wrong = `${issuedAt}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    expect(verifyCsrfNonce(secret, linkHash, nonce, now)).toBe(true);
    expect(verifyCsrfNonce(secret, linkHash, wrong, now)).toBe(false);
    expect(compare).toHaveBeenCalledTimes(2);
    for (const [a, b] of compare.mock.calls) expect((a as Buffer).length).toBe((b as Buffer).length);
  });

  it('refuses a malformed nonce by its shape, never by comparing secrets', () => {
    expect(verifyCsrfNonce(secret, linkHash, 'x', now)).toBe(false);
    expect(verifyCsrfNonce(secret, linkHash, `${now.getTime()}.${'A'.repeat(42)}`, now)).toBe(false);
    expect(compare).not.toHaveBeenCalled();
  });
});
