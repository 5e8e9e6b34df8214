/**
 * The MSP delivery lifecycle: the seven standard stages, in order, with their default gates.
 * A project spec may drop, rename or reorder stages and add custom ones; `resolveStages` turns a
 * spec into the concrete, ordered list of stages the state machine walks.
 */

/** Keys of the standard stages, in lifecycle order. */
export const STANDARD_STAGE_KEYS = [
  'initiation',
  'resourcing',
  'risk',
  'execution',
  'qa',
  'deployment',
  'support',
] as const;

export type StandardStageKey = (typeof STANDARD_STAGE_KEYS)[number];

/** How a gate decides: every approver, any one, a quorum, or automatically when the criteria hold. */
export type GateRule = 'all' | 'any' | 'auto' | { quorum: number };

export interface StandardStage {
  key: StandardStageKey;
  name: string;
  /** What the system checks before the gate may pass. */
  exitCriteria: string;
  /** Approver roles (stakeholder roles) of the default gate. */
  approvers: string[];
  rule: GateRule;
  /** What the approvers are asked to approve, shown in emails and on the approval page. */
  approves: string;
  /** Approval requests wait for the PM's submit, not only for the criteria. */
  submit?: boolean;
}

export const STANDARD_STAGES: readonly StandardStage[] = [
  {
    key: 'initiation',
    name: 'Initiation & Planning',
    exitCriteria:
      'objectives, requirements, scope in/out, deliverables, timeline, budget, stakeholders, team and communication channels are all present',
    approvers: ['sponsor'],
    rule: 'all',
    approves: 'the project charter',
  },
  {
    key: 'resourcing',
    name: 'Resource Allocation',
    exitCriteria:
      'every required role and skill is assigned, nobody is over-allocated, software/hardware/tools are listed with cost',
    approvers: [],
    rule: 'auto',
    approves: 'the resource plan',
  },
  {
    key: 'risk',
    name: 'Risk Assessment & Mitigation',
    exitCriteria:
      'every risk is scored, every high risk has an owner and a mitigation, the project plan document is generated',
    approvers: ['sponsor'],
    rule: 'all',
    approves: 'the project plan document',
  },
  {
    key: 'execution',
    name: 'Execution & Implementation',
    exitCriteria: 'all execution tasks and deliverables are done',
    approvers: ['sponsor'],
    rule: 'all',
    approves: 'the delivered work',
    submit: true,
  },
  {
    key: 'qa',
    name: 'Quality Assurance & Testing',
    exitCriteria: 'every test case passed or was waived with a reason',
    approvers: ['approver'],
    rule: 'all',
    approves: 'customer acceptance of the tested solution',
  },
  {
    key: 'deployment',
    name: 'Deployment & Training',
    exitCriteria:
      'the deployment is recorded (window, rollback plan, result) and training sessions are delivered',
    approvers: ['sponsor'],
    rule: 'all',
    approves: 'go-live sign-off',
  },
  {
    key: 'support',
    name: 'Project Completion & Support',
    exitCriteria: 'the support (hypercare) period has elapsed and no support issue is open',
    approvers: [],
    rule: 'auto',
    approves: 'project close-out',
  },
];

export const STAKEHOLDER_ROLES = ['sponsor', 'approver', 'informed'] as const;
export type StakeholderRole = (typeof STAKEHOLDER_ROLES)[number];

export function standardStage(key: string): StandardStage | undefined {
  return STANDARD_STAGES.find((s) => s.key === key);
}

/** Default number of days a gate waits before a reminder (the gate task's timeout). */
export const DEFAULT_REMIND_AFTER_DAYS = 3;
/** Default number of days after which an unanswered gate is escalated. */
export const DEFAULT_TIMEOUT_DAYS = 7;
