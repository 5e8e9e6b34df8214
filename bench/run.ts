/**
 * Benchmarks (`npm run bench`): prints figures, asserts nothing. Medians over repeated runs.
 *
 * 1. Spec validation: time to parse and validate each example spec, and the ratio to parsing the
 *    YAML alone (what the schema and cross-field checks cost).
 * 2. Decision latency: GET of an approval page and the POST that approves, through the HTTP application on
 *    DynamoDB Local (the real store, conditional writes and transactions), with fake workflow and
 *    mailer; the ratio POST / GET, the DynamoDB requests of each (by command, counted on the client)
 *    and the CPU per request of each at 50 at once (this process and the DynamoDB Local JVM).
 *    Skipped, with the reason, when Java is missing.
 * 3. State transitions: the synthesized definition of each example project run by
 *    aws-local-stepfunctions with every Task overridden (happy path): states entered per stage.
 *
 * 4. Cost inputs (the README's cost table is computed from these lines, `cost-input: name = value`):
 *    per example project, the states entered and Lambda invocations of its lifetime (happy path),
 *    the schedule invocations and status emails per week at its cadence, the DynamoDB requests
 *    (read and write request units at up to 1 KB / 4 KB items) of registration, a monitoring check, a
 *    status report and an approval, the stored bytes of its records and of a status report document.
 *
 * 5. Contention (bench/contention.ts): N staff writes at once on one project (N = 1, 5, 20), with its
 *    gate open (each write commits the gate too) and decided: p50, p99, conflicted commits, failures.
 *
 * BENCH_RUNS sets the repetitions of 2 and 3 (default 25); BENCH_ONLY=decision,cost runs only the sections
 * named (validation, decision, contention, transitions, bundles, cost), e.g. under `node --cpu-prof`.
 */
import '../local/polyfills.js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { StateMachine } from 'aws-local-stepfunctions';
import { parseDocument } from 'yaml';
import { EmailNotifier } from '../functions/adapters/email-notifier.js';
import { PdfKitRenderer } from '../functions/adapters/pdf-renderer.js';
import type { EmailMessage } from '../functions/core/notifications/email/render.js';
import type { Deps } from '../functions/core/ports.js';
import { type LoadedSpec, parseSpec } from '../functions/core/spec/load.js';
import { stageType } from '../functions/core/stages/index.js';
import { enterStage } from '../functions/core/use-cases/enter-stage.js';
import { openGate } from '../functions/core/use-cases/open-gate.js';
import { registerProject } from '../functions/core/use-cases/register-project.js';
import { runMonitoringCheck } from '../functions/core/use-cases/run-monitoring-check.js';
import { sendStatusReport } from '../functions/core/use-cases/send-status-report.js';
import { lifecycleEventSchema } from '../functions/core/workflow-contract.js';
import { createHttpApp } from '../functions/http/app.js';
import { loadProjectSpecs } from '../infra/build-app.js';
import { synthesizeDefinitions } from '../infra/definitions.js';
import { startHttpServer } from '../local/http-server.js';
import { type AslDefinition, lifecyclePayload } from '../statemachines/definition.js';
import { measureBundles, measureSdkFloors, packageSizes } from './bundles.js';
import { benchContention } from './contention.js';
import { withLocalTable } from './local-table.js';
import { MemoryDocuments, median, percentile } from './support.js';

// The SDK warns about Node 20 when a client first sends; the figures do not need that.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const RUNS = Math.max(1, Number(process.env['BENCH_RUNS'] ?? 25));
const EXAMPLES = ['projects/brightsmile-m365.yaml', 'projects/harbor-law-network.yaml'];

const ms = (n: number) => `${n.toFixed(n < 1 ? 3 : 2)} ms`;
const ratio = (a: number, b: number) => (b > 0 ? `x${(a / b).toFixed(2)}` : 'n/a');

async function timeIt<T>(fn: () => T | Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const out = await fn();
  return [performance.now() - start, out];
}

// 1. Spec validation ----------------------------------------------------------------------------

async function benchValidation(): Promise<void> {
  console.log('\n## Spec validation (parse + schema + cross-field checks), per file');
  const rounds = RUNS * 8;
  for (const file of EXAMPLES) {
    const source = readFileSync(file, 'utf8');
    for (let i = 0; i < 20; i++) parseSpec(source, file); // warm-up
    const full: number[] = [];
    const yamlOnly: number[] = [];
    for (let i = 0; i < rounds; i++) {
      full.push((await timeIt(() => parseSpec(source, file)))[0]);
      yamlOnly.push((await timeIt(() => parseDocument(source).toJS()))[0]);
    }
    const f = median(full);
    const y = median(yamlOnly);
    console.log(
      `${file}: median ${ms(f)} over ${rounds} runs; YAML parse alone ${ms(y)}; validation / YAML ${ratio(f, y)}`,
    );
  }
}

// 2. Decision latency ---------------------------------------------------------------------------

/** Documents are rendered in process, as the local runtime does. */
const renderer = new PdfKitRenderer();

async function benchDecision(): Promise<void> {
  console.log(
    '\n## Decision latency: approval page GET and approving POST through the HTTP application on DynamoDB Local',
  );
  // The DynamoDB requests of each GET and POST, by command (what each one costs the database).
  let commands: string[] = [];
  const countCommands = (raw: DynamoDBClient) =>
    raw.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(String(context.commandName).replace(/Command$/, ''));
        return next(args);
      },
      { step: 'initialize', name: 'milepostDecisionCounter' },
    );
  await withLocalTable({ prefix: 'bench', prepare: countCommands }, async ({ db, store }) => {
    const sent: EmailMessage[] = [];
    let successes = 0;
    const deps: Deps = {
      store,
      workflow: {
        sendTaskSuccess: async () => {
          successes++;
        },
        sendTaskFailure: async () => {},
        startExecution: async () => {},
        stopExecutions: async () => 0,
      },
      notifier: new EmailNotifier({
        send: async (m) => {
          sent.push(m);
          return { messageId: randomUUID() };
        },
      }),
      documents: new MemoryDocuments(),
      renderer,
      clock: { now: () => new Date() },
      log: { info: () => {}, warn: () => {}, error: () => {} },
      config: {
        publicBaseUrl: 'http://127.0.0.1:8080',
        senderEmail: 'projects@msp.example',
        mspName: 'Bench MSP',
        linkTtlDays: 21,
      },
    };
    const app = createHttpApp(deps);
    // Through the local runtime's HTTP server, as a browser reaches it.
    const server = await startHttpServer(0);
    server.ready(app);
    deps.config.publicBaseUrl = server.url;
    const base = readFileSync(EXAMPLES[0] as string, 'utf8');
    let projects = 0;
    /** A project waiting at its initiation gate, and the emailed approval link of its sponsor. */
    const openLink = async (): Promise<string> => {
      const doc = parseDocument(base);
      const projectId = `bench-${projects++}`;
      doc.set('id', projectId);
      const loaded: LoadedSpec = parseSpec(doc.toString(), `${projectId}.yaml`);
      await registerProject(deps, loaded, { start: false });
      await enterStage(deps, {
        projectId,
        stage: 'initiation',
        executionStartedAt: new Date().toISOString(),
      });
      sent.length = 0;
      await openGate(deps, { projectId, stage: 'initiation', taskToken: `token-${projectId}` });
      const linkId = sent.map((m) => /\/approve\/([A-Za-z0-9_-]+)/.exec(m.text)?.[1]).find(Boolean);
      if (!linkId) throw new Error('no approval link was emailed (are the initiation criteria met?)');
      return linkId;
    };
    // The client: node:http over kept-alive connections, as a browser keeps its connection. (The
    // built-in fetch spent about 2 ms of each POST building its request body in this process,
    // which is the client's cost, not the server's.)
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const request = (path: string, method: string, body = '', headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          `${server.url}${path}`,
          { method, agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    /** GETs the page of a link: its time and the form's fields as a browser posts them. */
    const getPage = async (linkId: string): Promise<[number, string]> => {
      const [t, res] = await timeIt(() => request(`/approve/${linkId}`, 'GET'));
      const hidden = [...res.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)];
      if (!hidden.some((m) => m[1] === 'csrf'))
        throw new Error(`the approval page has no form (status ${res.status})`);
      const form = new URLSearchParams(hidden.map((m): [string, string] => [m[1] ?? '', m[2] ?? '']));
      return [t, form.toString()];
    };
    /** POSTs the approval with the page's form: its time; throws unless the gate was passed. */
    const approve = async (linkId: string, form: string): Promise<number> => {
      const body = `${form}&decision=approve&comment=`;
      const [t, res] = await timeIt(() =>
        request(`/approve/${linkId}`, 'POST', body, {
          'content-type': 'application/x-www-form-urlencoded',
          origin: server.url,
        }),
      );
      if (res.status >= 400) throw new Error(`the approving POST answered ${res.status}`);
      return t;
    };
    const gets: number[] = [];
    const posts: number[] = [];
    try {
      // The first rounds warm up the clients and the JVM (its JIT compiles the transaction path
      // late: a cold DynamoDB Local answers a transaction 2-3 times slower).
      const WARM_UP = 15;
      let getCommands: string[] = [];
      let postCommands: string[] = [];
      for (let i = 0; i < RUNS + WARM_UP; i++) {
        const linkId = await openLink();
        commands = [];
        const [getMs, form] = await getPage(linkId);
        getCommands = [...commands];
        const before = successes;
        commands = [];
        const postMs = await approve(linkId, form);
        postCommands = [...commands];
        if (successes !== before + 1) throw new Error('the POST did not pass the gate');
        if (i >= WARM_UP) {
          gets.push(getMs);
          posts.push(postMs);
        }
      }
      // 50 distinct links approved at once, a few rounds: the p99 of each round, then their median.
      const CONCURRENCY = 50;
      const p99s: number[] = [];
      const getP99s: number[] = [];
      // CPU time per POST (not wall time, so it holds on a busy machine): this process (the
      // server and the bench's client) and the DynamoDB Local JVM.
      const cpu: { node: number[]; jvm: number[] } = { node: [], jvm: [] };
      const getCpu: { node: number[]; jvm: number[] } = { node: [], jvm: [] };
      for (let round = 0; round < 3; round++) {
        const linkIds: string[] = [];
        for (let i = 0; i < CONCURRENCY; i++) linkIds.push(await openLink());
        // Opening the links took longer than the server keeps an idle connection (5 s): a kept
        // socket could be reused just as the server closes it (ECONNRESET). Each approver's page
        // is opened on a new connection, as 50 browsers would; the POSTs then reuse them.
        for (const sockets of Object.values(agent.freeSockets)) for (const s of sockets ?? []) s.destroy();
        // The pages too are opened at once, for the CPU of a GET to compare with.
        const getNodeBefore = process.cpuUsage();
        const getJvmBefore = processCpuMs(db.pid);
        const pages = await Promise.all(
          linkIds.map(
            async (linkId): Promise<[string, number, string]> => [linkId, ...(await getPage(linkId))],
          ),
        );
        getP99s.push(
          percentile(
            pages.map(([, t]) => t),
            0.99,
          ),
        );
        const ready = pages.map(([linkId, , form]): [string, string] => [linkId, form]);
        const getNodeCpu = process.cpuUsage(getNodeBefore);
        const getJvmAfter = processCpuMs(db.pid);
        getCpu.node.push((getNodeCpu.user + getNodeCpu.system) / 1000 / CONCURRENCY);
        if (getJvmBefore !== undefined && getJvmAfter !== undefined)
          getCpu.jvm.push((getJvmAfter - getJvmBefore) / CONCURRENCY);
        const before = successes;
        const nodeBefore = process.cpuUsage();
        const jvmBefore = processCpuMs(db.pid);
        const times = await Promise.all(ready.map(([linkId, form]) => approve(linkId, form)));
        const nodeCpu = process.cpuUsage(nodeBefore);
        const jvmAfter = processCpuMs(db.pid);
        if (successes !== before + CONCURRENCY) throw new Error('not every concurrent POST passed its gate');
        p99s.push(percentile(times, 0.99));
        cpu.node.push((nodeCpu.user + nodeCpu.system) / 1000 / CONCURRENCY);
        if (jvmBefore !== undefined && jvmAfter !== undefined)
          cpu.jvm.push((jvmAfter - jvmBefore) / CONCURRENCY);
      }
      const g = median(gets);
      const p = median(posts);
      console.log(`GET  /approve/{id}: median ${ms(g)} over ${gets.length} links`);
      console.log(`POST /approve/{id} (decide + gate rule + SendTaskSuccess): median ${ms(p)}`);
      console.log(`approval POST/GET: ${ratio(p, g)}`);
      const listed = (c: string[]) => `${c.length} (${c.join(', ')})`;
      console.log(
        `approval DynamoDB requests: GET ${listed(getCommands)}; approving POST ${listed(postCommands)}`,
      );
      console.log(
        `approval POST p50 c=1: ${p.toFixed(1)} ms, p99 c=${CONCURRENCY}: ${median(p99s).toFixed(1)} ms`,
      );
      // The same server answering 50 page GETs at once (one read, no write): on this machine's
      // cores, what any request costs at that concurrency before the POST's own work.
      console.log(
        `approval GET p99 c=${CONCURRENCY}: ${median(getP99s).toFixed(1)} ms (${ratio(median(getP99s), p)} the POST p50 c=1)`,
      );
      console.log(
        `approval POST CPU per request at c=${CONCURRENCY}: ${median(cpu.node).toFixed(2)} ms in this process (server and client), ` +
          (cpu.jvm.length
            ? `${median(cpu.jvm).toFixed(2)} ms in DynamoDB Local`
            : 'DynamoDB Local not measured here'),
      );
      console.log(
        `approval GET CPU per request at c=${CONCURRENCY}: ${median(getCpu.node).toFixed(2)} ms in this process, ` +
          (getCpu.jvm.length
            ? `${median(getCpu.jvm).toFixed(2)} ms in DynamoDB Local`
            : 'DynamoDB Local not measured here'),
      );
    } finally {
      await server.close();
    }
  });
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); undefined elsewhere. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100 Hz).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

// 3. State transitions --------------------------------------------------------------------------

async function runHappyPath(
  definition: AslDefinition,
  projectId: string,
  onEntered: (stateName: string) => void = () => {},
): Promise<number> {
  const handler = (taskInput: unknown) => {
    const e = lifecycleEventSchema.parse(lifecyclePayload(taskInput));
    const entered = e.action === 'enterStage' ? e.stage : e.action === 'advanceStage' ? e.next : undefined;
    if (entered !== undefined) {
      // The stage that waits for a period (hypercare) is told its period is already over.
      return stageType(entered).waitsFor === 'period'
        ? { continueAsNew: false, waitUntil: new Date(Date.now() - 60_000).toISOString() }
        : { continueAsNew: false };
    }
    if (e.action === 'openGate') return { stage: e.stage, round: 1, decision: 'approved' };
    return {};
  };
  const overrides = Object.fromEntries(
    Object.entries(definition.States)
      .filter(([, s]) => s.Type === 'Task')
      .map(([name]) => [name, handler]),
  );
  const execution = new StateMachine(definition as never).run({ projectId } as never, {
    overrides: { taskResourceLocalHandlers: overrides as never },
    context: {
      Task: {
        get Token() {
          return randomUUID();
        },
      },
    },
  });
  let entered = 0;
  const counting = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type !== 'StateEntered') continue;
      entered++;
      onEntered((event as { state?: { name?: string } }).state?.name ?? '');
    }
  })();
  await execution.result;
  await counting;
  return entered;
}

async function benchTransitions(): Promise<void> {
  console.log('\n## State transitions on the happy path (synthesized definitions, Tasks overridden)');
  const specs = await loadProjectSpecs('projects');
  // The first example cut to its last stage (support, which also waits for its hypercare
  // period): the difference per added stage is what a stage costs, the rest is per execution.
  const first = specs[0] as LoadedSpec;
  const doc = parseDocument(readFileSync(first.file, 'utf8'));
  const onlyStage = first.stages.at(-1)?.key as string;
  doc.set('id', 'one-stage');
  doc.set('stages', [{ key: onlyStage }]);
  doc.set('deliverables', [{ id: 'd', name: 'D', stage: onlyStage, acceptance: 'accepted' }]);
  const oneStage = parseSpec(doc.toString(), 'one-stage.yaml');
  const definitions = synthesizeDefinitions([...specs, oneStage]);
  const entered = new Map<string, number>();
  for (const loaded of [...specs, oneStage]) {
    const id = loaded.spec.id;
    const definition = definitions.get(id);
    if (!definition) continue;
    const times: number[] = [];
    let n = 0;
    for (let i = 0; i < RUNS; i++) {
      const [t, count] = await timeIt(() => runHappyPath(definition, id));
      times.push(t);
      n = count;
    }
    entered.set(id, n);
    const stages = loaded.stages.length;
    console.log(
      `${id}: ${stages} stages, ${n} states entered, ${(n / stages).toFixed(2)} per stage; run median ${ms(median(times))} over ${RUNS} runs`,
    );
  }
  // Per stage: what each stage past the first adds; per execution: what is left of the one-stage run.
  const full = entered.get(first.spec.id) ?? 0;
  const single = entered.get('one-stage') ?? 0;
  const perStage = (full - single) / (first.stages.length - 1);
  console.log(`transitions per stage (happy path): ${perStage.toFixed(2)}`);
  console.log(`transitions per execution besides its stages (happy path): ${(single - perStage).toFixed(2)}`);
}

// 3b. Bundles -----------------------------------------------------------------------------------

async function benchBundles(): Promise<void> {
  console.log(
    '\n## Lambda bundles (infra/bundle.ts, as cdk synth builds them; load = CPU of a fresh Node importing it)',
  );
  const bundles = await measureBundles(Math.max(5, Math.ceil(RUNS / 2)));
  for (const b of bundles) {
    console.log(
      `bundle ${b.name}: ${Math.ceil(b.codeBytes / 1024)} KB, load ${ratio(b.loadCpuMs, b.emptyCpuMs)}` +
        ` (source map ${Math.ceil(b.mapBytes / 1024)} KB kept outside the zip; ${ms(b.loadCpuMs)} vs ${ms(b.emptyCpuMs)} for an empty module)`,
    );
  }
  // The SDK alone, bundled the same way: the least a function with those clients can be.
  for (const f of await measureSdkFloors(Math.max(5, Math.ceil(RUNS / 2)))) {
    console.log(
      `bundle floor (SDK only: ${f.name}, no milepost code): ${Math.ceil(f.codeBytes / 1024)} KB, load ${ratio(f.loadCpuMs, f.emptyCpuMs)}` +
        ` (${ms(f.loadCpuMs)} vs ${ms(f.emptyCpuMs)} for an empty module)`,
    );
  }
  // What the largest function is made of, by package (milepost's own code by folder).
  const largest = [...bundles].sort((a, b) => b.codeBytes - a.codeBytes)[0];
  if (!largest) return;
  console.log(`\n${largest.name}, by package (KB of minified code):`);
  for (const [name, bytes] of packageSizes(largest.metafile)) {
    if (bytes >= 1024) console.log(`  ${(bytes / 1024).toFixed(1).padStart(6)}  ${name}`);
  }
}

// 4. Cost inputs --------------------------------------------------------------------------------

/** Request units of DynamoDB on demand: reads per 4 KB (strongly consistent), writes per 1 KB, transactions x2. */
function requestUnits(
  command: string,
  input: Record<string, unknown>,
  itemBytes: number,
): { rru: number; wru: number } {
  const reads = Math.max(1, Math.ceil(itemBytes / 4096));
  const writes = Math.max(1, Math.ceil(itemBytes / 1024));
  switch (command) {
    case 'GetItemCommand':
      return { rru: reads, wru: 0 };
    case 'QueryCommand':
    case 'BatchGetItemCommand':
      return { rru: reads, wru: 0 };
    case 'PutItemCommand':
    case 'UpdateItemCommand':
      return { rru: 0, wru: writes };
    case 'TransactWriteItemsCommand':
      return { rru: 0, wru: 2 * writes * ((input['TransactItems'] as unknown[] | undefined)?.length ?? 1) };
    default:
      return { rru: 0, wru: 0 };
  }
}

async function benchCostInputs(): Promise<void> {
  console.log('\n## Cost inputs (the README cost table reads these lines)');
  const specs = await loadProjectSpecs('projects');
  const definitions = synthesizeDefinitions(specs);
  for (const loaded of specs) {
    const id = loaded.spec.id;
    const definition = definitions.get(id);
    if (!definition) continue;
    const entered = await runHappyPath(definition, id);
    const tasks = await countTasks(definition, id);
    const monitorPerWeek = loaded.spec.monitoring.every === 'day' ? 7 : 1;
    const every = loaded.spec.communication.statusReport.every;
    const reportsPerWeek = every === 'week' ? 1 : every === 'fortnight' ? 0.5 : 12 / 52;
    const people = new Set(
      [...loaded.spec.stakeholders, ...loaded.spec.team].map((p) => p.email.toLowerCase()),
    );
    console.log(`cost-input: ${id}.states_entered_lifetime = ${entered}`);
    console.log(`cost-input: ${id}.lifecycle_invocations_lifetime = ${tasks}`);
    console.log(`cost-input: ${id}.schedule_invocations_per_week = ${monitorPerWeek + reportsPerWeek}`);
    console.log(`cost-input: ${id}.status_emails_per_week = ${(people.size * reportsPerWeek).toFixed(2)}`);
  }
  const units = { rru: 0, wru: 0, requests: 0 };
  // Counts every request the store sends, with the request units it would consume on demand.
  const countUnits = (raw: DynamoDBClient) =>
    raw.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const input = args.input as Record<string, unknown>;
        units.requests++;
        // A Query or batch read is charged for what it returned together (a snapshot of the
        // project's current records is one read of their total size); single items at up to 1 KB.
        const output = result.output as { Items?: unknown[]; Responses?: Record<string, unknown[]> };
        const read = output.Items ?? Object.values(output.Responses ?? {}).flat();
        const bytes = read.length > 0 ? JSON.stringify(read).length : 1024;
        const u = requestUnits(context.commandName ?? '', input, bytes);
        units.rru += u.rru;
        units.wru += u.wru;
        return result;
      },
      { step: 'initialize', name: 'milepostCostCounter' },
    );
  await withLocalTable(
    { prefix: 'cost', skipped: 'DynamoDB figures skipped', prepare: countUnits },
    async ({ store, tableName, client }) => {
      const docs = new MemoryDocuments();
      let emails = 0;
      const deps: Deps = {
        store,
        workflow: {
          sendTaskSuccess: async () => {},
          sendTaskFailure: async () => {},
          startExecution: async () => {},
          stopExecutions: async () => 0,
        },
        notifier: new EmailNotifier({
          send: async () => {
            emails++;
            return { messageId: randomUUID() };
          },
        }),
        documents: docs,
        renderer,
        clock: { now: () => new Date() },
        log: { info: () => {}, warn: () => {}, error: () => {} },
        config: {
          publicBaseUrl: 'http://127.0.0.1:8080',
          senderEmail: 'p@msp.example',
          mspName: 'Bench',
          linkTtlDays: 21,
        },
      };
      const measure = async (name: string, fn: () => Promise<unknown>) => {
        const before = { ...units };
        const sentBefore = emails;
        await fn();
        console.log(
          `cost-input: ${name} = ${units.requests - before.requests} requests, ${units.rru - before.rru} RRU, ${units.wru - before.wru} WRU, ${emails - sentBefore} emails`,
        );
      };
      for (const loaded of specs) {
        const id = loaded.spec.id;
        await measure(`${id}.dynamodb_registration`, () => registerProject(deps, loaded, { start: false }));
        await measure(`${id}.dynamodb_enter_stage`, () =>
          enterStage(deps, {
            projectId: id,
            stage: 'initiation',
            executionStartedAt: new Date().toISOString(),
          }),
        );
        await measure(`${id}.dynamodb_open_gate`, () =>
          openGate(deps, { projectId: id, stage: 'initiation', taskToken: `t-${id}` }),
        );
        const changed = units.requests;
        await measure(`${id}.dynamodb_monitoring_check`, () => runMonitoringCheck(deps, id));
        const unchanged = units.requests;
        await runMonitoringCheck(deps, id);
        if (loaded === specs[0]) {
          console.log(
            `monitoring check: ${units.requests - unchanged} requests unchanged, ${unchanged - changed} requests changed`,
          );
        }
        await measure(`${id}.dynamodb_status_report`, () => sendStatusReport(deps, id));
        const items = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'PK = :pk',
            ExpressionAttributeValues: { ':pk': `PROJECT#${id}` },
          }),
        );
        const bytes = (items.Items ?? []).reduce((n, item) => n + JSON.stringify(item).length, 0);
        console.log(`cost-input: ${id}.stored_bytes_after_open_gate = ${bytes}`);
      }
      console.log(`cost-input: status_report_document_bytes = ${Math.max(0, ...docs.sizes())}`);
    },
  );
}

/** Task states entered on the happy path: each is one Lambda invocation of the lifecycle function. */
async function countTasks(definition: AslDefinition, projectId: string): Promise<number> {
  const taskNames = new Set(
    Object.entries(definition.States)
      .filter(([, s]) => s.Type === 'Task')
      .map(([n]) => n),
  );
  let tasks = 0;
  await runHappyPath(definition, projectId, (name) => {
    if (taskNames.has(name)) tasks++;
  });
  return tasks;
}

const SECTIONS: Record<string, () => Promise<void>> = {
  validation: benchValidation,
  decision: benchDecision,
  contention: benchContention,
  transitions: benchTransitions,
  bundles: benchBundles,
  cost: benchCostInputs,
};
// BENCH_ONLY=decision,cost runs only those sections (e.g. under a profiler).
const only = (process.env['BENCH_ONLY'] ?? '').split(',').filter(Boolean);
const unknown = only.filter((name) => !(name in SECTIONS));
if (unknown.length > 0) {
  throw new Error(
    `BENCH_ONLY: unknown section(s) ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`,
  );
}
console.log(`milepost benchmarks (node ${process.version}, ${RUNS} runs)`);
for (const [name, run] of Object.entries(SECTIONS)) {
  if (only.length === 0 || only.includes(name)) await run();
}
