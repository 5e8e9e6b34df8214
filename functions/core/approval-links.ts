/**
 * Approval link ids: the random opaque value in an approver's emailed link. Only its SHA-256
 * (`hashLinkId`) is stored (ApprovalLink.linkHash, PK LINK#<hash>); the id itself exists only in
 * the email. Each link also carries a server-side random CSRF secret and an expiry.
 *
 * Uses Node's crypto module (not an AWS SDK), so it is fine in the core.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApprovalLink } from './model.js';
import { DAY_SECONDS } from './time.js';

/** Bytes of randomness in a link id (256 bits; the design asks for at least 128). */
export const LINK_ID_BYTES = 32;
/** A link id is base64url of LINK_ID_BYTES bytes: 43 characters. */
export const LINK_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A new random link id (32 bytes from the CSPRNG, base64url without padding). */
export function newLinkId(): string {
  return randomBytes(LINK_ID_BYTES).toString('base64url');
}

/** The SHA-256 of a link id, base64url: the only form in which a link id is stored. */
export function hashLinkId(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('base64url');
}

/** True when `id` has the shape of a link id (cheap check before any lookup). */
export function isLinkIdShape(id: string): boolean {
  return LINK_ID_PATTERN.test(id);
}

/** The approval page URL of a link id: `<publicBaseUrl>/approve/<id>`. */
export function approvalUrl(publicBaseUrl: string, id: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/approve/${id}`;
}

/** A new random CSRF secret for a link's form (kept server-side with the link). */
export function newCsrfSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Epoch seconds `ttlDays` after `now`: the link's expiry and the table's TTL attribute. */
export function linkExpiresAt(now: Date, ttlDays: number): number {
  return Math.floor(now.getTime() / 1000) + Math.round(ttlDays * DAY_SECONDS);
}

/** Input of `newApprovalLink`: which gate round (or change request) and approver the link is for. */
export interface NewApprovalLinkInput {
  projectId: string;
  /** A change request's link: its id (the link decides the request, not a gate). */
  changeId?: string;
  stage: string;
  round: number;
  approverEmail: string;
  approverName: string;
  now: Date;
  linkTtlDays: number;
}

/**
 * A fresh link for one approver: returns the id (for the email only) and the record to store
 * (hash, CSRF secret, expiry; version 0 = must not exist yet).
 */
export function newApprovalLink(input: NewApprovalLinkInput): { id: string; link: ApprovalLink } {
  const id = newLinkId();
  return {
    id,
    link: {
      entity: 'link',
      version: 0,
      linkHash: hashLinkId(id),
      projectId: input.projectId,
      ...(input.changeId ? { target: 'change' as const, changeId: input.changeId } : {}),
      stage: input.stage,
      round: input.round,
      approverEmail: input.approverEmail,
      approverName: input.approverName,
      status: 'pending',
      csrfSecret: newCsrfSecret(),
      createdAt: input.now.toISOString(),
      expiresAt: linkExpiresAt(input.now, input.linkTtlDays),
    },
  };
}
