import { describe, expect, it } from 'vitest';
import { describeRule, gateOutcome } from '../../functions/core/gate-rules.js';

type D = 'approve' | 'reject' | undefined;
const approvers = (...decisions: D[]) => decisions.map((decision) => (decision ? { decision } : {}));

describe('gateOutcome', () => {
  describe('all', () => {
    it('approves when every approver approved', () => {
      expect(gateOutcome('all', approvers('approve', 'approve', 'approve'))).toBe('approved');
    });
    it('stays pending while anyone has not decided', () => {
      expect(gateOutcome('all', approvers('approve', undefined, 'approve'))).toBe('pending');
    });
    it('rejects at the first rejection', () => {
      expect(gateOutcome('all', approvers('reject', undefined, undefined))).toBe('rejected');
    });
  });

  describe('any', () => {
    it('approves at the first approval', () => {
      expect(gateOutcome('any', approvers(undefined, 'approve', 'reject'))).toBe('approved');
    });
    it('stays pending while someone may still approve', () => {
      expect(gateOutcome('any', approvers('reject', 'reject', undefined))).toBe('pending');
    });
    it('rejects when every approver rejected', () => {
      expect(gateOutcome('any', approvers('reject', 'reject', 'reject'))).toBe('rejected');
    });
  });

  describe('quorum', () => {
    it('approves when the quorum is reached', () => {
      expect(gateOutcome({ quorum: 2 }, approvers('approve', undefined, 'approve'))).toBe('approved');
    });
    it('stays pending while the quorum is still reachable', () => {
      expect(gateOutcome({ quorum: 2 }, approvers('approve', 'reject', undefined))).toBe('pending');
    });
    it('rejects as soon as the quorum cannot be reached', () => {
      expect(gateOutcome({ quorum: 2 }, approvers('reject', 'reject', undefined))).toBe('rejected');
    });
    it('approves a quorum of one like any', () => {
      expect(gateOutcome({ quorum: 1 }, approvers('reject', 'approve'))).toBe('approved');
    });
  });

  it('keeps an auto gate pending: people do not decide it', () => {
    expect(gateOutcome('auto', approvers('approve'))).toBe('pending');
  });

  it('keeps a gate without approvers pending', () => {
    expect(gateOutcome('all', [])).toBe('pending');
    expect(gateOutcome('any', [])).toBe('pending');
  });
});

describe('describeRule', () => {
  it('names the quorum and the number of approvers', () => {
    expect(describeRule({ quorum: 2 }, 3)).toBe('2 of the 3 approvers must approve');
  });
});
