/**
 * The staff commands of `milepost`: read the portfolio, a project and its events, record tasks,
 * risks, team members, resources and the other records of a project, remove a record, submit a stage, record a corrective action, read the local outbox. Each talks to the
 * staff API (client.ts) at the endpoint of endpoint.ts, prints a table (or the API's JSON with
 * `--json`), and fails with one line (errors.ts) and exit code 1.
 */
import { writeFile } from 'node:fs/promises';
import { Argument, type Command, InvalidArgumentError, Option } from 'commander';
import { emailLinks } from '../../functions/core/pages/console/outbox.js';
import { memberEmailSchema, recordIdSchema } from '../../functions/http/schemas.js';
import {
  ApiError,
  type BudgetBurnView,
  type Endpoint,
  type MemberRecord,
  type ProjectDetail,
  StaffClient,
  type VersionedRecord,
} from './client.js';
import { DEFAULT_ENDPOINT, DEFAULT_STACK, type EndpointOptions, resolveEndpoint } from './endpoint.js';
import { CommandError, describeFailure, fieldName } from './errors.js';
import { clean, hours, index, type Output, rag, table } from './format.js';

/** The kinds of record `milepost remove` removes: the API's path segment, the noun, where `show` lists them. */
type RemovableKind =
  | 'task'
  | 'risk'
  | 'member'
  | 'resource'
  | 'test-case'
  | 'deployment'
  | 'training'
  | 'lesson';
const REMOVABLE: Record<
  RemovableKind,
  {
    segment: string;
    noun: string;
    recordsOf: (p: ProjectDetail) => (VersionedRecord | { email: string; version: number })[];
  }
> = {
  task: { segment: 'tasks', noun: 'task', recordsOf: (p) => p.tasks },
  risk: { segment: 'risks', noun: 'risk', recordsOf: (p) => p.risks },
  member: { segment: 'team', noun: 'team member', recordsOf: (p) => p.team ?? [] },
  resource: { segment: 'resources', noun: 'resource', recordsOf: (p) => p.resources ?? [] },
  'test-case': { segment: 'test-cases', noun: 'test case', recordsOf: (p) => p.testCases },
  deployment: { segment: 'deployments', noun: 'deployment', recordsOf: (p) => p.deployments },
  training: { segment: 'training-sessions', noun: 'training session', recordsOf: (p) => p.trainingSessions },
  lesson: { segment: 'lessons', noun: 'lesson', recordsOf: (p) => p.lessons ?? [] },
};

/** The options every staff command takes. */
interface CommonOptions extends EndpointOptions {
  json?: boolean;
}

/** What the commands need from outside: where to print, how to reach the API. */
export interface StaffIo extends Output {
  userAgent: string;
  endpoint?: (options: EndpointOptions) => Promise<Endpoint>;
  /** Writes a downloaded document (default: the file system, private to the user). */
  writeFile?: (path: string, bytes: Uint8Array) => Promise<void>;
  /** Writes bytes to standard output (`document ... -o -`). */
  writeBytes?: (bytes: Uint8Array) => void;
}

/** Writes a downloaded document; it may hold customer data, so only its owner reads it. */
async function defaultWriteFile(path: string, bytes: Uint8Array): Promise<void> {
  await writeFile(path, bytes, { mode: 0o600 });
}

// ---- argument parsers (commander calls them; a throw is commander's one-line usage error) -------

/** A number of hours: not negative. */
export function parseHours(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('must be a number of hours, 0 or more');
  return n;
}

/** Likelihood or impact of a risk: 1 to 5. */
export function parseScore(value: string): number {
  if (!/^[1-5]$/.test(value.trim())) throw new InvalidArgumentError('must be 1-5');
  return Number(value);
}

/** The version read earlier: a whole number, 0 or more. */
export function parseVersion(value: string): number {
  if (!/^\d{1,9}$/.test(value.trim())) throw new InvalidArgumentError('must be a whole number, 0 or more');
  return Number(value);
}

/** A date YYYY-MM-DD that exists. */
export function parseDate(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value)
    throw new InvalidArgumentError('must be a date YYYY-MM-DD');
  return value;
}

/** Hours of one time entry: more than 0, at most 24. */
export function parseEntryHours(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 24)
    throw new InvalidArgumentError('must be a number of hours, more than 0 and at most 24');
  return n;
}

/** A team member's allocation: percent of their time on the project, 1 to 100 as the API allows. */
export function parseAllocation(value: string): number {
  // Plain decimals only: Number() would also read `0x40` or `1e2`.
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || n < 1 || n > 100)
    throw new InvalidArgumentError('must be 1-100 (percent)');
  return n;
}

/** How many of a resource: a whole number, more than 0. */
export function parseQuantity(value: string): number {
  if (!/^\d{1,9}$/.test(value.trim()) || Number(value) < 1)
    throw new InvalidArgumentError('must be a whole number, more than 0');
  return Number(value);
}

/** A cost in the budget currency: a number, 0 or more. */
export function parseCost(value: string): number {
  const n = Number(value);
  if (!/^\d{1,15}(\.\d+)?$/.test(value.trim())) throw new InvalidArgumentError('must be a number, 0 or more');
  return n;
}

/** Page size of `events`: 1 to 100 as the API allows. */
export function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100) throw new InvalidArgumentError('must be 1-100');
  return n;
}

/** A non-empty text (names, titles, actions). */
export function parseText(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('must not be empty');
  return value;
}

/** An amount of money or hours: more than 0. */
export function parseAmount(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('must be a number more than 0');
  return n;
}

/** `--deliverable id|stage|name|acceptance`, repeatable. */
function collectDeliverable(value: string, previous: Deliverable[] | undefined): Deliverable[] {
  const parts = value.split('|').map((p) => p.trim());
  const [id, stage, name, acceptance] = parts;
  if (parts.length !== 4 || !id || !stage || !name || !acceptance)
    throw new InvalidArgumentError('must be id|stage|name|acceptance');
  return [...(previous ?? []), { id, stage, name, acceptance }];
}

/** `--stage-due stage=YYYY-MM-DD` (or `stage=none`), repeatable. */
function collectStageDue(
  value: string,
  previous: Record<string, { due: string | null }> | undefined,
): Record<string, { due: string | null }> {
  const [stage, due] = value.split('=', 2);
  if (!stage || due === undefined) throw new InvalidArgumentError('must be stage=YYYY-MM-DD or stage=none');
  return { ...previous, [stage.trim()]: { due: due.trim() === 'none' ? null : parseDate(due.trim()) } };
}

interface Deliverable {
  id: string;
  stage: string;
  name: string;
  acceptance: string;
}

interface ChangeRequestOptions {
  reason: string;
  impact: string;
  budget?: number;
  hours?: number;
  end?: string;
  scopeIn?: string[];
  scopeOut?: string[];
  deliverable?: Deliverable[];
  stageDue?: Record<string, { due: string | null }>;
}

/** The API body of `change-request`: only the changes given. */
export function changeRequestBody(opts: ChangeRequestOptions): Record<string, unknown> {
  const scope = {
    ...(opts.scopeIn ? { in: opts.scopeIn } : {}),
    ...(opts.scopeOut ? { out: opts.scopeOut } : {}),
  };
  const budget = {
    ...(opts.budget !== undefined ? { amount: opts.budget } : {}),
    ...(opts.hours !== undefined ? { hours: opts.hours } : {}),
  };
  return {
    changes: {
      ...(Object.keys(scope).length ? { scope } : {}),
      ...(opts.deliverable ? { deliverables: opts.deliverable } : {}),
      ...(Object.keys(budget).length ? { budget } : {}),
      ...(opts.end ? { timeline: { end: opts.end } } : {}),
      ...(opts.stageDue ? { stages: opts.stageDue } : {}),
    },
    reason: opts.reason,
    impact: opts.impact,
  };
}

/** A baseline value on one line. */
function shown(value: unknown): string {
  if (value === null) return 'none';
  if (Array.isArray(value))
    return (
      value
        .map((v) => (typeof v === 'object' && v ? `${(v as { id?: string }).id}` : String(v)))
        .join('; ') || 'nothing'
    );
  return String(value);
}

// ---- the body of an update: only the fields the user gave ---------------------------------------

const TASK_FIELDS = {
  name: 'name',
  type: 'type',
  stage: 'stage',
  status: 'status',
  estimate: 'estimateHours',
  hours: 'actualHours',
  assignee: 'assignee',
  due: 'due',
  acceptance: 'acceptance',
  waiverReason: 'waiverReason',
  evidence: 'evidence',
} as const;

const RISK_FIELDS = {
  title: 'title',
  likelihood: 'likelihood',
  impact: 'impact',
  owner: 'owner',
  mitigation: 'mitigation',
  status: 'status',
  reviewBy: 'reviewBy',
} as const;

const MEMBER_FIELDS = {
  name: 'name',
  role: 'role',
  allocation: 'allocation',
  skill: 'skills',
} as const;

const RESOURCE_FIELDS = {
  kind: 'kind',
  name: 'name',
  quantity: 'quantity',
  cost: 'cost',
} as const;

const TEST_CASE_FIELDS = {
  name: 'name',
  category: 'category',
  step: 'steps',
  expected: 'expectedResult',
  result: 'result',
  waiverReason: 'waiverReason',
  evidence: 'evidence',
  tester: 'tester',
} as const;

const DEPLOYMENT_FIELDS = {
  name: 'name',
  windowStart: 'windowStart',
  windowEnd: 'windowEnd',
  step: 'steps',
  rollbackPlan: 'rollbackPlan',
  result: 'result',
  resultNotes: 'resultNotes',
  deployedBy: 'deployedBy',
} as const;

const LESSON_FIELDS = {
  title: 'title',
  whatHappened: 'whatHappened',
  kind: 'kind',
  recommendation: 'recommendation',
  stage: 'stage',
} as const;

const TRAINING_FIELDS = {
  title: 'title',
  date: 'date',
  audience: 'audience',
  attendee: 'attendees',
  material: 'materials',
  trainer: 'trainer',
} as const;

/** A repeatable option: each use adds one item (steps, attendees, materials, skills). */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), parseText(value)];
}

/** A date and time with its offset, as the API takes it (2026-12-05T18:00:00Z). */
export function parseDateTime(value: string): string {
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(Date.parse(value))
  )
    throw new InvalidArgumentError('must be a date and time with its offset, e.g. 2026-12-05T18:00:00Z');
  return value;
}

/**
 * The API fields of the options given, by the option-to-field map. `--clear` adds the fields to
 * empty: a list option's field as an empty list, the others under `clear`.
 */
export function changesOf(
  opts: Record<string, unknown>,
  fields: Record<string, string>,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [option, field] of Object.entries(fields))
    if (opts[option] !== undefined) body[field] = opts[option];
  const clear: string[] = [];
  for (const { typed, field } of clearedFields(opts, fields)) {
    if (!LIST_FIELDS.has(field)) clear.push(field);
    else if (body[field] !== undefined)
      throw new CommandError(clean(`--clear ${typed}: the list is also given; give one of them`));
    else body[field] = [];
  }
  if (clear.length) body['clear'] = clear;
  return body;
}

/**
 * The fields `--clear` names, each once, as typed and as the API names them (`waiver-reason` ->
 * `waiverReason`, `step` -> `steps`).
 */
function clearedFields(
  opts: Record<string, unknown>,
  fields: Record<string, string>,
): { typed: string; field: string }[] {
  const seen = new Map<string, string>();
  for (const typed of (opts['clear'] as string[] | undefined) ?? []) {
    const field = apiFieldName(fields[apiFieldName(typed)] ?? typed);
    if (!seen.has(field)) seen.set(field, typed);
  }
  return [...seen].map(([field, typed]) => ({ typed, field }));
}

// ---- wiring --------------------------------------------------------------------------------------

/** The staff commands, to give them the common options after their own (that order reads best in --help). */
const STAFF_COMMANDS: Command[] = [];

function staffCommand(program: Command, name: string): Command {
  const command = program.command(name);
  STAFF_COMMANDS.push(command);
  return command;
}

/**
 * The record commands (their action runs `upsertCommand`): they also take `--clear`. By name, so
 * that a record command added later gets it by being listed here.
 */
const RECORD_COMMANDS: ReadonlySet<string> = new Set([
  'task',
  'risk',
  'member',
  'resource',
  'test-case',
  'deployment',
  'training',
  'lesson',
]);

/** `--clear <field>` of the record commands: the field's option name (or the API's), repeatable. */
function addClearOption(command: Command): void {
  command.option(
    '--clear <field>',
    'empty an optional field, named like its option (e.g. assignee, due, waiver-reason); repeat it',
    collect,
  );
}

/** A field as the API names it: `waiver-reason` -> `waiverReason` (`waiverReason` stays). */
function apiFieldName(field: string): string {
  return field.trim().replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The fields of the repeatable options: `--clear` empties them as an empty list. */
const LIST_FIELDS: ReadonlySet<string> = new Set(['steps', 'attendees', 'materials', 'skills']);

/** A field as the options name it: `waiverReason` -> `waiver-reason`. */
function optionFieldName(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function addCommonOptions(command: Command): void {
  command
    .option('--json', 'print the API’s JSON as is (for scripts)')
    .option('--endpoint <url>', `base URL of the API (default $MILEPOST_ENDPOINT or ${DEFAULT_ENDPOINT})`)
    .option(
      '--stack [name]',
      `read the API URL from the deployed platform stack's ApiUrl output (default ${DEFAULT_STACK}) and sign requests with your AWS credentials`,
    )
    .option('--region <region>', 'AWS region of the stack or API (default: the AWS CLI/SDK region)');
}

/** Adds the staff commands to the program. */
export function addStaffCommands(program: Command, io: StaffIo): void {
  const connect = async (opts: CommonOptions, context: string) => {
    try {
      const { endpoint, stack, region } = opts;
      const ep = await (io.endpoint ?? resolveEndpoint)({
        ...(endpoint !== undefined ? { endpoint } : {}),
        ...(stack !== undefined ? { stack } : {}),
        ...(region !== undefined ? { region } : {}),
      });
      return new StaffClient(ep, io.userAgent);
    } catch (e) {
      throw describeFailure(context, e);
    }
  };
  const attempt = async <T>(context: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (e) {
      throw describeFailure(context, e);
    }
  };
  const print = (lines: string[]) => {
    for (const l of lines) io.out(l);
  };
  const printJson = (value: unknown) => io.out(JSON.stringify(value, null, 2));
  const paintRag = { paint: (padded: string, raw: string) => padded.replace(raw, rag(raw, io.color)) };

  staffCommand(program, 'projects')
    .description('list every project: current stage, progress, status and RAG')
    .action(async (opts: CommonOptions) => {
      const client = await connect(opts, 'projects');
      const projects = await attempt('projects', () => client.listProjects());
      if (opts.json) return printJson(projects);
      if (projects.length === 0) return io.out('no projects');
      print(
        table(
          ['ID', 'NAME', 'CUSTOMER', 'STAGE', 'DONE', 'STATUS', { heading: 'RAG', ...paintRag }],
          projects.map((p) => [
            p.id,
            p.name,
            p.customer,
            p.currentStage,
            `${p.completedStages}/${p.totalStages}`,
            p.status,
            p.rag,
          ]),
        ),
      );
    });

  staffCommand(program, 'show')
    .description(
      'show a project: what blocks the current stage, stages, gates, tasks, risks, team, resources, test cases, deployments, training sessions and deviations',
    )
    .argument('<id>', 'project id')
    .action(async (id: string, opts: CommonOptions) => {
      const client = await connect(opts, `show ${id}`);
      const p = await attempt(`show ${id}`, () => client.getProject(id));
      if (opts.json) return printJson(p);
      print(projectLines(p, io.color));
    });

  staffCommand(program, 'events')
    .description('list a project’s event log, one page at a time')
    .argument('<id>', 'project id')
    .option('--limit <n>', 'events per page (1-100)', parseLimit, 50)
    .addOption(
      new Option('--order <order>', 'oldest or newest first').choices(['asc', 'desc']).default('asc'),
    )
    .option('--cursor <cursor>', 'the page after the one that printed this cursor')
    .action(async (id: string, opts: CommonOptions & { limit: number; order: string; cursor?: string }) => {
      const client = await connect(opts, `events ${id}`);
      const page = await attempt(`events ${id}`, () =>
        client.listEvents(id, {
          limit: opts.limit,
          order: opts.order,
          ...(opts.cursor ? { cursor: opts.cursor } : {}),
        }),
      );
      if (opts.json) return printJson(page);
      if (page.items.length === 0) io.out('no events');
      else
        print(
          table(
            ['AT', 'TYPE', 'STAGE', 'ACTOR', 'SUMMARY'],
            page.items.map((e) => [e.at, e.type, e.stage ?? '', e.actor, e.summary]),
          ),
        );
      if (page.cursor) io.out(`more: milepost events ${clean(id)} --cursor ${clean(page.cursor)}`);
    });

  staffCommand(program, 'task')
    .description(
      'create or update a task or deliverable (only the options given change); without options, print it',
    )
    .argument('<id>', 'project id')
    .argument('<taskId>', 'task or deliverable id')
    .option('--name <name>', 'name (required to create)', parseText)
    .option('--stage <stage>', 'stage key (default on create: the current stage)')
    .addOption(new Option('--status <status>', 'status').choices(['todo', 'in_progress', 'done', 'waived']))
    .option('--estimate <hours>', 'estimated hours', parseHours)
    .option('--hours <hours>', 'actual hours spent so far', parseHours)
    .option('--assignee <name>', 'who does it', parseText)
    .option('--due <date>', 'due date YYYY-MM-DD', parseDate)
    .addOption(
      new Option('--type <type>', 'kind of record, on create (default task)').choices([
        'task',
        'deliverable',
      ]),
    )
    .option(
      '--acceptance <text>',
      'how the customer accepts a deliverable (its acceptance criteria)',
      parseText,
    )
    .option('--waiver-reason <text>', 'why it is waived (with --status waived)', parseText)
    .option('--evidence <text>', 'a note or a link that shows the work is done', parseText)
    .option('--version <n>', 'the version you read (skips reading it first; 0 creates)', parseVersion)
    .action(async (id: string, taskId: string, opts: CommonOptions & Record<string, unknown>) => {
      await upsertCommand({
        kind: 'task',
        id,
        recordId: taskId,
        opts,
        fields: TASK_FIELDS,
        required: ['name'],
        recordsOf: (p) => p.tasks,
        put: (client, body) => client.putTask(id, taskId, body),
        describe: (t) =>
          `"${t['name']}", ${t['stage']}, ${t['status']}, estimate ${hours(t['estimateHours'])} h, actual ${hours(t['actualHours'])} h`,
      });
    });

  staffCommand(program, 'risk')
    .description('create or update a risk (only the options given change); without options, print it')
    .argument('<id>', 'project id')
    .argument('<riskId>', 'risk id')
    .option('--title <text>', 'what could go wrong (required to create)', parseText)
    .option('--likelihood <1-5>', 'likelihood, 1 rare to 5 almost certain (required to create)', parseScore)
    .option('--impact <1-5>', 'impact, 1 negligible to 5 severe (required to create)', parseScore)
    .option('--owner <name>', 'who owns the risk', parseText)
    .option('--mitigation <text>', 'how the risk is reduced', parseText)
    .addOption(new Option('--status <status>', 'status').choices(['open', 'mitigated', 'closed']))
    .option('--review-by <date>', 'review the risk by this date, YYYY-MM-DD', parseDate)
    .option('--version <n>', 'the version you read (skips reading it first; 0 creates)', parseVersion)
    .action(async (id: string, riskId: string, opts: CommonOptions & Record<string, unknown>) => {
      await upsertCommand({
        kind: 'risk',
        id,
        recordId: riskId,
        opts,
        fields: RISK_FIELDS,
        required: ['title', 'likelihood', 'impact'],
        recordsOf: (p) => p.risks,
        put: (client, body) => client.putRisk(id, riskId, body),
        describe: (r) =>
          `"${r['title']}", score ${Number(r['likelihood']) * Number(r['impact'])}, ${r['status']}${r['owner'] ? `, owner ${r['owner']}` : ''}`,
      });
    });

  staffCommand(program, 'member')
    .description(
      'add or update a team member, keyed by their email (only the options given change); without options, print them',
    )
    .argument('<id>', 'project id')
    .argument('<email>', 'the team member’s email (any case)')
    .option('--name <name>', 'their name (required to create)', parseText)
    .option(
      '--role <role>',
      'their role as the rate card names it, which prices their time (required to create)',
      parseText,
    )
    .option(
      '--allocation <percent>',
      'percent of their time on this project, 1-100 (required to create)',
      parseAllocation,
    )
    .option('--skill <skill>', 'one skill (repeat it; replaces the skills)', collect)
    .option('--version <n>', 'the version you read (skips reading it first; 0 creates)', parseVersion)
    .action(async (id: string, email: string, opts: CommonOptions & Record<string, unknown>) => {
      await upsertCommand<MemberRecord>({
        kind: 'team member',
        id,
        recordId: email,
        opts,
        fields: MEMBER_FIELDS,
        required: ['name', 'role', 'allocation'],
        idSchema: memberEmailSchema,
        // The API keys a member by the email in lower case: any case names the same person.
        same: (m) => m.email.toLowerCase() === email.toLowerCase(),
        recordsOf: (p) => p.team ?? [],
        put: (client, body) => client.putTeamMember(id, email, body),
        describe: (m) =>
          `"${m['name']}", ${m['role']}, ${m['allocation']}%${Array.isArray(m['skills']) && m['skills'].length ? `, skills ${m['skills'].join(', ')}` : ''}`,
      });
    });

  staffCommand(program, 'resource')
    .description(
      'add or update a software, hardware, tool or service resource (only the options given change); without options, print it',
    )
    .argument('<id>', 'project id')
    .argument('<resourceId>', 'resource id')
    .addOption(
      new Option('--kind <kind>', 'kind of resource (required to create)').choices([
        'software',
        'hardware',
        'tool',
        'service',
      ]),
    )
    .option('--name <name>', 'what it is (required to create)', parseText)
    .option('--quantity <n>', 'how many, a whole number (default on create: 1)', parseQuantity)
    .option(
      '--cost <amount>',
      'what they cost in all, in the budget currency (counts in the actual cost; default on create: 0)',
      parseCost,
    )
    .option('--version <n>', 'the version you read (skips reading it first; 0 creates)', parseVersion)
    .action(async (id: string, resourceId: string, opts: CommonOptions & Record<string, unknown>) => {
      await upsertCommand({
        kind: 'resource',
        id,
        recordId: resourceId,
        opts,
        fields: RESOURCE_FIELDS,
        required: ['kind', 'name'],
        recordsOf: (p) => p.resources ?? [],
        put: (client, body) => client.putResource(id, resourceId, body),
        describe: (r) => `"${r['name']}", ${r['kind']}, quantity ${r['quantity']}, cost ${r['cost']}`,
      });
    });

  staffCommand(program, 'remove')
    .description(
      'remove a record of a project (the event log keeps it); a refused removal says what to do instead',
    )
    .argument('<id>', 'project id')
    .addArgument(new Argument('<kind>', 'kind of record').choices(Object.keys(REMOVABLE)))
    .argument('<recordId>', 'the record id (a team member: their email)')
    .option('--version <n>', 'the version you read (skips reading it first)', parseVersion)
    .action(
      async (
        id: string,
        kind: keyof typeof REMOVABLE,
        recordId: string,
        opts: CommonOptions & { version?: number },
      ) => {
        const { segment, noun, recordsOf } = REMOVABLE[kind];
        const member = kind === 'member';
        const context = `${noun} ${recordId}`;
        // The API's own rule for ids, checked first so that a mistyped id is named as such.
        const idCheck = (member ? memberEmailSchema : recordIdSchema).safeParse(recordId);
        if (!idCheck.success)
          throw new CommandError(
            clean(`${context}: ${noun} id: ${idCheck.error.issues[0]?.message ?? 'invalid'}`),
          );
        if (opts.version === 0)
          throw new CommandError(clean(`${context}: --version must be the version you read (1 or more)`));
        const client = await connect(opts, context);
        const same = (r: { id?: string; email?: string }) =>
          member ? r.email?.toLowerCase() === recordId.toLowerCase() : r.id === recordId;
        const current = async () => recordsOf(await client.getProject(id)).find(same);
        let version = opts.version;
        if (version === undefined) {
          const existing = await attempt(context, current);
          if (!existing) throw new CommandError(clean(`${context}: no ${noun} ${recordId} in project ${id}`));
          version = existing.version;
        }
        let removed: VersionedRecord;
        const read = version;
        try {
          removed = await client.removeRecord(id, segment, recordId, read);
        } catch (e) {
          if (e instanceof ApiError && e.status === 409) {
            // 409 is also a refusal (it says what to do instead): a conflict when the version moved.
            const now = await current().catch(() => undefined);
            if (now && now.version !== read)
              throw new CommandError(`${clean(context)}: version conflict, read it again and retry`);
          }
          throw describeFailure(context, e);
        }
        if (opts.json) return printJson(removed);
        io.out(
          clean(`${context} removed (it was version ${removed.version}); the project's event log keeps it`),
        );
      },
    );

  staffCommand(program, 'test-case')
    .description(
      'create or update a test case of the QA stage (only the options given change); without options, print it',
    )
    .argument('<id>', 'project id')
    .argument('<testId>', 'test case id')
    .option('--name <name>', 'what is tested (required to create)', parseText)
    .addOption(
      new Option('--category <category>', 'kind of test (required to create)').choices([
        'functional',
        'integration',
        'security',
        'performance',
        'user_acceptance',
      ]),
    )
    .option('--step <text>', 'one step, in order (repeat it; replaces the steps)', collect)
    .option('--expected <text>', 'the expected result (required to create)', parseText)
    .addOption(
      new Option('--result <result>', 'the result (a failed test blocks QA)').choices([
        'not_run',
        'passed',
        'failed',
        'waived',
      ]),
    )
    .option('--waiver-reason <text>', 'why it is waived (with --result waived)', parseText)
    .option('--evidence <text>', 'a note or a link that shows the result', parseText)
    .option('--tester <name>', 'who ran it', parseText)
    .option('--version <n>', 'the version you read (skips reading it first; 0 creates)', parseVersion)
    .action(async (id: string, testId: string, opts: CommonOptions & Record<string, unknown>) => {
      await upsertCommand({
        kind: 'test case',
        id,
        recordId: testId,
        opts,
        fields: TEST_CASE_FIELDS,
        required: ['name', 'category', 'expected'],
        recordsOf: (p) => p.testCases ?? [],
        put: (client, body) => client.putTestCase(id, testId, body),
        describe: (t) =>
          `"${t['name']}", ${t['category']}, ${t['result']}${t['waiverReason'] ? ` (${t['waiverReason']})` : ''}${t['tester'] ? `, tested by ${t['tester']}` : ''}`,
      });
    });

  staffCommand(program, 'deployment')
    .description(
      'create or update a deployment record (only the options given change); without options, print it',
    )
    .argument('<id>', 'project id')
    .argument('<deploymentId>', 'deployment id')
    .option('--name <name>', 'what is deployed (required to create)', parseText)
    .option('--window-start <time>', 'start of the change window, e.g. 2026-12-05T18:00:00Z', parseDateTime)
    .option('--window-end <time>', 'end of the change window', parseDateTime)
    .option('--step <text>', 'one step, in order (repeat it; replaces the steps)', collect)
    .option('--rollback-plan <text>', 'how the change is undone if it fails', parseText)
    .addOption(new Option('--result <result>', 'how it went').choices(['succeeded', 'failed', 'rolled_back']))
    .option('--result-notes <text>', 'what happened', parseText)
    .option('--deployed-by <name>', 'who deployed', parseText)
    .option('--version <n>', 'the version you read (skips reading it first; 0 creates)', parseVersion)
    .action(async (id: string, deploymentId: string, opts: CommonOptions & Record<string, unknown>) => {
      await upsertCommand({
        kind: 'deployment',
        id,
        recordId: deploymentId,
        opts,
        fields: DEPLOYMENT_FIELDS,
        required: ['name'],
        recordsOf: (p) => p.deployments ?? [],
        put: (client, body) => client.putDeployment(id, deploymentId, body),
        describe: (d) =>
          `"${d['name']}", ${d['result'] ?? 'planned'}, rollback plan ${d['rollbackPlan'] ? 'recorded' : 'missing'}`,
      });
    });

  staffCommand(program, 'training')
    .description(
      'create or update a training session (only the options given change); without options, print it',
    )
    .argument('<id>', 'project id')
    .argument('<sessionId>', 'training session id')
    .option('--title <text>', 'what it covers (required to create)', parseText)
    .option('--date <date>', 'when, YYYY-MM-DD (required to create)', parseDate)
    .option('--audience <text>', 'who it is for (required to create)', parseText)
    .option('--attendee <name>', 'one attendee (repeat it; replaces the attendees)', collect)
    .option(
      '--material <text>',
      'one handout, recording or link (repeat it; replaces the materials)',
      collect,
    )
    .option('--trainer <name>', 'who trains', parseText)
    .option('--version <n>', 'the version you read (skips reading it first; 0 creates)', parseVersion)
    .action(async (id: string, sessionId: string, opts: CommonOptions & Record<string, unknown>) => {
      await upsertCommand({
        kind: 'training session',
        id,
        recordId: sessionId,
        opts,
        fields: TRAINING_FIELDS,
        required: ['title', 'date', 'audience'],
        recordsOf: (p) => p.trainingSessions ?? [],
        put: (client, body) => client.putTrainingSession(id, sessionId, body),
        describe: (s) =>
          `"${s['title']}", ${s['date']}, ${s['audience']}, ${Array.isArray(s['attendees']) ? s['attendees'].length : 0} attendees`,
      });
    });

  staffCommand(program, 'lesson')
    .description(
      'create or update a lesson learned for the close-out report (only the options given change); without options, print it',
    )
    .argument('<id>', 'project id')
    .argument('<lessonId>', 'lesson id')
    .option('--title <text>', 'the lesson in a few words (required to create)', parseText)
    .option('--what-happened <text>', 'what happened (required to create)', parseText)
    .addOption(
      new Option('--kind <kind>', 'repeat it (it went well) or change it (required to create)').choices([
        'repeat',
        'change',
      ]),
    )
    .option('--recommendation <text>', 'what to repeat or change next time (required to create)', parseText)
    .option('--stage <stage>', 'the stage it is about', parseText)
    .option('--version <n>', 'the version you read (skips reading it first; 0 creates)', parseVersion)
    .action(async (id: string, lessonId: string, opts: CommonOptions & Record<string, unknown>) => {
      await upsertCommand({
        kind: 'lesson',
        id,
        recordId: lessonId,
        opts,
        fields: LESSON_FIELDS,
        required: ['title', 'whatHappened', 'kind', 'recommendation'],
        recordsOf: (p) => p.lessons ?? [],
        put: (client, body) => client.putLesson(id, lessonId, body),
        describe: (l) => `"${l['title']}", ${l['kind']}: ${l['recommendation']}`,
      });
    });

  staffCommand(program, 'documents')
    .description(
      'list a project’s documents (charter, plan, status reports, close-out) with versions and SHA-256',
    )
    .argument('<id>', 'project id')
    .action(async (id: string, opts: CommonOptions) => {
      const client = await connect(opts, `documents ${id}`);
      const docs = await attempt(`documents ${id}`, () => client.listDocuments(id));
      if (opts.json) return printJson(docs);
      if (docs.length === 0) return io.out('no documents');
      print(
        table(
          ['ID', 'KIND', 'VERSION', 'CREATED', 'SIZE', 'SHA-256', 'TITLE'],
          docs.map((d) => [
            d.id,
            d.kind,
            d.versions.length > 1
              ? `${d.version} (of ${d.versions.map((v) => v.version).join(',')})`
              : String(d.version),
            d.createdAt,
            String(d.size),
            d.sha256,
            d.title,
          ]),
        ),
      );
    });

  staffCommand(program, 'document')
    .description('download one document (the PDF) to a file; --version N for an older one')
    .argument('<id>', 'project id')
    .argument('<documentId>', 'document id (milepost documents <id>)')
    .option('--version <n>', 'the version (default: the latest)', parseVersion)
    .option(
      '-o, --output <file>',
      'where to write it (default: the file name the API gives, in this folder; - for stdout)',
    )
    .action(
      async (id: string, documentId: string, opts: CommonOptions & { version?: number; output?: string }) => {
        const context = `document ${documentId}`;
        const idCheck = recordIdSchema.safeParse(documentId);
        if (!idCheck.success)
          throw new CommandError(
            clean(`${context}: document id: ${idCheck.error.issues[0]?.message ?? 'invalid'}`),
          );
        const client = await connect(opts, context);
        const doc = await attempt(context, () => client.getDocument(id, documentId, opts.version));
        const target = opts.output ?? doc.fileName ?? `${id}-${documentId}.pdf`;
        if (target === '-') {
          if (!io.writeBytes) throw new CommandError(`${context}: cannot write bytes to stdout here`);
          io.writeBytes(doc.bytes);
          return;
        }
        await attempt(context, () => (io.writeFile ?? defaultWriteFile)(target, doc.bytes));
        if (opts.json)
          return printJson({
            file: target,
            bytes: doc.bytes.byteLength,
            version: doc.version,
            sha256: doc.sha256,
          });
        io.out(
          clean(
            `${target}: ${doc.bytes.byteLength} bytes${doc.version ? `, version ${doc.version}` : ''}${doc.sha256 ? `, SHA-256 ${doc.sha256}` : ''}`,
          ),
        );
      },
    );

  staffCommand(program, 'submit')
    .description('submit the current stage for its gate; lists the exit criteria that do not hold yet')
    .argument('<id>', 'project id')
    .argument('<stage>', 'stage key (the current stage)')
    .action(async (id: string, stage: string, opts: CommonOptions) => {
      const context = `submit ${stage}`;
      const client = await connect(opts, context);
      const result = await attempt(context, () => client.submitStage(id, stage));
      if (opts.json) printJson(result);
      if (!result.submitted)
        throw new CommandError(
          clean(`${context}: not submitted, the exit criteria do not hold: ${result.unmet.join('; ')}`),
        );
      if (opts.json) return;
      io.out(`${clean(stage)} submitted`);
      // What the gate does now: usually it asks its approvers.
      const p = await attempt(`show ${id}`, () => client.getProject(id));
      const gate = p.gates.filter((g) => g.stage === stage).at(-1);
      if (gate) {
        const waiting = gate.approvers.filter((a) => !a.decision).map((a) => a.email);
        io.out(clean(`gate: ${gate.status}${waiting.length ? `, waiting for ${waiting.join(', ')}` : ''}`));
      }
    });

  staffCommand(program, 'corrective-action')
    .description('record the corrective action for an open deviation (keys: milepost show <id>)')
    .argument('<id>', 'project id')
    .argument('<key>', 'deviation key, e.g. overdue-stage:qa')
    .argument('<action>', 'what will be done about it', parseText)
    .action(async (id: string, key: string, action: string, opts: CommonOptions) => {
      const context = `corrective-action ${key}`;
      const client = await connect(opts, context);
      const recorded = await attempt(context, () => client.recordCorrectiveAction(id, key, action));
      if (opts.json) return printJson(recorded);
      io.out(clean(`corrective action recorded for ${recorded.key} by ${recorded.by} at ${recorded.at}`));
    });

  staffCommand(program, 'time')
    .description('record time a team member spent (or, without options, list the time and the budget burn)')
    .argument('<id>', 'project id')
    .option('--person <email>', 'the team member who did the work (required to record)')
    .option('--date <date>', 'the day worked, YYYY-MM-DD (required to record)', parseDate)
    .option(
      '--hours <hours>',
      'hours worked, more than 0 and at most 24 (required to record)',
      parseEntryHours,
    )
    .option('--task <taskId>', 'the task or deliverable the time went to')
    .option('--note <text>', 'what was done', parseText)
    .action(
      async (
        id: string,
        opts: CommonOptions & {
          person?: string;
          date?: string;
          hours?: number;
          task?: string;
          note?: string;
        },
      ) => {
        const context = `time ${id}`;
        const client = await connect(opts, context);
        const given = [opts.person, opts.date, opts.hours].filter((v) => v !== undefined).length;
        if (given === 0 && opts.task === undefined && opts.note === undefined) {
          const list = await attempt(context, () => client.listTimeEntries(id));
          if (opts.json) return printJson(list);
          if (list.entries.length > 0) {
            print(
              table(
                ['DATE', 'PERSON', 'HOURS', 'TASK', 'COST', 'NOTE'],
                list.entries.map((e) => [
                  e.date,
                  e.person,
                  String(e.hours),
                  e.task ?? '',
                  String(e.cost),
                  e.note ?? '',
                ]),
              ),
            );
          } else io.out('no time recorded');
          return io.out(clean(burnLine(list.burn)));
        }
        const missing = (['person', 'date', 'hours'] as const).filter((f) => opts[f] === undefined);
        if (missing.length)
          throw new CommandError(
            `${context}: to record time give ${missing.map((f) => `--${f}`).join(', ')}`,
          );
        const body = {
          person: opts.person,
          date: opts.date,
          hours: opts.hours,
          ...(opts.task !== undefined ? { task: opts.task } : {}),
          ...(opts.note !== undefined ? { note: opts.note } : {}),
        };
        const entry = await attempt(context, () => client.recordTimeEntry(id, body));
        if (opts.json) return printJson(entry);
        io.out(
          clean(
            `time recorded: ${entry.hours} h by ${entry.person} on ${entry.date}${entry.task ? ` (task ${entry.task})` : ''}`,
          ),
        );
        io.out(clean(burnLine(entry.burn)));
      },
    );

  staffCommand(program, 'expense')
    .description('record an expense (a cost that is neither time nor a listed resource)')
    .argument('<id>', 'project id')
    .requiredOption('--date <date>', 'the day of the expense, YYYY-MM-DD', parseDate)
    .requiredOption('--amount <amount>', 'in the budget currency', parseAmount)
    .requiredOption('--description <text>', 'what it was for', parseText)
    .option('--not-billable', 'not passed on to the customer (default: billed at cost)')
    .action(
      async (
        id: string,
        opts: CommonOptions & { date: string; amount: number; description: string; notBillable?: boolean },
      ) => {
        const context = `expense ${id}`;
        const client = await connect(opts, context);
        const body = {
          date: opts.date,
          amount: opts.amount,
          description: opts.description,
          billable: !opts.notBillable,
        };
        const expense = await attempt(context, () => client.recordExpense(id, body));
        if (opts.json) return printJson(expense);
        io.out(clean(`expense recorded: ${expense.amount} on ${expense.date}, ${expense.description}`));
        io.out(clean(burnLine(expense.burn)));
      },
    );
  staffCommand(program, 'change-request')
    .description(
      'raise a change request for the sponsor (only the options given change; list options replace the whole list)',
    )
    .argument('<id>', 'project id')
    .requiredOption('--reason <text>', 'why the change is needed', parseText)
    .requiredOption('--impact <text>', 'what it does to scope, cost and schedule', parseText)
    .option('--budget <amount>', 'new budget amount (money)', parseAmount)
    .option('--hours <hours>', 'new budget in hours', parseAmount)
    .option('--end <date>', 'new timeline end YYYY-MM-DD', parseDate)
    .option('--scope-in <item>', 'one item in scope (repeat it; replaces the list)', collect)
    .option('--scope-out <item>', 'one item out of scope (repeat it; replaces the list)', collect)
    .option(
      '--deliverable <id|stage|name|acceptance>',
      'one deliverable (repeat it; replaces the list)',
      collectDeliverable,
    )
    .option('--stage-due <stage=YYYY-MM-DD|none>', 'a stage’s new due date (repeat it)', collectStageDue)
    .action(async (id: string, opts: CommonOptions & ChangeRequestOptions) => {
      const context = `change-request ${id}`;
      const client = await connect(opts, context);
      const raised = await attempt(context, () => client.raiseChangeRequest(id, changeRequestBody(opts)));
      if (opts.json) return printJson(raised);
      io.out(clean(`${raised.id} raised (${raised.status}): the sponsor decides through the emailed link`));
    });

  staffCommand(program, 'change-requests')
    .description('list a project’s change requests: status, each change old -> new, the decision')
    .argument('<id>', 'project id')
    .action(async (id: string, opts: CommonOptions) => {
      const context = `change-requests ${id}`;
      const client = await connect(opts, context);
      const { items } = await attempt(context, () => client.listChangeRequests(id));
      if (opts.json) return printJson(items);
      if (items.length === 0) return io.out('no change requests');
      for (const cr of items) {
        const decided = cr.decision ? ` by ${cr.decision.by} at ${cr.decision.at}` : '';
        io.out(clean(`${cr.id}  ${cr.status}${decided}  raised by ${cr.raisedBy} at ${cr.raisedAt}`));
        for (const c of cr.changes) io.out(`  ${clean(`${c.label}: ${shown(c.old)} -> ${shown(c.new)}`)}`);
        io.out(`  ${clean(`reason: ${cr.reason}`)}`);
        if (cr.staleFields?.length) io.out(`  ${clean(`superseded: ${cr.staleFields.join(', ')} moved`)}`);
        if (cr.patch) {
          io.out('  patch for the spec file:');
          for (const line of cr.patch.trimEnd().split('\n')) io.out(`    ${clean(line)}`);
        }
      }
    });

  staffCommand(program, 'baseline')
    .description(
      'print the current baseline (scope, deliverables, timeline, budget, stages) as YAML for the spec file',
    )
    .argument('<id>', 'project id')
    .action(async (id: string, opts: CommonOptions) => {
      const context = `baseline ${id}`;
      const client = await connect(opts, context);
      const baseline = await attempt(context, () => client.getBaseline(id));
      if (opts.json) return printJson(baseline);
      for (const line of baseline.yaml.trimEnd().split('\n')) io.out(clean(line));
    });

  staffCommand(program, 'outbox')
    .description('list the emails the local runtime sent, with their links (approval links among them)')
    .option('--to <email>', 'only the emails to this address')
    .action(async (opts: CommonOptions & { to?: string }) => {
      const client = await connect(opts, 'outbox');
      const all = await attempt('outbox', async () => {
        try {
          return await client.listOutbox();
        } catch (e) {
          // Only the local runtime has an outbox; in AWS the emails go out through SES.
          if (e instanceof ApiError && e.status === 404)
            throw new CommandError('outbox: this endpoint has no outbox (only the local runtime keeps one)');
          throw e;
        }
      });
      const to = opts.to?.toLowerCase();
      const emails = to ? all.filter((m) => m.to.some((t) => t.toLowerCase() === to)) : all;
      if (opts.json) return printJson(emails);
      if (emails.length === 0) return io.out('no emails');
      for (const m of emails) {
        io.out(clean(`${m.sentAt}  ${m.to.join(', ')}  ${m.subject}`));
        for (const link of emailLinks(m)) io.out(`  ${clean(link)}`);
      }
    });

  for (const command of STAFF_COMMANDS.splice(0)) {
    if (RECORD_COMMANDS.has(command.name())) addClearOption(command);
    addCommonOptions(command);
  }
  program.addHelpText(
    'after',
    `
Staff commands talk to the local runtime (npm start) by default, or to the deployed API:
  milepost projects --json
  milepost task acme-m365 tenant --status done --hours 12
  milepost member acme-m365 eng@msp.example --name 'Marco Rossi' --role engineer --allocation 50
  milepost remove acme-m365 risk duplicate-risk
  milepost submit acme-m365 execution
  milepost show acme-m365 --stack --region eu-west-2
Each fails with one line on stderr and exit code 1; MILEPOST_DEBUG=1 adds the stack trace.`,
  );

  /**
   * task, risk, member, resource, test-case, deployment, training, lesson: read the record (unless
   * --version), then PUT the options given with its version.
   */
  async function upsertCommand<
    R extends { version: number; [field: string]: unknown } = VersionedRecord,
  >(args: {
    kind:
      | 'task'
      | 'risk'
      | 'team member'
      | 'resource'
      | 'test case'
      | 'deployment'
      | 'training session'
      | 'lesson';
    id: string;
    recordId: string;
    opts: CommonOptions & Record<string, unknown>;
    fields: Record<string, string>;
    required: string[];
    /** The API's rule for the record's id (default: a record id; a team member's is an email). */
    idSchema?: typeof recordIdSchema | typeof memberEmailSchema;
    /** Whether a stored record is the one named (default: the same `id`). */
    same?: (r: R) => boolean;
    recordsOf: (p: ProjectDetail) => R[];
    put: (client: StaffClient, body: Record<string, unknown>) => Promise<R>;
    describe: (r: R) => string;
  }): Promise<void> {
    const { kind, id, recordId, opts } = args;
    const context = `${kind} ${recordId}`;
    // The API's own rule for ids, checked first so that a mistyped id is named as such.
    const idCheck = (args.idSchema ?? recordIdSchema).safeParse(recordId);
    if (!idCheck.success)
      throw new CommandError(
        clean(`${context}: ${kind} id: ${idCheck.error.issues[0]?.message ?? 'invalid'}`),
      );
    const client = await connect(opts, context);
    const changes = changesOf(opts, args.fields);
    const explicit = opts['version'] as number | undefined;
    const same = args.same ?? ((r: R) => r['id'] === recordId);
    const current = async () => args.recordsOf(await client.getProject(id)).find(same);

    if (Object.keys(changes).length === 0) {
      // Nothing to change: show what is stored.
      const existing = await attempt(context, current);
      if (!existing) throw new CommandError(clean(`${context}: no ${kind} ${recordId} in project ${id}`));
      if (opts.json) return printJson(existing);
      io.out(clean(`${context} (version ${existing.version}): ${args.describe(existing)}`));
      return;
    }

    let version = explicit;
    if (version === undefined) {
      const existing = await attempt(context, current);
      version = existing?.version ?? 0;
      if (!existing) {
        const missing = args.required.filter((f) => changes[args.fields[f] ?? f] === undefined);
        if (missing.length)
          throw new CommandError(
            clean(
              `${context}: no ${kind} ${recordId} in project ${id}; to create it give ${missing.map((f) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`,
            ),
          );
      }
    }
    const body = { ...changes, ...(version ? { version } : {}) };
    let saved: R;
    try {
      saved = await args.put(client, body);
    } catch (e) {
      if (e instanceof ApiError && e.status === 400 && changes['clear'])
        throw describeFailure(context, clearIssuesAsOptions(e, clearedFields(opts, args.fields)));
      if (e instanceof ApiError && e.status === 409) {
        // 409 is also "project closed": it is a version conflict when the record is not at the version sent.
        const now = await current().catch(() => undefined);
        if ((now?.version ?? 0) !== version)
          throw new CommandError(`${clean(context)}: version conflict, read it again and retry`);
      }
      throw describeFailure(context, e);
    }
    if (opts.json) return printJson(saved);
    io.out(
      clean(
        `${context} ${version ? 'updated' : 'created'} (version ${saved.version}): ${args.describe(saved)}`,
      ),
    );
  }
}

/**
 * A 400 whose issues name `clear.<n>` as the user typed it: `--clear waiver-reason: ...`, with the
 * field names of the message as options name them.
 */
function clearIssuesAsOptions(err: ApiError, cleared: { typed: string; field: string }[]): ApiError {
  // The body's `clear` holds the named fields that are not lists, in the order given.
  const clear = cleared.filter((c) => !LIST_FIELDS.has(c.field)).map((c) => c.typed);
  const issues = err.issues.map((i) => {
    const n = /^clear\.(\d+)$/.exec(i.path)?.[1];
    if (n === undefined) return i;
    const named = clear[Number(n)] ?? '';
    return {
      ...i,
      path: `--clear ${named}`,
      message: i.message.replace(/\b[a-z]+(?:[A-Z][a-z]*)+\b/g, (f) => {
        const flag = fieldName(f);
        return flag.startsWith('--') ? flag.slice(2) : optionFieldName(f);
      }),
    };
  });
  return new ApiError(err.status, err.error, issues);
}

/** The budget burn in one line (internal figures: for staff). */
function burnLine(b: BudgetBurnView): string {
  return `budget burn: ${b.actualCost} of ${b.budget} ${b.currency} (${b.burnPercent}%), ${b.hours} of ${b.budgetHours} h (${b.hoursBurnPercent}%), EAC ${b.eac} (${b.eacMethod}), VAC ${b.vac}${b.overBudget ? '; OVER BUDGET: the next gate needs a change request' : ''}`;
}

/** A long text cut to `max` characters for a table cell (the whole record: `--json` or the record command). */
function short(value: unknown, max = 40): string {
  const text = clean(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The team and the resources of `milepost show` (their cost is an internal figure, as the budget
 * burn above them; an API of an earlier version without them shows `none`).
 */
function teamSections(p: ProjectDetail, section: (title: string, rows: string[]) => void): void {
  const team = p.team ?? [];
  section(
    'Team',
    team.length
      ? table(
          [
            'EMAIL',
            'NAME',
            'ROLE',
            { heading: 'ALLOCATION', right: true },
            'SKILLS',
            { heading: 'VERSION', right: true },
          ],
          team.map((m) => [
            m.email,
            short(m['name'], 30),
            short(m['role'], 30),
            typeof m['allocation'] === 'number' ? `${m['allocation']}%` : '',
            short(Array.isArray(m['skills']) ? m['skills'].join(', ') : '', 30),
            m.version,
          ]),
        )
      : ['none'],
  );
  const resources = p.resources ?? [];
  section(
    'Resources',
    resources.length
      ? table(
          [
            'ID',
            'NAME',
            'KIND',
            { heading: 'QUANTITY', right: true },
            { heading: 'COST', right: true },
            { heading: 'VERSION', right: true },
          ],
          resources.map((r) => [r.id, short(r['name']), r['kind'], r['quantity'], r['cost'], r.version]),
        )
      : ['none'],
  );
}

/**
 * The QA and deployment records of `milepost show`: test cases, deployments, training sessions
 * (an API of an earlier version without them shows `none`).
 */
function recordSections(p: ProjectDetail, section: (title: string, rows: string[]) => void): void {
  const tests = p.testCases ?? [];
  section(
    'Test cases',
    tests.length
      ? table(
          ['ID', 'NAME', 'CATEGORY', 'RESULT', 'TESTER', { heading: 'VERSION', right: true }],
          tests.map((t) => [
            t.id,
            short(t['name']),
            String(t['category'] ?? '').replace('_', ' '),
            t['result'] === 'waived'
              ? `waived: ${short(t['waiverReason'], 30)}`
              : String(t['result'] ?? '').replace('_', ' '),
            t['tester'] ?? '',
            t.version,
          ]),
        )
      : ['none'],
  );
  const deployments = p.deployments ?? [];
  section(
    'Deployments',
    deployments.length
      ? table(
          ['ID', 'NAME', 'WINDOW', 'RESULT', 'ROLLBACK PLAN', 'BY', { heading: 'VERSION', right: true }],
          deployments.map((d) => [
            d.id,
            short(d['name']),
            d['windowStart'] ? `${d['windowStart']} - ${d['windowEnd'] ?? ''}` : '',
            String(d['result'] ?? 'planned').replace('_', ' '),
            d['rollbackPlan'] ? short(d['rollbackPlan'], 30) : 'none',
            d['deployedBy'] ?? '',
            d.version,
          ]),
        )
      : ['none'],
  );
  const sessions = p.trainingSessions ?? [];
  section(
    'Training sessions',
    sessions.length
      ? table(
          [
            'ID',
            'TITLE',
            'DATE',
            'AUDIENCE',
            { heading: 'ATTENDEES', right: true },
            { heading: 'VERSION', right: true },
          ],
          sessions.map((t) => [
            t.id,
            short(t['title']),
            t['date'] ?? '',
            short(t['audience'], 30),
            Array.isArray(t['attendees']) ? t['attendees'].length : 0,
            t.version,
          ]),
        )
      : ['none'],
  );
}

/** The readable view of a project for `milepost show`. */
function projectLines(p: ProjectDetail, color: boolean): string[] {
  const lines: string[] = [];
  const section = (title: string, rows: string[]) => {
    lines.push('', title, ...rows.map((r) => `  ${r}`));
  };
  lines.push(clean(`${p.name} (${p.id}) for ${p.customerName}`));
  lines.push(clean(`status ${p.status}, stage ${p.currentStage}, version ${p.version}`));
  lines.push(
    `health ${rag(p.health.rag, color)}  SPI ${index(p.health.spi)}  CPI ${index(p.health.cpi)}${p.health.reasons.length ? `  (${clean(p.health.reasons.join('; '))})` : ''}`,
  );
  // Older APIs send no budget: the line is left out.
  if (p.budget) lines.push(clean(burnLine(p.budget)));
  if (p.criteria)
    lines.push(
      p.criteria.met
        ? clean(`${p.criteria.stage}: the exit criteria hold`)
        : clean(`${p.criteria.stage} is blocked by: ${p.criteria.unmet.join('; ')}`),
    );
  section(
    'Stages',
    table(
      ['KEY', 'NAME', 'STATUS', 'DUE', 'STARTED', 'COMPLETED'],
      p.stages.map((s) => [
        s.key,
        s.name,
        s.status,
        s.due ?? '',
        s.startedAt?.slice(0, 10) ?? '',
        s.completedAt?.slice(0, 10) ?? '',
      ]),
    ),
  );
  if (p.gates.length)
    section(
      'Gates',
      table(
        ['STAGE', 'ROUND', 'STATUS', 'APPROVERS'],
        p.gates.map((g) => [
          g.stage,
          g.round,
          g.status,
          g.approvers.map((a) => `${a.email} ${a.decision ?? 'waiting'}`).join(', '),
        ]),
      ),
    );
  section(
    'Tasks and deliverables',
    p.tasks.length
      ? table(
          [
            'ID',
            'TYPE',
            'NAME',
            'STAGE',
            'STATUS',
            { heading: 'EST', right: true },
            { heading: 'HOURS', right: true },
            { heading: 'VERSION', right: true },
          ],
          p.tasks.map((t) => [
            t.id,
            t['type'],
            t['name'],
            t['stage'],
            t['status'],
            hours(t['estimateHours']),
            hours(t['actualHours']),
            t.version,
          ]),
        )
      : ['none'],
  );
  section(
    'Risks',
    p.risks.length
      ? table(
          [
            'ID',
            'TITLE',
            { heading: 'SCORE', right: true },
            'OWNER',
            'STATUS',
            'REVIEW BY',
            { heading: 'VERSION', right: true },
          ],
          p.risks.map((r) => [
            r.id,
            r['title'],
            Number(r['likelihood']) * Number(r['impact']),
            r['owner'] ?? '',
            r['status'],
            r['reviewBy'] ?? '',
            r.version,
          ]),
        )
      : ['none'],
  );
  teamSections(p, section);
  recordSections(p, section);
  if (p.deviations.length)
    section(
      'Deviations',
      table(
        ['KEY', 'SUMMARY', 'CORRECTIVE ACTION'],
        p.deviations.map((d) => [d.key, d.summary, d.action ? d.action.action : 'needs a corrective action']),
      ),
    );
  return lines;
}
