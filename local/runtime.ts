/**
 * The whole product on one machine: DynamoDB Local, the SES v2 server, the local Step Functions
 * endpoint running the definitions CDK synthesizes for the project specs, local schedules, and
 * the HTTP interface with the dashboard. This module only puts them together: the handlers get
 * their dependencies from the same composition module as in AWS, with endpoint overrides, so
 * they do not know they run locally; they are invoked as in AWS (register with a CloudFormation
 * custom resource event, Task states through the lifecycle handler, HTTP through the same app).
 *
 * Start-up: load the specs (no folder -> LocalRuntimeError, invalid -> SpecValidationError),
 * make the data folder private and take its lock (held by a live runtime -> LocalRuntimeError
 * naming its process), continue the clock from where the last run stopped (kept-clock.ts),
 * listen on the port (taken -> LocalRuntimeError), start DynamoDB Local (no Java ->
 * MissingJavaError) and create the table if absent, start SES and SFN, synthesize one definition
 * per project, register the projects through the register handler (a new one starts its first
 * execution through the SDK), and resume each active project that has no running execution here
 * (after a restart) at its current stage with a fresh execution name (supervisor.ts).
 *
 * While it runs, an execution that fails (or times out) is reported and restarted by the
 * supervisor, a bounded number of times. A DynamoDB Local JVM that dies is reported and started
 * again (bounded); meanwhile `/health` and every route answer 503. Past the bound, `onFatal`.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readEnv } from '../functions/adapters/config.js';
import { jsonLogger } from '../functions/adapters/json-logger.js';
import { PdfKitRenderer } from '../functions/adapters/pdf-renderer.js';
import { AcceleratedClock } from '../functions/adapters/system-clock.js';
import { makeDeps } from '../functions/composition.js';
import type { OutboxEmail } from '../functions/core/outbox.js';
import type { Deps, Logger } from '../functions/core/ports.js';
import { portfolioDigestSchedule } from '../functions/core/schedules.js';
import { type LoadedSpec, loadSpecFolder, SpecFolderError } from '../functions/core/spec/load.js';
import { stateMachineName } from '../functions/core/workflow-contract.js';
import { handleSchedule } from '../functions/handlers/schedule.js';
import { createHttpApp } from '../functions/http/app.js';
import { localSignIn } from '../functions/http/sign-in.js';
import { synthesizeDefinitions } from '../infra/definitions.js';
import { lockDataDir, makePrivate } from './data-dir.js';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.js';
import { LocalRuntimeError } from './errors.js';
import { type LocalHttpServer, startHttpServer } from './http-server.js';
import { CLOCK_FILE, KeptClock, readKeptTime } from './kept-clock.js';
import { fileLogSink } from './log-sink.js';
import { registerProjects } from './registration.js';
import { LocalScheduler } from './scheduler.js';
import { type SesLocal, startSesLocal } from './ses-local.js';
import { type LocalExecution, type SfnLocal, startSfnLocal } from './sfn-local.js';
import { ExecutionSupervisor } from './supervisor.js';
import { ensureTable, TABLE_NAME } from './table.js';
import { type AroundTask, lifecycleTaskBridge } from './task-bridge.js';
import { postText, startWebhookLocal, type WebhookLocal } from './webhook-local.js';

export { TABLE_NAME } from './table.js';

export interface RuntimeOptions {
  /** Folder of the project specs (`*.yaml`, `*.yml`). */
  projectsDir: string;
  /** HTTP port on 127.0.0.1 (0: a free port). */
  port: number;
  /** Keeps DynamoDB data, documents, the outbox and the execution history (unless `inMemory`). */
  dataDir: string;
  inMemory: boolean;
  /** Clock of the handlers: start time and acceleration (default: now, real time). */
  clock?: { start?: Date; factor?: number };
  /** Shown in emails when a spec has no msp.name. */
  mspName?: string;
  senderEmail?: string;
  /** The MSP's delivery manager: gets the daily portfolio digest. */
  deliveryManagerEmail?: string;
  /** The platform's chat channel for staff alerts (its posts are captured in the outbox). */
  webhook?: 'teams' | 'slack';
  /** The platform's time zone (the digest's day and hour). @default UTC */
  timezone?: string;
  /** Monitoring and status-report timers (default true). */
  schedules?: boolean;
  /** Where the handlers' JSON log lines go (default: `<dataDir>/milepost.log`, or nowhere in memory). */
  logSink?: (line: string) => void;
  /** Short messages for the person running it (execution failures). Default: stderr. */
  notify?: (line: string) => void;
  /** Restarts of failed executions (default: 3 attempts in a row per stage, backoff from 1000 ms). */
  restartFailed?: { attempts?: number; backoffMs?: number };
  /** Runs around every Task call of the state machines (fault injection in tests). */
  aroundTask?: AroundTask;
  /**
   * A part of the runtime failed for good (the database JVM exhausted its restarts). Default:
   * report it with `notify`. `milepost dev` stops and exits non-zero.
   */
  onFatal?: (err: Error) => void;
}

export interface Runtime {
  url: string;
  port: number;
  deps: Deps;
  /** The handlers' clock (a KeptClock when data is kept on disk). */
  clock: AcceleratedClock;
  sfn: SfnLocal;
  ses: SesLocal;
  /** The capture server of Teams and Slack posts. */
  webhooks: WebhookLocal;
  /** DynamoDB Local's endpoint (127.0.0.1 only). */
  databaseEndpoint: string;
  projects: LoadedSpec[];
  /** States entered by all executions of a project's state machine. */
  transitions(projectId: string): number;
  /** Stops everything (servers, timers, executions, the JVM). Safe to call twice. */
  stop(): Promise<void>;
}

/** The specs of the projects folder (one discovery for cdk synth, the CLI and this runtime). */
async function loadProjects(dir: string): Promise<LoadedSpec[]> {
  try {
    return await loadSpecFolder(dir);
  } catch (err) {
    if (err instanceof SpecFolderError) {
      throw new LocalRuntimeError(`${err.message}: pass --projects DIR`, { cause: err });
    }
    throw err;
  }
}

/**
 * The clock kept in `file`: from the later of where the last run stopped, `start` and real now.
 * An unreadable file is one line (deleting it restarts the clock at real now).
 */
function keptClock(file: string, start: Date | undefined, factor: number): KeptClock {
  let kept: Date | undefined;
  try {
    kept = readKeptTime(file);
  } catch (err) {
    throw new LocalRuntimeError(`${file} is not a clock file (delete it to start the clock at now)`, {
      cause: err,
    });
  }
  const from = Math.max(start?.getTime() ?? Date.now(), kept?.getTime() ?? Number.NEGATIVE_INFINITY);
  return new KeptClock(file, new Date(from), factor);
}

/** Starts the local runtime. See the module comment for the steps and their errors. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    while (cleanups.length) {
      const step = cleanups.pop()!;
      try {
        await step();
      } catch {
        // Keep stopping the rest.
      }
    }
  };
  try {
    return await start(options, cleanups, stopAll);
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function start(
  options: RuntimeOptions,
  cleanups: (() => Promise<void> | void)[],
  stopAll: () => Promise<void>,
): Promise<Runtime> {
  const notify = options.notify ?? ((l: string) => console.error(l));
  const dataDir = resolve(options.dataDir);
  const projects = await loadProjects(options.projectsDir);

  if (!options.inMemory) {
    makePrivate(dataDir);
    cleanups.push(lockDataDir(dataDir));
  }

  // The handlers' clock; kept with the data it never goes back (an accelerated one would).
  const factor = Math.max(1, options.clock?.factor ?? 1);
  const clock = options.inMemory
    ? new AcceleratedClock(options.clock?.start ?? new Date(), factor)
    : keptClock(join(dataDir, CLOCK_FILE), options.clock?.start, factor);
  if (clock instanceof KeptClock) cleanups.push(() => clock.close());

  const http: LocalHttpServer = await startHttpServer(options.port, (err) =>
    notify(`milepost: request failed: ${err instanceof Error ? err.message : String(err)}`),
  );
  cleanups.push(() => http.close());

  let dbFailed: Error | undefined;
  const db: DynamoDbLocal = await startDynamoDbLocal({
    ...(options.inMemory ? { inMemory: true } : { dbPath: join(dataDir, 'dynamodb') }),
    supervise: {
      notify,
      onGiveUp: (err) => {
        dbFailed = err;
        if (options.onFatal) options.onFatal(err);
        else notify(`milepost: ${err.message}`);
      },
    },
  });
  cleanups.push(() => db.stop());
  await ensureTable(db.endpoint, TABLE_NAME);

  const ses = await startSesLocal(options.inMemory ? {} : { persistFile: join(dataDir, 'outbox.json') });
  cleanups.push(() => ses.stop());

  // Stamped with real time, as the SES server stamps the emails: the outbox keeps one order.
  const webhooks = await startWebhookLocal({
    ...(options.inMemory ? {} : { persistFile: join(dataDir, 'webhooks.json') }),
  });
  cleanups.push(() => webhooks.stop());

  const sink =
    options.logSink ?? (options.inMemory ? () => undefined : fileLogSink(join(dataDir, 'milepost.log')));
  const log: Logger = jsonLogger({ service: 'milepost', runtime: 'local' }, sink);

  // The SFN endpoint runs Task states with the handlers, which need deps, which need its endpoint.
  let deps: Deps | undefined;
  // Restarts failed executions on that endpoint (set once the projects are registered).
  let supervisor: ExecutionSupervisor | undefined;
  const sfn = await startSfnLocal({
    clock,
    factor,
    ...(options.inMemory ? {} : { persistFile: join(dataDir, 'executions.json') }),
    invokeTask: lifecycleTaskBridge(() => deps, options.aroundTask),
    onExecutionEnd: (e: LocalExecution) => {
      if (e.status === 'FAILED' || e.status === 'TIMED_OUT') {
        notify(
          `milepost: execution ${e.name} ${e.status.toLowerCase()}: ${e.error ?? ''} ${e.cause ?? ''}`.trim(),
        );
        supervisor?.failed(e);
      }
    },
  });
  cleanups.push(() => sfn.stop());

  let documentsDir = join(dataDir, 'documents');
  if (options.inMemory) {
    documentsDir = mkdtempSync(join(tmpdir(), 'milepost-documents-'));
    const dir = documentsDir;
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  }
  const env = readEnv({
    TABLE_NAME,
    DOCUMENTS_DIR: documentsDir,
    STATE_MACHINE_ARN_PREFIX: sfn.stateMachineArnPrefix,
    PUBLIC_BASE_URL: http.url,
    SENDER_EMAIL: options.senderEmail ?? 'projects@msp.example.com',
    MSP_NAME: options.mspName ?? 'Your MSP',
    ...(options.deliveryManagerEmail ? { DELIVERY_MANAGER_EMAIL: options.deliveryManagerEmail } : {}),
    AWS_REGION: 'us-east-1',
    DYNAMODB_ENDPOINT: db.endpoint,
    SFN_ENDPOINT: sfn.endpoint,
    SES_ENDPOINT: ses.endpoint,
    WEBHOOK_ENDPOINT: webhooks.endpoint,
    ...(options.webhook ? { WEBHOOK_KIND: options.webhook } : {}),
    ...(options.deliveryManagerEmail ? { DELIVERY_MANAGER_EMAIL: options.deliveryManagerEmail } : {}),
    ...(options.timezone ? { PLATFORM_TIMEZONE: options.timezone } : {}),
  });
  // Documents are rendered in this process (in AWS the documents function renders them).
  const ready: Deps = makeDeps(env, { clock, log, renderer: new PdfKitRenderer() });
  deps = ready;

  // The definitions CDK synthesizes for these specs (same app builder as `cdk synth`).
  const definitions = synthesizeDefinitions(projects);
  for (const p of projects) {
    const def = definitions.get(p.spec.id);
    if (!def) throw new LocalRuntimeError(`no state machine was synthesized for project ${p.spec.id}`);
    sfn.addStateMachine(stateMachineName(p.spec.id), def);
  }

  // Start-up took real time, which an accelerated clock multiplied: projects start at `start`.
  // A kept clock only goes forward: it continues from where it was.
  const startAt = options.clock?.start;
  if (startAt && !(clock instanceof KeptClock)) clock.advance(startAt.getTime() - clock.now().getTime());

  // The supervisor watches before anything starts: an execution that fails while the projects
  // are still being registered or resumed is restarted like any other (a failure it did not see
  // would leave that project without a workflow until the next start).
  const restarts = new ExecutionSupervisor(
    ready,
    sfn,
    projects.map((p) => p.spec.id),
    notify,
    options.restartFailed,
  );
  cleanups.push(() => restarts.stop());
  supervisor = restarts;
  // As a deploy would: a new project starts its first execution (through the SDK).
  await registerProjects(ready, projects);
  await restarts.resumeAll();

  const scheduler = new LocalScheduler({
    clock,
    factor,
    log,
    run: async (kind, projectId) => {
      await handleSchedule(ready, { kind, projectId });
    },
    isActive: async (projectId) => (await ready.store.getProject(projectId))?.status === 'active',
  });
  cleanups.push(() => scheduler.stop());
  if (options.schedules !== false) {
    scheduler.addPlatform(portfolioDigestSchedule(options.timezone ?? 'UTC'), async () => {
      await handleSchedule(ready, { kind: 'portfolio-digest' });
    });
    for (const p of projects) {
      const record = await ready.store.getProject(p.spec.id);
      if (record?.status === 'active') scheduler.add(record);
    }
  }

  // The HTTP application as both functions behind the API serve it: each request goes to the
  // approvals app or the staff app by its route declaration's `fn`, as API Gateway sends it in
  // AWS; the staff app with the console (signed in through the local sign-in page, with a secret
  // of this process) and the outbox of the local SES server.
  http.ready(
    createHttpApp(ready, {
      console: { signIn: localSignIn() },
      outbox: { list: () => localOutbox(ses, webhooks) },
    }),
    () => ({
      status: db.healthy ? 'ok' : dbFailed ? 'database stopped' : 'database restarting',
      now: clock.now(),
    }),
  );

  let stopping: Promise<void> | undefined;
  return {
    url: http.url,
    port: http.port,
    deps: ready,
    clock,
    sfn,
    ses,
    webhooks,
    databaseEndpoint: db.endpoint,
    projects,
    transitions: (projectId) =>
      sfn.listExecutions(stateMachineName(projectId)).reduce((n, e) => n + e.transitions, 0),
    stop: () => {
      stopping ??= stopAll();
      return stopping;
    },
  };
}

/** The outbox of `GET /api/outbox`: the emails and the chat posts, oldest first, each with its channel. */
export async function localOutbox(ses: SesLocal, webhooks: WebhookLocal): Promise<OutboxEmail[]> {
  const emails: OutboxEmail[] = (await ses.outbox()).map((e) => ({ ...e, channel: 'email' as const }));
  const posts: OutboxEmail[] = webhooks.posts().map((p) => ({
    messageId: p.id,
    channel: p.channel,
    kind: p.kind,
    payload: p.payload,
    from: `${p.channel} (${p.scope} channel)`,
    to: [],
    subject: p.subject,
    text: postText(p),
    html: '',
    sentAt: p.sentAt,
  }));
  // Stable: emails before posts of the same instant.
  return [...emails, ...posts].sort((a, b) => (a.sentAt < b.sentAt ? -1 : a.sentAt > b.sentAt ? 1 : 0));
}
