/**
 * Gate rules: whether the approvers' decisions so far approve a gate, reject it, or leave it
 * pending. Rejection is reported as soon as approval has become impossible, so the stage goes to
 * rework without waiting for the remaining approvers.
 */
import type { ApproverState } from './model.js';
import type { GateRule } from './spec/lifecycle.js';

export type GateOutcome = 'approved' | 'rejected' | 'pending';

/**
 * - all: approved when every approver approved; rejected at the first rejection.
 * - any: approved at the first approval; rejected when every approver rejected.
 * - quorum N: approved at N approvals; rejected when approvals + undecided < N.
 * - auto: decided by the exit criteria, not by people: always pending here.
 * A gate without approvers stays pending (nobody can decide it).
 */
export function gateOutcome(rule: GateRule, approvers: Pick<ApproverState, 'decision'>[]): GateOutcome {
  const total = approvers.length;
  if (rule === 'auto' || total === 0) return 'pending';
  const approvals = approvers.filter((a) => a.decision === 'approve').length;
  const rejections = approvers.filter((a) => a.decision === 'reject').length;
  const undecided = total - approvals - rejections;
  const needed = approvalsNeeded(rule, total);
  if (approvals >= needed) return 'approved';
  if (approvals + undecided < needed) return 'rejected';
  return 'pending';
}

/** How many approvals a rule needs out of `total` approvers (0 for `auto`: people do not decide). */
export function approvalsNeeded(rule: GateRule, total: number): number {
  if (rule === 'auto') return 0;
  return rule === 'all' ? total : rule === 'any' ? 1 : rule.quorum;
}

/** The rule in words, for pages and emails. */
export function describeRule(rule: GateRule, approverCount: number): string {
  if (rule === 'auto') return 'approved automatically when the exit criteria hold';
  if (rule === 'all')
    return approverCount === 1 ? 'your approval is needed' : `all ${approverCount} approvers must approve`;
  if (rule === 'any') return `any one of the ${approverCount} approvers may approve`;
  return `${rule.quorum} of the ${approverCount} approvers must approve`;
}
