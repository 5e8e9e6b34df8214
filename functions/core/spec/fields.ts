/**
 * The project spec's fields, as zod schemas, and the shape of a resolved stage: what a stored
 * project record is parsed with (core/record-schemas.ts). Kept apart from the checks across fields
 * and the stage defaults (spec/schema.ts), which need the stage registry and with it every stage
 * type's module: a function that only reads records (mail feedback) loads none of them.
 */
import * as z from 'zod/mini';
import '../zod-english.js';
import { isKnownTimeZone } from '../time.js';
import { type GateRule, STAKEHOLDER_ROLES } from './lifecycle.js';

function isTimeZone(tz: string): boolean {
  return isKnownTimeZone(tz) && (tz.includes('/') || tz === 'UTC');
}

/** Builds the spec's schemas (once: `specSchemas`). */
function buildSpecSchemas() {
  const slug = z
    .string()
    .check(
      z.regex(
        /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/,
        'must be a slug: lowercase letters, digits and dashes (2-48)',
      ),
    );
  const text = z.string().check(z.trim(), z.minLength(1, 'must not be empty'));
  const email = z.email('invalid email');
  const isoDate = z.iso.date('must be a date YYYY-MM-DD');
  const timeOfDay = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (24 h)'));
  const weekday = z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);
  const timezone = z.string().check(z.refine(isTimeZone, 'must be an IANA time zone such as Europe/London'));
  const httpsUrl = () => z.url({ protocol: /^https$/, error: 'must be an https: URL' });
  const positive = () => z.number().check(z.positive('must be more than 0'));
  const notNegative = () => z.number().check(z.minimum(0, 'must not be negative'));
  const oneToFive = () => z.int().check(z.minimum(1, 'must be 1-5'), z.maximum(5, 'must be 1-5'));
  /** `schema` with a description (editors show it: projects/schema.json). */
  const described = <T extends z.ZodMiniType>(schema: T, description: string): T =>
    schema.check(z.describe(description));

  const gateRuleSchema = z.union([
    z.enum(['all', 'any', 'auto']),
    z.strictObject({ quorum: z.int().check(z.minimum(1, 'quorum must be at least 1')) }),
  ]);

  const gateSchema = z.strictObject({
    /** Stakeholder emails, or stakeholder roles (every stakeholder with that role). */
    approvers: z.optional(z.array(z.union([email, z.enum(STAKEHOLDER_ROLES)]))),
    rule: z.optional(gateRuleSchema),
    /** Days without a decision before the gate escalates to `escalateTo`. */
    timeoutDays: z.optional(positive().check(z.maximum(365))),
    /** Days between reminders to approvers who have not decided (the gate task's timeout). */
    remindAfterDays: z.optional(positive().check(z.maximum(365))),
    /** Reminders per approval round (default 3); after them only the escalation and the status report. */
    maxReminders: z.optional(z.int().check(z.minimum(0), z.maximum(50))),
    /** Who hears about a gate that waited longer than `timeoutDays`. */
    escalateTo: z.optional(email),
    /**
     * Approval requests go out only after the PM submits the stage (default: true for execution,
     * "PM submits, sponsor approves"; false elsewhere: requests go out when the criteria hold).
     */
    submit: z.optional(z.boolean()),
  });

  const stageSchema = z.strictObject({
    key: slug,
    /** Required for a custom stage; renames a standard one. */
    name: z.optional(text),
    /** Planned completion date. */
    due: z.optional(isoDate),
    gate: z.optional(gateSchema),
  });

  const projectSpecSchema = z.strictObject({
    $schema: z.optional(z.string()),
    id: slug,
    name: text.check(z.maxLength(120)),
    customer: z.strictObject({ name: text, timezone }),
    // Rendered in emails and pages: only https (no javascript:, data: or plain http).
    msp: z.optional(z.strictObject({ name: text, logoUrl: z.optional(httpsUrl()) })),
    // Initiation & Planning
    objectives: z.array(text).check(z.minLength(1, 'at least one objective')),
    requirements: z.array(text).check(z.minLength(1, 'at least one requirement')),
    scope: z.strictObject({
      in: z.array(text).check(z.minLength(1, 'at least one item in scope')),
      out: z.array(text),
    }),
    deliverables: z
      .array(z.strictObject({ id: slug, name: text, stage: slug, acceptance: text }))
      .check(z.minLength(1, 'at least one deliverable')),
    timeline: z.strictObject({ start: isoDate, end: isoDate }),
    budget: z.strictObject({
      currency: z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')),
      amount: positive(),
      hours: positive(),
      thresholds: described(
        z.optional(
          z
            .array(
              z
                .int('must be a whole percent')
                .check(z.minimum(1, 'must be 1-1000 (percent)'), z.maximum(1000, 'must be 1-1000 (percent)')),
            )
            .check(
              z.minLength(1, 'at least one threshold (or leave the option out for 50, 75, 90, 100)'),
              z.maxLength(10, 'at most 10 thresholds'),
            ),
        ),
        'Budget burn alerts, in percent of the budget amount (default 50, 75, 90, 100). The PM and the delivery manager are alerted once per crossing; past 100 % the next gate waits for a change request that raises the budget.',
      ),
    }),
    // Internal rates per team role: never shown to customer stakeholders.
    rateCard: described(
      z.optional(
        z.array(
          z.strictObject({
            role: described(text, 'A team role, as the team section writes it (compared without case).'),
            costRate: described(notNegative(), 'Internal cost per hour, in the budget currency.'),
            billingRate: described(
              z.optional(notNegative()),
              'What an hour is billed to the customer, in the budget currency (absent: not billed).',
            ),
          }),
        ),
      ),
      'Hourly rates per team role. With a rate card, every team role needs a rate.',
    ),
    stakeholders: z
      .array(z.strictObject({ name: text, email, role: z.enum(STAKEHOLDER_ROLES) }))
      .check(z.minLength(1, 'at least one stakeholder')),
    team: z
      .array(
        z.strictObject({
          name: text,
          email,
          role: text,
          skills: z._default(z.array(text), []),
          allocation: z
            .number()
            .check(z.minimum(1, 'must be 1-100 (percent)'), z.maximum(100, 'must be 1-100 (percent)')),
        }),
      )
      .check(z.minLength(1, 'at least one team member')),
    communication: z.strictObject({
      channels: z.array(text).check(z.minLength(1, 'at least one channel')),
      statusReport: z.strictObject({
        every: z.enum(['week', 'fortnight', 'month']),
        day: weekday,
        at: timeOfDay,
      }),
    }),
    // Resource Allocation
    requiredSkills: z._default(z.array(text), []),
    resources: z._default(
      z.array(
        z.strictObject({
          kind: z.enum(['software', 'hardware', 'tool', 'service']),
          name: text,
          quantity: z.int().check(z.positive('must be more than 0')),
          cost: notNegative(),
        }),
      ),
      [],
    ),
    // Risk Assessment
    risks: z._default(
      z.array(
        z.strictObject({
          id: slug,
          title: text,
          likelihood: oneToFive(),
          impact: oneToFive(),
          owner: z.optional(text),
          mitigation: z.optional(text),
        }),
      ),
      [],
    ),
    stages: z.optional(z.array(stageSchema).check(z.minLength(1, 'at least one stage'))),
    // Deployment & Training: training sessions are required unless this says why none are given.
    training: z.optional(
      z.strictObject({
        waiverReason: described(
          text,
          'Why no training session is delivered (e.g. the customer trains its own staff); without it the deployment gate needs at least one training session.',
        ),
      }),
    ),
    // The hand-off after go-live: how long hypercare lasts, then who supports and how to reach them
    // (the close-out report shows both).
    support: z._default(
      z.strictObject({
        days: z.int().check(z.minimum(0), z.maximum(365)),
        by: described(
          z.optional(text.check(z.maxLength(200))),
          'Who supports the result after hypercare (a team or service desk)',
        ),
        contact: described(
          z.optional(text.check(z.maxLength(500))),
          'How to reach them: an email, a phone number, a portal',
        ),
      }),
      { days: 30 },
    ),
    // Staff alerts of this project also go to a Teams or Slack channel (its incoming webhook).
    notifications: z.optional(
      z.strictObject({
        webhook: z.optional(
          z
            .strictObject({
              kind: z.enum(['teams', 'slack']),
              url: described(
                z.optional(httpsUrl()),
                'The channel’s incoming-webhook URL. Anyone who has it can post to the channel, and it is stored with the project (and in the project stack’s template): prefer `secretName`.',
              ),
              secretName: described(
                z.optional(
                  z
                    .string()
                    .check(
                      z.regex(
                        /^milepost\/webhooks\/[A-Za-z0-9/_+=.@-]{1,200}$/,
                        'must be a Secrets Manager secret name under milepost/webhooks/',
                      ),
                    ),
                ),
                'The Secrets Manager secret (under milepost/webhooks/) whose value is the incoming-webhook URL: read by the functions at run time, in no file or template.',
              ),
            })
            .check(
              z.refine((w) => (w.url === undefined) !== (w.secretName === undefined), {
                message: 'give the webhook either url or secretName',
              }),
            ),
        ),
      }),
    ),
    monitoring: z._default(
      z.strictObject({
        every: z.enum(['day', 'week']),
        at: timeOfDay,
        thresholds: z._default(
          z.strictObject({
            spi: z.number().check(z.positive(), z.maximum(2)),
            cpi: z.number().check(z.positive(), z.maximum(2)),
          }),
          { spi: 0.9, cpi: 0.9 },
        ),
      }),
      { every: 'day', at: '08:00', thresholds: { spi: 0.9, cpi: 0.9 } },
    ),
  });
  return { gateRuleSchema, gateSchema, stageSchema, projectSpecSchema };
}

let built: ReturnType<typeof buildSpecSchemas> | undefined;

/**
 * The spec's schemas, built at the first call and kept. Building them takes a few milliseconds of
 * CPU: a function that reads no project (or not yet) does not pay for them at its cold start.
 */
export function specSchemas(): ReturnType<typeof buildSpecSchemas> {
  built ??= buildSpecSchemas();
  return built;
}

type SpecSchema = ReturnType<typeof buildSpecSchemas>['projectSpecSchema'];
/** The stage entry of a spec's `stages`. */
export type StageSpec = z.output<ReturnType<typeof buildSpecSchemas>['stageSchema']>;

export type ProjectSpecInput = z.input<SpecSchema>;
export type ProjectSpec = z.output<SpecSchema>;

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
