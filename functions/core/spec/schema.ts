/**
 * The project spec (`projects/<id>.yaml`): one customer project, validated by zod.
 * Field checks live on the fields; checks across fields (dates in order, stages that exist,
 * approvers that are stakeholders, unique ids) live in `checkSpec`, so every error carries the
 * path of the field it is about.
 */
import * as z from 'zod';
import { STANDARD_STAGE_KEYS, STANDARD_STAGE_TYPES, stageType, standardStageType } from '../stages/index.js';
import { isKnownTimeZone } from '../time.js';
import { definitionSizeProblem } from './definition-size.js';
import {
  DEFAULT_MAX_REMINDERS,
  DEFAULT_REMIND_AFTER_DAYS,
  DEFAULT_TIMEOUT_DAYS,
  type GateRule,
  HIGH_RISK_SCORE,
  STAKEHOLDER_ROLES,
} from './lifecycle.js';
import { checkMoney } from './money.js';

const slug = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/,
    'must be a slug: lowercase letters, digits and dashes (2-48)',
  );
const text = z.string().trim().min(1, 'must not be empty');
const email = z.email('invalid email');
const isoDate = z.iso.date('must be a date YYYY-MM-DD');
const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (24 h)');
const weekday = z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);
const timezone = z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/London');

function isTimeZone(tz: string): boolean {
  return isKnownTimeZone(tz) && (tz.includes('/') || tz === 'UTC');
}

export const gateRuleSchema = z.union([
  z.enum(['all', 'any', 'auto']),
  z.strictObject({ quorum: z.int().min(1, 'quorum must be at least 1') }),
]);

export const gateSchema = z.strictObject({
  /** Stakeholder emails, or stakeholder roles (every stakeholder with that role). */
  approvers: z.array(z.union([email, z.enum(STAKEHOLDER_ROLES)])).optional(),
  rule: gateRuleSchema.optional(),
  /** Days without a decision before the gate escalates to `escalateTo`. */
  timeoutDays: z.number().positive('must be more than 0').max(365).optional(),
  /** Days between reminders to approvers who have not decided (the gate task's timeout). */
  remindAfterDays: z.number().positive('must be more than 0').max(365).optional(),
  /** Reminders per approval round (default 3); after them only the escalation and the status report. */
  maxReminders: z.int().min(0).max(50).optional(),
  /** Who hears about a gate that waited longer than `timeoutDays`. */
  escalateTo: email.optional(),
  /**
   * Approval requests go out only after the PM submits the stage (default: true for execution,
   * "PM submits, sponsor approves"; false elsewhere: requests go out when the criteria hold).
   */
  submit: z.boolean().optional(),
});

export const stageSchema = z.strictObject({
  key: slug,
  /** Required for a custom stage; renames a standard one. */
  name: text.optional(),
  /** Planned completion date. */
  due: isoDate.optional(),
  gate: gateSchema.optional(),
});

export const projectSpecSchema = z.strictObject({
  $schema: z.string().optional(),
  id: slug,
  name: text.max(120),
  customer: z.strictObject({ name: text, timezone }),
  // Rendered in emails and pages: only https (no javascript:, data: or plain http).
  msp: z
    .strictObject({
      name: text,
      logoUrl: z.url({ protocol: /^https$/, error: 'must be an https: URL' }).optional(),
    })
    .optional(),
  // Initiation & Planning
  objectives: z.array(text).min(1, 'at least one objective'),
  requirements: z.array(text).min(1, 'at least one requirement'),
  scope: z.strictObject({ in: z.array(text).min(1, 'at least one item in scope'), out: z.array(text) }),
  deliverables: z
    .array(z.strictObject({ id: slug, name: text, stage: slug, acceptance: text }))
    .min(1, 'at least one deliverable'),
  timeline: z.strictObject({ start: isoDate, end: isoDate }),
  budget: z.strictObject({
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
    amount: z.number().positive('must be more than 0'),
    hours: z.number().positive('must be more than 0'),
    thresholds: z
      .array(
        z
          .int('must be a whole percent')
          .min(1, 'must be 1-1000 (percent)')
          .max(1000, 'must be 1-1000 (percent)'),
      )
      .min(1, 'at least one threshold (or leave the option out for 50, 75, 90, 100)')
      .max(10, 'at most 10 thresholds')
      .optional()
      .describe(
        'Budget burn alerts, in percent of the budget amount (default 50, 75, 90, 100). The PM and the delivery manager are alerted once per crossing; past 100 % the next gate waits for a change request that raises the budget.',
      ),
  }),
  // Internal rates per team role: never shown to customer stakeholders.
  rateCard: z
    .array(
      z.strictObject({
        role: text.describe('A team role, as the team section writes it (compared without case).'),
        costRate: z
          .number()
          .min(0, 'must not be negative')
          .describe('Internal cost per hour, in the budget currency.'),
        billingRate: z
          .number()
          .min(0, 'must not be negative')
          .optional()
          .describe('What an hour is billed to the customer, in the budget currency (absent: not billed).'),
      }),
    )
    .optional()
    .describe('Hourly rates per team role. With a rate card, every team role needs a rate.'),
  stakeholders: z
    .array(z.strictObject({ name: text, email, role: z.enum(STAKEHOLDER_ROLES) }))
    .min(1, 'at least one stakeholder'),
  team: z
    .array(
      z.strictObject({
        name: text,
        email,
        role: text,
        skills: z.array(text).default([]),
        allocation: z.number().min(1, 'must be 1-100 (percent)').max(100, 'must be 1-100 (percent)'),
      }),
    )
    .min(1, 'at least one team member'),
  communication: z.strictObject({
    channels: z.array(text).min(1, 'at least one channel'),
    statusReport: z.strictObject({
      every: z.enum(['week', 'fortnight', 'month']),
      day: weekday,
      at: timeOfDay,
    }),
  }),
  // Resource Allocation
  requiredSkills: z.array(text).default([]),
  resources: z
    .array(
      z.strictObject({
        kind: z.enum(['software', 'hardware', 'tool', 'service']),
        name: text,
        quantity: z.int().positive('must be more than 0'),
        cost: z.number().min(0, 'must not be negative'),
      }),
    )
    .default([]),
  // Risk Assessment
  risks: z
    .array(
      z.strictObject({
        id: slug,
        title: text,
        likelihood: z.int().min(1, 'must be 1-5').max(5, 'must be 1-5'),
        impact: z.int().min(1, 'must be 1-5').max(5, 'must be 1-5'),
        owner: text.optional(),
        mitigation: text.optional(),
      }),
    )
    .default([]),
  stages: z.array(stageSchema).min(1, 'at least one stage').optional(),
  // Deployment & Training: training sessions are required unless this says why none are given.
  training: z
    .strictObject({
      waiverReason: text.describe(
        'Why no training session is delivered (e.g. the customer trains its own staff); without it the deployment gate needs at least one training session.',
      ),
    })
    .optional(),
  // The hand-off after go-live: how long hypercare lasts, then who supports and how to reach them
  // (the close-out report shows both).
  support: z
    .strictObject({
      days: z.int().min(0).max(365),
      by: text
        .max(200)
        .optional()
        .describe('Who supports the result after hypercare (a team or service desk)'),
      contact: text.max(500).optional().describe('How to reach them: an email, a phone number, a portal'),
    })
    .default({ days: 30 }),
  // Staff alerts of this project also go to a Teams or Slack channel (its incoming webhook).
  notifications: z
    .strictObject({
      webhook: z
        .strictObject({
          kind: z.enum(['teams', 'slack']),
          url: z
            .url({ protocol: /^https$/, error: 'must be an https: URL' })
            .optional()
            .describe(
              'The channel’s incoming-webhook URL. Anyone who has it can post to the channel, and it is stored with the project (and in the project stack’s template): prefer `secretName`.',
            ),
          secretName: z
            .string()
            .regex(
              /^milepost\/webhooks\/[A-Za-z0-9/_+=.@-]{1,200}$/,
              'must be a Secrets Manager secret name under milepost/webhooks/',
            )
            .optional()
            .describe(
              'The Secrets Manager secret (under milepost/webhooks/) whose value is the incoming-webhook URL: read by the functions at run time, in no file or template.',
            ),
        })
        .refine((w) => (w.url === undefined) !== (w.secretName === undefined), {
          message: 'give the webhook either url or secretName',
        })
        .optional(),
    })
    .optional(),
  monitoring: z
    .strictObject({
      every: z.enum(['day', 'week']),
      at: timeOfDay,
      thresholds: z
        .strictObject({ spi: z.number().positive().max(2), cpi: z.number().positive().max(2) })
        .default({ spi: 0.9, cpi: 0.9 }),
    })
    .default({ every: 'day', at: '08:00', thresholds: { spi: 0.9, cpi: 0.9 } }),
});

export type ProjectSpecInput = z.input<typeof projectSpecSchema>;
export type ProjectSpec = z.output<typeof projectSpecSchema>;

export { HIGH_RISK_SCORE };

/** A stage after the spec's defaults are applied: what the state machine and the gates work from. */
export interface ResolvedStage {
  key: string;
  name: string;
  order: number;
  standard: boolean;
  due?: string;
  gate: ResolvedGate;
  /** Set when the workflow waits for a period after entering the stage (hypercare), from its stage type. */
  waitsFor?: 'period';
}

export interface ResolvedGate {
  /** Approver emails (roles expanded). Empty for an `auto` gate. */
  approvers: string[];
  rule: GateRule;
  remindAfterDays: number;
  timeoutDays: number;
  /** Reminders per approval round (absent on projects stored before the option: the default). */
  maxReminders?: number;
  escalateTo?: string;
  /** What is being approved, in words for emails and pages. */
  approves: string;
  /** Approval requests wait for the PM's submit (not only for the criteria). */
  submit: boolean;
}

export interface SpecIssue {
  path: (string | number)[];
  message: string;
}

/** Expands approver roles to stakeholder emails, keeping order and dropping repeats. */
export function resolveApprovers(spec: ProjectSpec, approvers: string[]): string[] {
  const out: string[] = [];
  for (const a of approvers) {
    const emails = a.includes('@')
      ? [a.toLowerCase()]
      : spec.stakeholders.filter((s) => s.role === a).map((s) => s.email.toLowerCase());
    for (const e of emails) if (!out.includes(e)) out.push(e);
  }
  return out;
}

/** The ordered stages of a valid spec, with every default applied. */
export function resolveStages(spec: ProjectSpec): ResolvedStage[] {
  const declared: z.output<typeof stageSchema>[] = spec.stages ?? STANDARD_STAGE_KEYS.map((key) => ({ key }));
  return declared.map((st, order) => {
    const std = standardStageType(st.key)?.defaults;
    const { waitsFor } = stageType(st.key);
    const gate = 'gate' in st ? st.gate : undefined;
    const rule: GateRule = gate?.rule ?? std?.rule ?? 'all';
    const approverRefs = gate?.approvers ?? std?.approvers ?? ['sponsor'];
    return {
      key: st.key,
      name: ('name' in st && st.name) || std?.name || st.key,
      order,
      standard: Boolean(std),
      ...('due' in st && st.due ? { due: st.due } : {}),
      gate: {
        approvers: rule === 'auto' ? [] : resolveApprovers(spec, approverRefs),
        rule,
        remindAfterDays: gate?.remindAfterDays ?? DEFAULT_REMIND_AFTER_DAYS,
        timeoutDays: gate?.timeoutDays ?? DEFAULT_TIMEOUT_DAYS,
        maxReminders: gate?.maxReminders ?? DEFAULT_MAX_REMINDERS,
        ...(gate?.escalateTo ? { escalateTo: gate.escalateTo.toLowerCase() } : {}),
        approves: std?.approves ?? `completion of ${('name' in st && st.name) || st.key}`,
        submit: rule !== 'auto' && (gate?.submit ?? std?.submit ?? false),
      },
      ...(waitsFor ? { waitsFor } : {}),
    };
  });
}

/**
 * Most bytes a spec (with its resolved stages) may take in the project's item: DynamoDB items are
 * at most 400 KB, and the rest is room for the project's state (monitoring, corrective actions).
 */
export const MAX_STORED_SPEC_BYTES = 256 * 1024;

/** Bytes the spec and its resolved stages take in the project item (UTF-8 JSON, an upper bound of DynamoDB's size). */
export function storedSpecBytes(spec: ProjectSpec): number {
  return Buffer.byteLength(JSON.stringify({ spec, stages: resolveStages(spec) }), 'utf8');
}

/** Checks across fields of a spec that passed field validation. Returns every issue found. */
export function checkSpec(spec: ProjectSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const add = (path: (string | number)[], message: string): void => {
    issues.push({ path, message });
  };

  if (spec.timeline.end < spec.timeline.start) add(['timeline', 'end'], 'must not be before timeline.start');

  const stored = storedSpecBytes(spec);
  if (stored > MAX_STORED_SPEC_BYTES) {
    add(
      [],
      `the spec takes ${Math.ceil(stored / 1024)} KB when stored, more than the ${MAX_STORED_SPEC_BYTES / 1024} KB limit: a project is one DynamoDB item (at most 400 KB), which also keeps the project's state`,
    );
  }

  const unique: [string, (string | number)[], string[], string][] = [
    ['deliverables', ['id'], spec.deliverables.map((d) => d.id), 'duplicate id'],
    ['risks', ['id'], spec.risks.map((r) => r.id), 'duplicate id'],
    [
      'stakeholders',
      ['email'],
      spec.stakeholders.map((s) => s.email.toLowerCase()),
      'duplicate stakeholder email',
    ],
    ['team', ['email'], spec.team.map((m) => m.email.toLowerCase()), 'duplicate team member email'],
  ];
  for (const [list, field, values, message] of unique) {
    for (const i of duplicates(values)) add([list, i, ...field], message);
  }

  const stageKeys = spec.stages?.map((s) => s.key) ?? STANDARD_STAGE_KEYS;
  if (spec.stages) {
    for (const i of duplicates(stageKeys)) add(['stages', i, 'key'], 'duplicate stage');
    let previousDue: string | undefined;
    spec.stages.forEach((st, i) => {
      if (!standardStageType(st.key) && !st.name) {
        add(
          ['stages', i, 'name'],
          `custom stage "${st.key}" needs a name (standard: ${STANDARD_STAGE_KEYS.join(', ')})`,
        );
      }
      if (st.due) {
        if (st.due < spec.timeline.start || st.due > spec.timeline.end) {
          add(
            ['stages', i, 'due'],
            `must be inside the timeline ${spec.timeline.start}..${spec.timeline.end}`,
          );
        }
        if (previousDue && st.due < previousDue)
          add(['stages', i, 'due'], 'must not be before the previous stage due');
        previousDue = st.due;
      }
      const gate = st.gate;
      if (!gate) return;
      const defaults = standardStageType(st.key)?.defaults;
      const rule = gate.rule ?? defaults?.rule ?? 'all';
      const refs = gate.approvers ?? defaults?.approvers ?? ['sponsor'];
      refs.forEach((a, j) => {
        const known = a.includes('@')
          ? spec.stakeholders.some((s) => s.email.toLowerCase() === a.toLowerCase())
          : spec.stakeholders.some((s) => s.role === a);
        if (!known) add(['stages', i, 'gate', 'approvers', j], `"${a}" is not a stakeholder of the project`);
      });
      const approvers = resolveApprovers(spec, refs);
      if (rule !== 'auto' && approvers.length === 0)
        add(['stages', i, 'gate', 'approvers'], 'a gate needs an approver');
      if (typeof rule === 'object' && rule.quorum > approvers.length) {
        add(
          ['stages', i, 'gate', 'rule', 'quorum'],
          `quorum ${rule.quorum} is more than the ${approvers.length} approver(s)`,
        );
      }
      if (gate.remindAfterDays && gate.timeoutDays && gate.remindAfterDays > gate.timeoutDays) {
        add(['stages', i, 'gate', 'remindAfterDays'], 'must not be more than timeoutDays');
      }
    });
  } else {
    // The default gates need every role they name: a sponsor (initiation, risk, execution,
    // deployment) and an approver (qa).
    for (const role of new Set(STANDARD_STAGE_TYPES.flatMap((t) => t.defaults.approvers))) {
      if (!spec.stakeholders.some((s) => s.role === role)) {
        add(['stakeholders'], `the default stages need a stakeholder with role ${role} (or declare stages)`);
      }
    }
  }

  // Stages past what a state machine definition holds would only fail at deploy.
  const tooBig = definitionSizeProblem(
    stageKeys.map((key) => ({ key, ...(stageType(key).waitsFor ? { waitsFor: 'period' as const } : {}) })),
  );
  if (tooBig) add(['stages'], tooBig);

  spec.deliverables.forEach((d, i) => {
    if (!stageKeys.includes(d.stage)) add(['deliverables', i, 'stage'], `unknown stage "${d.stage}"`);
  });
  for (const issue of checkMoney(spec)) add(issue.path, issue.message);
  return issues;
}

function duplicates(values: readonly string[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  values.forEach((v, i) => {
    if (seen.has(v)) out.push(i);
    seen.add(v);
  });
  return out;
}
