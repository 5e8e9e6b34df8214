/**
 * The whole product on one machine: DynamoDB Local, the SES v2 server, the local Step Functions
 * endpoint running the definitions CDK synthesizes for the project specs, local schedules, and
 * the HTTP interface with the dashboard. The handlers get their dependencies from the same
 * composition module as in AWS, with endpoint overrides, so they do not know they run locally.
 *
 * Start-up: load the specs (invalid -> SpecValidationError), listen on the port (taken ->
 * LocalRuntimeError), start DynamoDB Local (no Java -> MissingJavaError) and create the table if
 * absent, start SES and SFN, synthesize one definition per project, register each project (a new
 * one starts its first execution through the SDK), and resume each active project that has no
 * running execution here (after a restart) at its current stage with a fresh execution name.
 *
 * While it runs, an execution that fails (or times out) is reported and restarted the same way
 * as a resume at start-up, after a backoff (1 s, 2 s, 4 s by default), at most `attempts` times
 * in a row at the same stage; then it says so and leaves the project for the next start.
 */

import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { readEnv } from '../functions/adapters/config.js';
import { jsonLogger } from '../functions/adapters/json-logger.js';
import { AcceleratedClock } from '../functions/adapters/system-clock.js';
import { createTableInput } from '../functions/adapters/table-definition.js';
import { makeDeps } from '../functions/composition.js';
import type { Deps, Logger } from '../functions/core/ports.js';
import { type LoadedSpec, loadSpecFiles } from '../functions/core/spec/load.js';
import { registerProject } from '../functions/core/use-cases/register-project.js';
import { executionName, stateMachineName } from '../functions/core/workflow-contract.js';
import { handleLifecycle } from '../functions/handlers/lifecycle.js';
import { handleSchedule } from '../functions/handlers/schedule.js';
import { createHttpApp } from '../functions/http/app.js';
import { lifecyclePayload, synthesizeDefinitions } from '../statemachines/definition.js';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.js';
import { LocalRuntimeError } from './errors.js';
import { type LocalHttpServer, startHttpServer } from './http-server.js';
import { LocalScheduler } from './scheduler.js';
import { type SesLocal, startSesLocal } from './ses-local.js';
import { type LocalExecution, type SfnLocal, startSfnLocal, type TaskCall } from './sfn-local.js';

export const TABLE_NAME = 'milepost';

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
  /** Monitoring and status-report timers (default true). */
  schedules?: boolean;
  /** Where the handlers' JSON log lines go (default: `<dataDir>/milepost.log`, or nowhere in memory). */
  logSink?: (line: string) => void;
  /** Short messages for the person running it (execution failures). Default: stderr. */
  notify?: (line: string) => void;
  /** Restarts of failed executions (default: 3 attempts in a row per stage, backoff from 1000 ms). */
  restartFailed?: { attempts?: number; backoffMs?: number };
  /** Runs around every Task call of the state machines (fault injection in tests). */
  aroundTask?: (call: TaskCall, run: () => Promise<unknown>) => Promise<unknown>;
}

export interface Runtime {
  url: string;
  port: number;
  deps: Deps;
  clock: AcceleratedClock;
  sfn: SfnLocal;
  ses: SesLocal;
  projects: LoadedSpec[];
  /** States entered by all executions of a project's state machine. */
  transitions(projectId: string): number;
  /** Stops everything (servers, timers, executions, the JVM). Safe to call twice. */
  stop(): Promise<void>;
}

/** The spec files of a folder, sorted. */
export function specFiles(dir: string): string[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    entries = readdirSync(dir);
  } catch {
    throw new LocalRuntimeError(`no projects folder at ${dir}: pass --projects DIR`);
  }
  return entries
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

async function ensureTable(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await client.send(new DescribeTableCommand({ TableName: TABLE_NAME }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
    await client.send(new CreateTableCommand(createTableInput(TABLE_NAME)));
  } finally {
    client.destroy();
  }
}

function fileLogger(file: string): (line: string) => void {
  let chain: Promise<void> = mkdir(resolve(file, '..'), { recursive: true }).then(() => undefined);
  return (line) => {
    chain = chain.then(() => appendFile(file, `${line}\n`)).catch(() => undefined);
  };
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
  const files = specFiles(options.projectsDir);
  const projects = await loadSpecFiles(files);

  const http: LocalHttpServer = await startHttpServer(options.port, (err) =>
    notify(`milepost: request failed: ${err instanceof Error ? err.message : String(err)}`),
  );
  cleanups.push(() => http.close());

  const db: DynamoDbLocal = await startDynamoDbLocal(
    options.inMemory ? { inMemory: true } : { dbPath: join(dataDir, 'dynamodb') },
  );
  cleanups.push(() => db.stop());
  await ensureTable(db.endpoint);

  const ses = await startSesLocal(options.inMemory ? {} : { persistFile: join(dataDir, 'outbox.json') });
  cleanups.push(() => ses.stop());

  const factor = Math.max(1, options.clock?.factor ?? 1);
  const clock = new AcceleratedClock(options.clock?.start ?? new Date(), factor);
  const sink =
    options.logSink ?? (options.inMemory ? () => undefined : fileLogger(join(dataDir, 'milepost.log')));
  const log: Logger = jsonLogger({ service: 'milepost', runtime: 'local' }, sink);

  // The SFN endpoint runs Task states with the handlers, which need deps, which need its endpoint.
  let deps: Deps | undefined;
  // Restarts failed executions on that endpoint (set once the projects are registered).
  let recovery: FailedExecutionRestarts | undefined;
  const sfn = await startSfnLocal({
    clock,
    factor,
    ...(options.inMemory ? {} : { persistFile: join(dataDir, 'executions.json') }),
    invokeTask: async (call) => {
      const run = () => {
        if (!deps) throw new Error('the local runtime is not ready');
        let payload = lifecyclePayload(call.input);
        // $$.Execution.StartTime is the engine's real start; the handlers work on the (accelerated) clock.
        if (payload && typeof payload === 'object' && 'executionStartedAt' in payload) {
          payload = { ...payload, executionStartedAt: new Date(call.execution.startDate).toISOString() };
        }
        return handleLifecycle(deps, payload);
      };
      return options.aroundTask ? options.aroundTask(call, run) : run();
    },
    onExecutionEnd: (e: LocalExecution) => {
      if (e.status === 'FAILED' || e.status === 'TIMED_OUT') {
        notify(
          `milepost: execution ${e.name} ${e.status.toLowerCase()}: ${e.error ?? ''} ${e.cause ?? ''}`.trim(),
        );
        recovery?.failed(e);
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
    AWS_REGION: 'us-east-1',
    DYNAMODB_ENDPOINT: db.endpoint,
    SFN_ENDPOINT: sfn.endpoint,
    SES_ENDPOINT: ses.endpoint,
  });
  const ready: Deps = makeDeps(env, { clock, log });
  deps = ready;

  // The definitions CDK synthesizes for these specs (same app builder as `cdk synth`).
  const definitions = synthesizeDefinitions(projects);
  for (const p of projects) {
    const def = definitions.get(p.spec.id);
    if (!def) throw new LocalRuntimeError(`no state machine was synthesized for project ${p.spec.id}`);
    sfn.addStateMachine(stateMachineName(p.spec.id), def);
  }

  // Start-up took real time, which an accelerated clock multiplied: projects start at `start`.
  const startAt = options.clock?.start;
  if (startAt) clock.advance(startAt.getTime() - clock.now().getTime());

  for (const p of projects) {
    const existed = Boolean(await ready.store.getProject(p.spec.id));
    // A new project starts its first execution (through the SDK, like the deploy-time start).
    await registerProject(ready, p, { start: !existed });
  }
  await resumeProjects(ready, sfn, projects);
  const restarts = new FailedExecutionRestarts(ready, sfn, projects, notify, options.restartFailed);
  cleanups.push(() => restarts.stop());
  recovery = restarts;

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
    for (const p of projects) {
      const record = await ready.store.getProject(p.spec.id);
      if (record?.status === 'active') scheduler.add(record);
    }
  }

  // The one HTTP application, with the console and the outbox of the local SES server.
  http.ready(createHttpApp(ready, { console: true, outbox: { list: () => ses.outbox() } }));

  let stopping: Promise<void> | undefined;
  return {
    url: http.url,
    port: http.port,
    deps: ready,
    clock,
    sfn,
    ses,
    projects,
    transitions: (projectId) =>
      sfn.listExecutions(stateMachineName(projectId)).reduce((n, e) => n + e.transitions, 0),
    stop: () => {
      stopping ??= stopAll();
      return stopping;
    },
  };
}

/**
 * Every active project whose workflow does not run in this process (the runtime was stopped)
 * gets an execution at its current stage. Its name is the current generation's with a restart
 * suffix counted from the executions known here, so it is new and deterministic. Entering the
 * stage again changes nothing; the gate reopens with a new token and the links already sent
 * keep working.
 */
async function resumeProjects(deps: Deps, sfn: SfnLocal, projects: LoadedSpec[]): Promise<void> {
  for (const p of projects) await resumeProject(deps, sfn, p.spec.id);
}

/**
 * Starts an execution of an active project at its current stage unless one runs here. Returns
 * the name started, or undefined when there was nothing to do.
 */
async function resumeProject(deps: Deps, sfn: SfnLocal, projectId: string): Promise<string | undefined> {
  const project = await deps.store.getProject(projectId);
  if (project?.status !== 'active') return undefined;
  const known = sfn.listExecutions(stateMachineName(project.id));
  if (known.some((e) => sfn.isRunning(e.executionArn))) return undefined;
  const base = project.executionName ?? executionName(project.id, project.generation);
  const restarts = known.filter((e) => e.name.startsWith(`${base}-r`)).length;
  const name = `${base}-r${restarts + 1}`;
  await deps.workflow.startExecution(project.id, name, {
    projectId: project.id,
    startAt: project.currentStage,
  });
  return name;
}

/**
 * Restarts the executions that fail while the runtime runs, as a start-up would resume them:
 * after a backoff that doubles, at most `attempts` times in a row while the project stays at the
 * same stage (progress to another stage starts the count again). Every step is reported.
 */
class FailedExecutionRestarts {
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Per project: the stage of its last failure and how many restarts it has had there. */
  private readonly streaks = new Map<string, { stage: string; restarts: number }>();
  private readonly projectOf = new Map<string, string>();
  private stopped = false;

  constructor(
    private readonly deps: Deps,
    private readonly sfn: SfnLocal,
    projects: LoadedSpec[],
    private readonly notify: (line: string) => void,
    options: { attempts?: number; backoffMs?: number } = {},
  ) {
    this.attempts = Math.max(0, options.attempts ?? 3);
    this.backoffMs = Math.max(0, options.backoffMs ?? 1000);
    for (const p of projects) this.projectOf.set(stateMachineName(p.spec.id), p.spec.id);
  }

  failed(execution: LocalExecution): void {
    const projectId = this.projectOf.get(execution.stateMachineName);
    if (!projectId || this.stopped) return;
    void this.schedule(projectId, execution.name).catch((err: unknown) => {
      this.notify(`milepost: could not restart ${projectId}: ${err instanceof Error ? err.message : err}`);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private async schedule(projectId: string, failedName: string): Promise<void> {
    const project = await this.deps.store.getProject(projectId);
    if (project?.status !== 'active') return;
    const last = this.streaks.get(projectId);
    const restarts = last?.stage === project.currentStage ? last.restarts : 0;
    if (restarts >= this.attempts) {
      this.notify(
        `milepost: ${projectId} failed ${restarts + 1} times at stage ${project.currentStage}; not restarted again (see the log, then start milepost again)`,
      );
      this.deps.log.error('failed execution not restarted again', {
        projectId,
        stage: project.currentStage,
        restarts,
      });
      return;
    }
    this.streaks.set(projectId, { stage: project.currentStage, restarts: restarts + 1 });
    const delay = this.backoffMs * 2 ** restarts;
    this.deps.log.warn('failed execution restarts', {
      projectId,
      stage: project.currentStage,
      failed: failedName,
      attempt: restarts + 1,
      delayMs: delay,
    });
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped) return;
      resumeProject(this.deps, this.sfn, projectId).then(
        (name) => {
          if (name)
            this.notify(`milepost: ${projectId} restarted at stage ${project.currentStage} as ${name}`);
        },
        (err: unknown) => {
          this.notify(
            `milepost: could not restart ${projectId}: ${err instanceof Error ? err.message : err}`,
          );
        },
      );
    }, delay);
    this.timers.add(timer);
  }
}
