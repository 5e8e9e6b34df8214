/**
 * Defaults of the MSP delivery lifecycle that a project spec builds on: gate rules, stakeholder
 * roles and gate timing. The standard stages themselves (their order, names, default gates and
 * behaviour) are stage types in `functions/core/stages/`; `resolveStages` turns a spec into the
 * concrete, ordered list of stages the state machine walks.
 */

/** How a gate decides: every approver, any one, a quorum, or automatically when the criteria hold. */
export type GateRule = 'all' | 'any' | 'auto' | { quorum: number };

export const STAKEHOLDER_ROLES = ['sponsor', 'approver', 'informed'] as const;
export type StakeholderRole = (typeof STAKEHOLDER_ROLES)[number];

/**
 * A risk with likelihood x impact at or above this is high: it needs an owner and a mitigation.
 * Kept here, not in the spec schema, so the risk stage type and the plan document can use it
 * without importing the schema (which reads the stage types: that would be an import cycle).
 */
export const HIGH_RISK_SCORE = 12;

/** Default number of days a gate waits before a reminder (the gate task's timeout). */
export const DEFAULT_REMIND_AFTER_DAYS = 3;
/** Default number of days after which an unanswered gate is escalated. */
export const DEFAULT_TIMEOUT_DAYS = 7;
/** Default number of reminders per approval round; after them only the escalation and the status report. */
export const DEFAULT_MAX_REMINDERS = 3;
