/**
 * The project spec (`projects/<id>.yaml`): one customer project, validated by zod.
 * Field checks live on the fields; checks across fields (dates in order, stages that exist,
 * approvers that are stakeholders, unique ids) live in `checkSpec`, so every error carries the
 * path of the field it is about.
 */
import { STANDARD_STAGE_KEYS, STANDARD_STAGE_TYPES, stageType, standardStageType } from '../stages/index.js';
import { definitionSizeProblem, MAX_STAGE_KEY_CHARS } from './definition-size.js';
import { type ProjectSpec, type ResolvedStage, type StageSpec, specSchemas } from './fields.js';
import {
  DEFAULT_MAX_REMINDERS,
  DEFAULT_REMIND_AFTER_DAYS,
  DEFAULT_TIMEOUT_DAYS,
  type GateRule,
  HIGH_RISK_SCORE,
} from './lifecycle.js';
import { checkMoney } from './money.js';

export type { ProjectSpec, ProjectSpecInput, ResolvedGate, ResolvedStage } from './fields.js';

/** The spec's schemas (spec/fields.ts), built when this module is loaded: its users parse specs. */
export const { gateRuleSchema, gateSchema, stageSchema, projectSpecSchema } = specSchemas();

export { HIGH_RISK_SCORE };

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
  const declared: StageSpec[] = spec.stages ?? STANDARD_STAGE_KEYS.map((key) => ({ key }));
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
      // The key names the stage's states, which Step Functions limits to 80 characters.
      if (st.key.length > MAX_STAGE_KEY_CHARS) {
        add(
          ['stages', i, 'key'],
          `must be at most ${MAX_STAGE_KEY_CHARS} characters: the stage's state machine states are named after it (Step Functions: 80 characters a name)`,
        );
      }
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
