/**
 * Benchmarks (`npm run bench`): prints figures, asserts nothing. Medians over repeated runs.
 *
 * 1. Spec validation: time to parse and validate each example spec, and the ratio to parsing the
 *    YAML alone (what the schema and cross-field checks cost).
 * 2. Decision latency: GET of an approval page and the POST that approves, through the HTTP application on
 *    DynamoDB Local (the real store, conditional writes and transactions), with fake workflow and
 *    mailer; the ratio POST / GET. Skipped, with the reason, when Java is missing.
 * 3. State transitions: the synthesized definition of each example project run by
 *    aws-local-stepfunctions with every Task overridden (happy path): states entered per stage.
 *
 * BENCH_RUNS sets the repetitions of 2 and 3 (default 25).
 */
import '../local/polyfills.js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StateMachine } from 'aws-local-stepfunctions';
import { parseDocument } from 'yaml';
import { DynamoProjectStore } from '../functions/adapters/dynamo-store.js';
import { EmailNotifier } from '../functions/adapters/email-notifier.js';
import { createTableInput } from '../functions/adapters/table-definition.js';
import type { EmailMessage } from '../functions/core/notifications/email/render.js';
import type { Deps, DocumentStore } from '../functions/core/ports.js';
import { type LoadedSpec, parseSpec } from '../functions/core/spec/load.js';
import { stageType } from '../functions/core/stages/index.js';
import { enterStage } from '../functions/core/use-cases/enter-stage.js';
import { openGate } from '../functions/core/use-cases/open-gate.js';
import { registerProject } from '../functions/core/use-cases/register-project.js';
import { lifecycleEventSchema } from '../functions/core/workflow-contract.js';
import { createHttpApp } from '../functions/http/app.js';
import { respond } from '../functions/http/exchange.js';
import { loadProjectSpecs } from '../infra/build-app.js';
import { synthesizeDefinitions } from '../infra/definitions.js';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';
import { type AslDefinition, lifecyclePayload } from '../statemachines/definition.js';

// The SDK warns about Node 20 when a client first sends; the figures do not need that.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

const RUNS = Math.max(1, Number(process.env['BENCH_RUNS'] ?? 25));
const EXAMPLES = ['projects/brightsmile-m365.yaml', 'projects/harbor-law-network.yaml'];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
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

class MemoryDocuments implements DocumentStore {
  private readonly docs = new Map<string, string>();
  async put(key: string, body: string) {
    this.docs.set(key, body);
  }
  async get(key: string) {
    return this.docs.get(key);
  }
}

async function benchDecision(): Promise<void> {
  console.log(
    '\n## Decision latency: approval page GET and approving POST through the HTTP application on DynamoDB Local',
  );
  let db: Awaited<ReturnType<typeof startDynamoDbLocal>>;
  try {
    db = await startDynamoDbLocal({ inMemory: true });
  } catch (e) {
    console.log(`skipped: ${(e as Error).message}`);
    return;
  }
  try {
    const raw = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const tableName = `bench-${Date.now().toString(36)}`;
    await raw.send(new CreateTableCommand(createTableInput(tableName)));
    const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    const sent: EmailMessage[] = [];
    let successes = 0;
    const deps: Deps = {
      store: new DynamoProjectStore(client, tableName),
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
    const base = readFileSync(EXAMPLES[0] as string, 'utf8');
    const gets: number[] = [];
    const posts: number[] = [];
    for (let i = 0; i < RUNS + 3; i++) {
      const doc = parseDocument(base);
      const projectId = `bench-${i}`;
      doc.set('id', projectId);
      const loaded: LoadedSpec = parseSpec(doc.toString(), `${projectId}.yaml`);
      await registerProject(deps, loaded, { start: false });
      await enterStage(deps, {
        projectId,
        stage: 'initiation',
        executionStartedAt: new Date().toISOString(),
      });
      sent.length = 0;
      await openGate(deps, { projectId, stage: 'initiation', taskToken: `token-${i}` });
      const linkId = sent.map((m) => /\/approve\/([A-Za-z0-9_-]+)/.exec(m.text)?.[1]).find(Boolean);
      if (!linkId) throw new Error('no approval link was emailed (are the initiation criteria met?)');
      const request = { path: `/approve/${linkId}`, query: {}, body: '' };
      const [getMs, page] = await timeIt(() => respond(app, { ...request, method: 'GET', headers: {} }));
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
      if (!csrf) throw new Error(`the approval page has no form (status ${page.status})`);
      const before = successes;
      const [postMs, decided] = await timeIt(() =>
        respond(app, {
          ...request,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf, decision: 'approve', comment: '' }).toString(),
        }),
      );
      if (successes !== before + 1)
        throw new Error(`the POST did not pass the gate (status ${decided.status})`);
      if (i >= 3) {
        // the first rounds warm up the clients and the JVM
        gets.push(getMs);
        posts.push(postMs);
      }
    }
    const g = median(gets);
    const p = median(posts);
    console.log(`GET  /approve/{id}: median ${ms(g)} over ${gets.length} links`);
    console.log(`POST /approve/{id} (decide + gate rule + SendTaskSuccess): median ${ms(p)}`);
    console.log(`POST / GET ${ratio(p, g)}`);
  } finally {
    await db.stop();
  }
}

// 3. State transitions --------------------------------------------------------------------------

async function runHappyPath(definition: AslDefinition, projectId: string): Promise<number> {
  const handler = (taskInput: unknown) => {
    const e = lifecycleEventSchema.parse(lifecyclePayload(taskInput));
    if (e.action === 'enterStage') {
      // The stage that waits for a period (hypercare) is told its period is already over.
      return stageType(e.stage).waitsFor === 'period'
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
    for await (const event of execution.eventLogs) if (event.type === 'StateEntered') entered++;
  })();
  await execution.result;
  await counting;
  return entered;
}

async function benchTransitions(): Promise<void> {
  console.log('\n## State transitions on the happy path (synthesized definitions, Tasks overridden)');
  const specs = await loadProjectSpecs('projects');
  const definitions = synthesizeDefinitions(specs);
  for (const loaded of specs) {
    const id = loaded.spec.id;
    const definition = definitions.get(id);
    if (!definition) continue;
    const times: number[] = [];
    let entered = 0;
    for (let i = 0; i < RUNS; i++) {
      const [t, n] = await timeIt(() => runHappyPath(definition, id));
      times.push(t);
      entered = n;
    }
    const stages = loaded.stages.length;
    console.log(
      `${id}: ${stages} stages, ${entered} states entered, ${(entered / stages).toFixed(2)} per stage; run median ${ms(median(times))} over ${RUNS} runs`,
    );
  }
}

console.log(`milepost benchmarks (node ${process.version}, ${RUNS} runs)`);
await benchValidation();
await benchDecision();
await benchTransitions();
