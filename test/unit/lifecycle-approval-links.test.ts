import { describe, expect, it } from 'vitest';
import {
  approvalUrl,
  hashLinkId,
  isLinkIdShape,
  linkExpiresAt,
  newApprovalLink,
  newCsrfSecret,
  newLinkId,
} from '../../functions/core/approval-links.js';

describe('newLinkId', () => {
  it('returns 43 base64url characters that decode to 32 bytes', () => {
    const id = newLinkId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(32);
    expect(isLinkIdShape(id)).toBe(true);
  });

  it('returns a different id every time', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newLinkId()));
    expect(ids.size).toBe(2000);
  });

  it('uses the full bit width (about half of all bits set over many ids)', () => {
    let ones = 0;
    const n = 1000;
    for (let i = 0; i < n; i++) {
      for (const byte of Buffer.from(newLinkId(), 'base64url')) {
        ones += byte.toString(2).replaceAll('0', '').length;
      }
    }
    const ratio = ones / (n * 256);
    // A constant or low-entropy id would land far from 0.5; 256,000 fair bits stay within 0.49..0.51.
    expect(ratio).toBeGreaterThan(0.49);
    expect(ratio).toBeLessThan(0.51);
  });
});

describe('hashLinkId', () => {
  it('is the SHA-256 of the id in base64url', () => {
    expect(hashLinkId('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });

  it('is stable for one id and differs between ids', () => {
    const a = newLinkId();
    const b = newLinkId();
    expect(hashLinkId(a)).toBe(hashLinkId(a));
    expect(hashLinkId(a)).not.toBe(hashLinkId(b));
    expect(hashLinkId(a)).not.toBe(a);
  });
});

describe('approvalUrl', () => {
  it('puts the id under /approve/ of the base URL', () => {
    expect(approvalUrl('https://pm.example.com', 'abc')).toBe('https://pm.example.com/approve/abc');
  });

  it('does not double a trailing slash of the base URL', () => {
    expect(approvalUrl('http://127.0.0.1:3000/', 'abc')).toBe('http://127.0.0.1:3000/approve/abc');
  });
});

describe('newApprovalLink', () => {
  const now = new Date('2026-12-01T09:00:00.000Z');
  const input = {
    projectId: 'acme',
    stage: 'initiation',
    round: 2,
    approverEmail: 'sponsor@acme.example',
    approverName: 'Amara',
    now,
    linkTtlDays: 21,
  };

  it('stores the hash of the id, never the id', () => {
    const { id, link } = newApprovalLink(input);
    expect(link.linkHash).toBe(hashLinkId(id));
    expect(JSON.stringify(link)).not.toContain(id);
  });

  it('is a new pending link of the given round with a CSRF secret and expiry', () => {
    const { link } = newApprovalLink(input);
    expect(link).toMatchObject({
      entity: 'link',
      version: 0,
      status: 'pending',
      round: 2,
      projectId: 'acme',
      stage: 'initiation',
      approverEmail: 'sponsor@acme.example',
      createdAt: now.toISOString(),
      expiresAt: Date.parse('2026-12-22T09:00:00.000Z') / 1000,
    });
    expect(Buffer.from(link.csrfSecret, 'base64url').length).toBe(32);
    expect(newApprovalLink(input).link.csrfSecret).not.toBe(link.csrfSecret);
  });
});

describe('linkExpiresAt and newCsrfSecret', () => {
  it('counts days in epoch seconds', () => {
    expect(linkExpiresAt(new Date(0), 1)).toBe(86_400);
  });

  it('makes distinct secrets', () => {
    expect(newCsrfSecret()).not.toBe(newCsrfSecret());
  });
});
