/**
 * `milepost demo` (npm run demo): an example project from initiation to close, in memory, with an
 * accelerated clock, driven over HTTP the way its people would drive it:
 * - the project manager records work through the staff API (resources, risks, tasks and
 *   deliverables done) and submits each stage;
 * - the stakeholders take their links from the outbox, open the approval page, read its form and
 *   post their decision with the form's CSRF nonce;
 * - the execution stage is rejected once, reworked and submitted again; the risk stage's gate is
 *   left unanswered until it times out, reminds and escalates, and is approved after that.
 * It prints a stage-by-stage summary and the number of state transitions; the last line is
 * `demo: <project id> closed, <N> stages, <T> state transitions`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import * as z from 'zod';
import { PLAN_DOCUMENT_ID } from '../functions/core/documents/plan.js';
import { formatTime } from '../functions/core/pages/console/layout.js';
import { emailLinks } from '../functions/core/pages/console/outbox.js';
import { stageType } from '../functions/core/stages/index.js';
import { localDate } from '../functions/core/time.js';
import { LocalRuntimeError } from './errors.js';
import { type Runtime, startRuntime } from './runtime.js';
import type { OutboxEmail } from './ses-local.js';

export interface DemoOptions {
  port?: number;
  /** Where the narration goes (default: stdout). */
  print?: (line: string) => void;
}

export interface DemoStageSummary {
  key: string;
  name: string;
  startedAt?: string;
  completedAt?: string;
  approvedBy: string[];
  reworkCount: number;
}

export interface DemoResult {
  projectId: string;
  status: string;
  stages: DemoStageSummary[];
  transitions: number;
  /** Stages whose gate was rejected at least once, and escalated. */
  rejected: string[];
  escalated: string[];
}

/** The example spec the demo runs (a copy is adjusted: short gate timeouts and support period). */
const EXAMPLE = 'brightsmile-m365.yaml';
/** One clock day passes in this many real milliseconds. */
const DAY_MS = 2_000;
const FACTOR = 86_400_000 / DAY_MS;
/** Longest the demo waits for any one step (real time). */
const STEP_TIMEOUT_MS = 45_000;

/** True for the stage whose type has its gate approve the project plan document (the risk stage). */
const approvesPlan = (key: unknown) => stageType(String(key)).approvalDocument?.id === PLAN_DOCUMENT_ID;

function exampleSpecPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'projects', EXAMPLE);
}

/** The example spec adjusted for a demo that runs in about a minute. */
export function demoSpecYaml(source = readFileSync(exampleSpecPath(), 'utf8')): string {
  const spec = parse(source) as Record<string, unknown> & { stages?: Record<string, unknown>[] };
  delete spec.$schema;
  spec.support = { days: 2 };
  spec.stages = (spec.stages ?? []).map((s) =>
    approvesPlan(s.key)
      ? {
          ...s,
          gate: {
            ...(s.gate as object),
            remindAfterDays: 1,
            timeoutDays: 2,
          },
        }
      : s,
  );
  return stringify(spec);
}

const detailSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  currentStage: z.string(),
  timezone: z.string(),
  stages: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      status: z.string(),
      startedAt: z.string().optional(),
      completedAt: z.string().optional(),
      reworkCount: z.number().optional().default(0),
    }),
  ),
  gates: z.array(
    z.object({
      stage: z.string(),
      status: z.string(),
      round: z.number(),
      escalatedAt: z.string().optional(),
      approvers: z.array(
        z.object({
          email: z.string(),
          name: z.string(),
          decision: z.enum(['approve', 'reject']).optional(),
          decidedAt: z.string().optional(),
        }),
      ),
    }),
  ),
  team: z
    .array(z.object({ email: z.string(), name: z.string(), role: z.string() }))
    .optional()
    .default([]),
});
type Detail = z.infer<typeof detailSchema>;

class DemoError extends LocalRuntimeError {}

/** The people of the project, acting over HTTP. */
class Actors {
  private readonly usedLinks = new Set<string>();
  private readonly approvals: { stage: string; by: string; decision: string }[] = [];
  constructor(
    private readonly base: string,
    private readonly projectId: string,
    private readonly pm: string,
    private readonly print: (line: string) => void,
  ) {}

  /** A staff API call as the project manager. */
  async api(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.base}/api/projects/${this.projectId}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-milepost-actor': this.pm },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new DemoError(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : undefined;
  }

  async detail(): Promise<Detail> {
    return detailSchema.parse(await this.api('GET', ''));
  }

  async outbox(): Promise<OutboxEmail[]> {
    const res = await fetch(`${this.base}/api/outbox`);
    return (await res.json()) as OutboxEmail[];
  }

  /** Polls until `check` returns a value. */
  async until<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      const v = await check();
      if (v) return v;
      if (Date.now() > deadline) throw new DemoError(`the demo gave up waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The PM records work: a PUT on a project record, with the version read when it exists. */
  async record(path: string, body: Record<string, unknown>, what: string): Promise<void> {
    const [, kind, id] = path.split('/');
    const detail = (await this.api('GET', '')) as Record<string, unknown>;
    // The path names a kind as the API does (`test-cases`); the project lists it in camel case.
    const listName = kind!.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    const records = (detail[listName] ?? []) as {
      id?: string;
      email?: string;
      version?: number;
    }[];
    const existing = records.find((r) => (kind === 'team' ? r.email : r.id) === id);
    await this.api('PUT', path, existing?.version ? { ...body, version: existing.version } : body);
    this.print(`  PM records ${what}`);
  }

  /**
   * The PM submits the current stage once its gate is open. A gate whose criteria already held
   * when it opened has sent its requests by itself: nothing to submit then.
   */
  async submit(stage: string): Promise<void> {
    const status = await this.until(`the gate of ${stage} to open`, async () => {
      const d = await this.detail();
      const gate = d.gates.find((g) => g.stage === stage);
      return d.currentStage === stage && (gate?.status === 'waiting' || gate?.status === 'pending_approval')
        ? gate.status
        : undefined;
    });
    if (status === 'pending_approval') {
      this.print(`  ${stage}: the criteria held when the gate opened, approval requests are out`);
      return;
    }
    const result = (await this.api('POST', `/stages/${stage}/submit`)) as {
      submitted: boolean;
      unmet: string[];
    };
    if (!result.submitted) throw new DemoError(`submitting ${stage} failed: ${result.unmet.join('; ')}`);
    this.print(`  PM submits ${stage}`);
  }

  /** A stakeholder's newest approval link that has not been used yet (waits for the email). */
  async newLink(email: string): Promise<string> {
    return this.until(`an approval email to ${email}`, async () => {
      const mails = (await this.outbox()).filter((m) => m.to.includes(email)).reverse();
      for (const m of mails) {
        const link = emailLinks(m).find((u) => u.startsWith(`${this.base}/approve/`) && !u.includes('?'));
        if (link && !this.usedLinks.has(link)) return link;
      }
      return undefined;
    });
  }

  /** A stakeholder opens the link, reads the page and posts the form's decision. */
  async decide(stage: string, email: string, decision: 'approve' | 'reject', comment = ''): Promise<void> {
    const link = await this.newLink(email);
    this.usedLinks.add(link);
    const page = await fetch(link);
    const body = await page.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(body)?.[1];
    if (page.status !== 200 || !csrf)
      throw new DemoError(`the approval page for ${stage} did not show its form`);
    const form = new URLSearchParams({ csrf, decision, comment });
    const res = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.base },
      body: form.toString(),
    });
    const answer = await res.text();
    if (res.status !== 200 || !/Thank you/.test(answer)) {
      throw new DemoError(`the ${decision} of ${stage} by ${email} was not recorded (${res.status})`);
    }
    this.approvals.push({ stage, by: email, decision });
    this.print(`  ${email} ${decision === 'approve' ? 'approves' : `rejects ("${comment}")`} ${stage}`);
  }

  /** Waits until the project has moved past `stage`. */
  async completed(stage: string): Promise<void> {
    await this.until(`${stage} to complete`, async () => {
      const d = await this.detail();
      return d.stages.find((s) => s.key === stage)?.status === 'completed';
    });
  }
}

/** Runs the demo scenario and returns its summary. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const print = options.print ?? ((l: string) => console.log(l));
  const dir = mkdtempSync(join(tmpdir(), 'milepost-demo-'));
  let runtime: Runtime | undefined;
  try {
    writeFileSync(join(dir, EXAMPLE), demoSpecYaml());
    print(`demo: starting milepost in memory (one clock day = ${DAY_MS / 1000} s)`);
    runtime = await startRuntime({
      projectsDir: dir,
      port: options.port ?? 0,
      dataDir: join(dir, 'data'),
      inMemory: true,
      clock: { start: new Date('2026-12-01T09:00:00Z'), factor: FACTOR },
      logSink: () => undefined,
      notify: (l) => print(l),
    });
    print(`demo: milepost is running at ${runtime.url}`);
    const spec = runtime.projects[0]!.spec;
    const pm = spec.team[0]!.email;
    const sponsor = spec.stakeholders.find((s) => s.role === 'sponsor')!.email;
    const approver = spec.stakeholders.find((s) => s.role === 'approver')!.email;
    const people = new Actors(runtime.url, spec.id, pm, print);
    const engineer = (spec.team[1] ?? spec.team[0]!).name;
    await walk(people, { sponsor, approver, engineer }, print);
    const closed = await people.until('the project to close', async () => {
      const d = await people.detail();
      return d.status === 'closed' && d;
    });
    const result = summarize(closed, runtime.transitions(spec.id));
    printSummary(result, closed.timezone, print);
    return result;
  } finally {
    await runtime?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function walk(
  people: Actors,
  who: { sponsor: string; approver: string; engineer: string },
  print: (line: string) => void,
): Promise<void> {
  print('initiation: the sponsor approves the charter');
  await people.submit('initiation');
  await people.decide('initiation', who.sponsor, 'approve');
  await people.completed('initiation');

  print('resourcing: automatic gate once resources are assigned');
  await people.record(
    '/resources/backup-storage',
    { kind: 'service', name: 'Cloud backup for the migration', quantity: 1, cost: 120 },
    'a resource',
  );
  await people.completed('resourcing');

  print('risk: the plan waits for the sponsor until the gate times out and escalates');
  await people.record(
    '/risks/mfa-lockout',
    {
      owner: 'Marco Rossi',
      mitigation: 'Enrol MFA with every user in person before cut-over',
      status: 'mitigated',
    },
    'an owner and a mitigation for a risk',
  );
  await people.submit('risk');
  await people.until('the risk gate to escalate', async () => {
    const d = await people.detail();
    return d.gates.find((g) => approvesPlan(g.stage))?.escalatedAt;
  });
  print('  the risk gate timed out, reminded and escalated');
  await people.decide('risk', who.sponsor, 'approve');
  await people.completed('risk');

  print('execution: rejected once, reworked, approved');
  await people.record(
    '/tasks/tenant',
    { status: 'done', estimateHours: 24, actualHours: 26 },
    'the tenant deliverable done',
  );
  await people.record(
    '/tasks/mailbox-migration',
    { name: 'Migrate 15 mailboxes', stage: 'execution', status: 'done', estimateHours: 30, actualHours: 28 },
    'a task done',
  );
  await people.submit('execution');
  await people.decide('execution', who.sponsor, 'reject', 'Please attach the CIS baseline report');
  await people.record(
    '/tasks/cis-report',
    { name: 'CIS baseline report', stage: 'execution', status: 'done', estimateHours: 4, actualHours: 4 },
    'the rework (a report)',
  );
  await people.submit('execution');
  await people.decide('execution', who.sponsor, 'approve');
  await people.completed('execution');

  print('qa: test cases passed, customer acceptance');
  for (const category of ['functional', 'security', 'performance'] as const) {
    await people.record(
      `/test-cases/${category}`,
      {
        name: `${category[0]!.toUpperCase()}${category.slice(1)} checks of the tenant`,
        category,
        steps: ['Run the checklist of the test plan'],
        expectedResult: 'Every check of the checklist passes',
        result: 'passed',
        evidence: `Checklist signed off by ${who.engineer}`,
        tester: who.engineer,
      },
      `the ${category} test case passed`,
    );
  }
  await people.submit('qa');
  await people.decide('qa', who.approver, 'approve');
  await people.completed('qa');

  print('deployment: go-live sign-off');
  await people.record(
    '/tasks/mail-cutover',
    { status: 'done', estimateHours: 8, actualHours: 9 },
    'the mail cut-over done',
  );
  await people.record(
    '/deployments/mail-cutover',
    {
      name: 'Mail cut-over to Microsoft 365',
      steps: ['Final mailbox sync', 'Switch MX records', 'Check mail flow'],
      rollbackPlan: 'Point the MX records back to the old server; mail queues for up to 24 hours',
      result: 'succeeded',
      deployedBy: who.engineer,
    },
    'the deployment record (rollback plan, result)',
  );
  const now = await people.detail();
  const started = now.stages.find((s) => s.key === now.currentStage)?.startedAt;
  await people.record(
    '/training-sessions/staff',
    {
      title: 'Outlook and Teams for staff',
      // The day the stage started (in the project's time zone): delivered by the time it is submitted.
      date: localDate(started ? new Date(started) : new Date(), now.timezone),
      audience: 'all staff',
      attendees: ['Front desk', 'Dentists'],
      materials: ['Quick-start guide'],
    },
    'a training session delivered',
  );
  await people.submit('deployment');
  await people.decide('deployment', who.sponsor, 'approve');
  await people.completed('deployment');

  print('support: hypercare period, then automatic close');
  await people.record(
    '/tasks/runbook',
    { status: 'done', estimateHours: 4, actualHours: 4 },
    'the support runbook handed over',
  );
  await people.completed('support');
}

function summarize(d: Detail, transitions: number): DemoResult {
  return {
    projectId: d.id,
    status: d.status,
    transitions,
    stages: d.stages.map((s) => {
      const gate = d.gates.find((g) => g.stage === s.key);
      return {
        key: s.key,
        name: s.name,
        ...(s.startedAt ? { startedAt: s.startedAt } : {}),
        ...(s.completedAt ? { completedAt: s.completedAt } : {}),
        approvedBy: gate?.approvers.filter((a) => a.decision === 'approve').map((a) => a.name) ?? [],
        reworkCount: s.reworkCount,
      };
    }),
    rejected: d.stages.filter((s) => s.reworkCount > 0).map((s) => s.key),
    escalated: d.gates.filter((g) => g.escalatedAt).map((g) => g.stage),
  };
}

function printSummary(r: DemoResult, tz: string, print: (line: string) => void): void {
  const rows = r.stages.map((s) => [
    s.name,
    formatTime(s.startedAt, tz),
    formatTime(s.completedAt, tz),
    s.approvedBy.length ? s.approvedBy.join(', ') : 'automatic',
  ]);
  const head = ['stage', 'started', 'completed', 'approved by'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  print('');
  print(line(head));
  print(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) print(line(row));
  print('');
  print(
    `rejected and reworked: ${r.rejected.join(', ') || 'none'}; escalated: ${r.escalated.join(', ') || 'none'}`,
  );
  print(`state transitions: ${r.transitions}`);
  print(`demo: ${r.projectId} closed, ${r.stages.length} stages, ${r.transitions} state transitions`);
}
