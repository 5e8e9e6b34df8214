/**
 * A Step Functions endpoint on this machine. It speaks the AWS JSON 1.0 protocol
 * (`X-Amz-Target: AWSStepFunctions.<Op>`), so an SFNClient with `endpoint` set works unchanged, and
 * runs each execution with aws-local-stepfunctions on the state machine's definition.
 *
 * Operations: StartExecution (idempotent by name), SendTaskSuccess, SendTaskFailure,
 * DescribeExecution, ListExecutions, StopExecution. Every Task state is run by `invokeTask`
 * in-process; a `.waitForTaskToken` task then waits for SendTaskSuccess/SendTaskFailure with its token.
 *
 * Time: with an accelerated clock (`factor` > 1) the definition is loaded with the TimeoutSeconds
 * of its `.waitForTaskToken` tasks divided by the factor (these wait for people, in clock time;
 * other tasks run real code in real time and keep theirs), and Wait states sleep the scaled time
 * through the engine's `waitTimeOverrides`. Node timers overflow past ~24.8 days, so every wait is
 * clamped to that. Nothing else of the definition changes (`scaleDefinition`).
 */
import './polyfills.js';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { z } from 'zod';
import type { Clock } from '../functions/core/ports.js';
import { freePort } from './dynamodb-local.js';

/** Longest timer Node can arm (2^31 - 1 ms); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;
const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);
const DEFAULT_TASK_TIMEOUT_SECONDS = 60;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface LocalExecution {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  /** Clock time (epoch ms). */
  startDate: number;
  stopDate?: number;
  /** States entered so far. */
  transitions: number;
}

/** One Task state to run: what the engine passes after InputPath/Parameters. */
export interface TaskCall {
  stateMachineName: string;
  execution: LocalExecution;
  stateName: string;
  input: unknown;
  /** True for `.waitForTaskToken` tasks; the result is ignored and the token decides. */
  waitForToken: boolean;
}

export interface SfnLocalOptions {
  /** Runs a Task state (the lifecycle handler in-process). */
  invokeTask: (call: TaskCall) => Promise<unknown>;
  /** The clock of the handlers (default: real time). */
  clock?: Clock;
  /** How many times faster than real time the clock runs (default 1). */
  factor?: number;
  /** Account/region part of the ARNs (default `arn:aws:states:local:000000000000`). */
  arnBase?: string;
  /** Keeps the execution history in this JSON file (running executions become ABORTED on load). */
  persistFile?: string;
  port?: number;
  /** Called when an execution ends (for logs); never receives tokens. */
  onExecutionEnd?: (execution: LocalExecution) => void;
}

type AnyState = Record<string, unknown> & { Type: string };
type Definition = { States: Record<string, AnyState>; StartAt: string; TimeoutSeconds?: number };

function scaleSeconds(seconds: number, factor: number): number {
  const scaled = Math.max(1, Math.ceil(seconds / factor));
  return Math.min(scaled, MAX_TIMER_SECONDS);
}

function isTokenTask(state: AnyState): boolean {
  return (
    state.Type === 'Task' &&
    typeof state.Resource === 'string' &&
    state.Resource.endsWith('.waitForTaskToken')
  );
}

function forEachState(def: Definition, fn: (name: string, state: AnyState) => void): void {
  for (const [name, state] of Object.entries(def.States)) {
    fn(name, state);
    for (const branch of (state.Branches as Definition[] | undefined) ?? []) forEachState(branch, fn);
    for (const key of ['Iterator', 'ItemProcessor'] as const) {
      const inner = state[key] as Definition | undefined;
      if (inner) forEachState(inner, fn);
    }
  }
}

/**
 * The definition as the local engine runs it with a clock `factor` times faster than real time:
 * only the TimeoutSeconds of `.waitForTaskToken` tasks and of the whole machine are divided by
 * the factor (whole seconds, at least 1) and clamped to the longest Node timer. A new object.
 */
export function scaleDefinition<T>(definition: T, factor: number): T {
  const def = structuredClone(definition) as unknown as Definition;
  if (typeof def.TimeoutSeconds === 'number') def.TimeoutSeconds = scaleSeconds(def.TimeoutSeconds, factor);
  forEachState(def, (_name, state) => {
    if (isTokenTask(state) && typeof state.TimeoutSeconds === 'number') {
      state.TimeoutSeconds = scaleSeconds(state.TimeoutSeconds, factor);
    }
  });
  return def as unknown as T;
}

/** An error in the shape of the AWS JSON protocol. */
class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

interface WaitingToken {
  executionArn: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

interface LoadedMachine {
  name: string;
  arn: string;
  machine: StateMachine;
  /** As given (what CDK synthesized). */
  original: Definition;
  /** As run (see `scaleDefinition`). */
  definition: Definition;
}

interface RunningExecution {
  abort: () => void;
  /** The ISO time the support stage (or any TimestampPath wait) waits until, as last reported by a task. */
  waitUntil?: string;
}

const startSchema = z.object({
  stateMachineArn: z.string().min(1),
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,80}$/)
    .optional(),
  input: z.string().optional(),
});
const successSchema = z.object({ taskToken: z.string().min(1), output: z.string() });
const failureSchema = z.object({
  taskToken: z.string().min(1),
  error: z.string().optional(),
  cause: z.string().optional(),
});
const describeSchema = z.object({ executionArn: z.string().min(1) });
const listSchema = z.object({
  stateMachineArn: z.string().min(1),
  statusFilter: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']).optional(),
  maxResults: z.number().int().min(0).max(1000).optional(),
  nextToken: z.string().optional(),
});
const persistedSchema = z.array(
  z.object({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    stateMachineName: z.string(),
    name: z.string(),
    status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']),
    input: z.string(),
    output: z.string().optional(),
    error: z.string().optional(),
    cause: z.string().optional(),
    startDate: z.number(),
    stopDate: z.number().optional(),
    transitions: z.number(),
  }),
);

/** The local Step Functions service: state machines, executions, task tokens and the HTTP endpoint. */
export class SfnLocal {
  readonly arnBase: string;
  private readonly factor: number;
  private readonly clock: Clock;
  private readonly machines = new Map<string, LoadedMachine>();
  private readonly executions = new Map<string, LocalExecution>();
  private readonly running = new Map<string, RunningExecution>();
  private readonly tokens = new Map<string, WaitingToken>();
  /** Tokens no longer waiting: why (for the error code of a late callback). */
  private readonly closedTokens = new Map<string, 'timed-out' | 'done'>();
  private server?: Server;
  private port = 0;
  private persisting: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: SfnLocalOptions) {
    this.factor = Math.max(1, options.factor ?? 1);
    this.clock = options.clock ?? { now: () => new Date() };
    this.arnBase = options.arnBase ?? 'arn:aws:states:local:000000000000';
  }

  /** `arn:...:stateMachine:` — pass as STATE_MACHINE_ARN_PREFIX. */
  get stateMachineArnPrefix(): string {
    return `${this.arnBase}:stateMachine:`;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Loads a state machine definition (scaled for the clock factor, see `scaleDefinition`). */
  addStateMachine(name: string, definition: object): string {
    const scaled = scaleDefinition(definition as Definition, this.factor);
    // The engine annotates the object it is given (QueryLanguage per state): give it its own copy.
    const machine = new StateMachine(structuredClone(scaled) as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
    const arn = this.stateMachineArnPrefix + name;
    this.machines.set(name, {
      name,
      arn,
      machine,
      original: structuredClone(definition) as Definition,
      definition: scaled,
    });
    return arn;
  }

  /** A state machine's definition as it was given, and as it runs (scaled for the clock). */
  definitionOf(name: string): { given: object; executed: object } | undefined {
    const m = this.machines.get(name);
    return m && { given: structuredClone(m.original), executed: structuredClone(m.definition) };
  }

  /** Every execution known (this run and, when persisted, earlier runs), oldest first. */
  listExecutions(stateMachineName?: string): LocalExecution[] {
    return [...this.executions.values()].filter(
      (e) => !stateMachineName || e.stateMachineName === stateMachineName,
    );
  }

  isRunning(executionArn: string): boolean {
    return this.running.has(executionArn);
  }

  /** Loads the persisted history (if any) and starts the HTTP endpoint on 127.0.0.1. */
  async start(): Promise<void> {
    if (this.options.persistFile) {
      try {
        const raw = JSON.parse(await readFile(this.options.persistFile, 'utf8'));
        for (const e of persistedSchema.parse(raw)) {
          // A process that stopped took its running executions with it.
          if (e.status === 'RUNNING') Object.assign(e, { status: 'ABORTED', stopDate: e.startDate });
          this.executions.set(e.executionArn, e);
        }
      } catch {
        // No history yet (or unreadable): start empty.
      }
    }
    this.port = this.options.port ?? (await freePort());
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(this.port, '127.0.0.1', () => res());
    });
    this.server = server;
  }

  /** Aborts every running execution, cancels timers and closes the endpoint. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const [arn, run] of this.running) {
      run.abort();
      this.closeTokensOf(arn, 'done');
      const e = this.executions.get(arn);
      if (e && e.status === 'RUNNING')
        Object.assign(e, { status: 'ABORTED', stopDate: this.clock.now().getTime() });
    }
    this.running.clear();
    this.persist();
    await this.persisting;
    const server = this.server;
    if (server) {
      await new Promise<void>((res) => {
        server.close(() => res());
        server.closeAllConnections();
      });
    }
  }

  // ---- operations -------------------------------------------------------------------------

  /** StartExecution: idempotent by name while running with the same input. */
  startExecution(stateMachineArn: string, name: string, input: string): LocalExecution {
    const smName = stateMachineArn.startsWith(this.stateMachineArnPrefix)
      ? stateMachineArn.slice(this.stateMachineArnPrefix.length)
      : '';
    const machine = this.machines.get(smName);
    if (!machine)
      throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input);
    } catch {
      throw new AwsError('InvalidExecutionInput', 'Invalid execution input: not JSON');
    }
    const executionArn = `${this.arnBase}:execution:${smName}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    if (this.stopped) throw new AwsError('ServiceUnavailable', 'the local runtime is stopping', 503);
    const execution: LocalExecution = {
      executionArn,
      stateMachineArn: machine.arn,
      stateMachineName: smName,
      name,
      status: 'RUNNING',
      input,
      startDate: this.clock.now().getTime(),
      transitions: 0,
    };
    this.executions.set(executionArn, execution);
    this.run(machine, execution, parsedInput);
    this.persist();
    return execution;
  }

  sendTaskSuccess(taskToken: string, output: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new AwsError('InvalidOutput', 'Invalid output: not JSON');
    }
    this.takeToken(taskToken).resolve(parsed);
  }

  sendTaskFailure(taskToken: string, error = 'States.TaskFailed', cause = ''): void {
    const err = new Error(cause);
    err.name = error;
    this.takeToken(taskToken).reject(err);
  }

  stopExecution(executionArn: string, error?: string, cause?: string): LocalExecution {
    const e = this.describe(executionArn);
    const run = this.running.get(executionArn);
    if (run && e.status === 'RUNNING') {
      this.closeTokensOf(executionArn, 'done');
      Object.assign(e, { status: 'ABORTED', stopDate: this.clock.now().getTime(), error, cause });
      this.running.delete(executionArn);
      run.abort();
      this.persist();
    }
    return e;
  }

  describe(executionArn: string): LocalExecution {
    const e = this.executions.get(executionArn);
    if (!e) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return e;
  }

  // ---- engine -----------------------------------------------------------------------------

  private takeToken(taskToken: string): WaitingToken {
    const waiting = this.tokens.get(taskToken);
    if (!waiting) {
      if (this.closedTokens.get(taskToken) === 'timed-out')
        throw new AwsError('TaskTimedOut', 'Task Timed Out');
      throw new AwsError('InvalidToken', 'Invalid Token');
    }
    this.tokens.delete(taskToken);
    clearTimeout(waiting.timer);
    this.closedTokens.set(taskToken, 'done');
    return waiting;
  }

  /**
   * Ends the waits of an execution's tokens. The waiting task is rejected so that the engine's
   * own timeout timer for it is cleared (an aborted execution ignores the rejection).
   */
  private closeTokensOf(executionArn: string, why: 'timed-out' | 'done'): void {
    for (const [token, w] of this.tokens) {
      if (w.executionArn !== executionArn) continue;
      clearTimeout(w.timer);
      this.tokens.delete(token);
      this.closedTokens.set(token, why);
      const stopped = new Error('the execution stopped');
      stopped.name = 'milepost.ExecutionStopped';
      w.reject(stopped);
    }
  }

  private run(machine: LoadedMachine, execution: LocalExecution, input: unknown): void {
    const arn = execution.executionArn;
    const generated = new Set<string>();
    const stateOf = new Map<string, AnyState>();
    forEachState(machine.definition, (n, s) => stateOf.set(n, s));
    const runState: RunningExecution = { abort: () => undefined };

    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, state] of stateOf) {
      if (state.Type !== 'Task') continue;
      handlers[stateName] = (taskInput) =>
        this.runTask(machine, execution, runState, stateName, state, taskInput, generated);
    }
    const waitOverrides = new Proxy({} as Record<string, number>, {
      get: (_t, stateName) =>
        typeof stateName === 'string' ? this.waitMs(stateOf.get(stateName), runState) : undefined,
      has: (_t, stateName) => typeof stateName === 'string' && stateOf.get(stateName)?.Type === 'Wait',
    });

    const execRun = machine.machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        waitTimeOverrides: waitOverrides,
      },
      noThrowOnAbort: true,
      context: {
        // The engine does not generate task tokens: every read of $$.Task.Token makes a new one.
        Task: {
          get Token() {
            const token = randomBytes(48).toString('base64url');
            generated.add(token);
            return token;
          },
        },
      },
    });
    runState.abort = execRun.abort;
    this.running.set(arn, runState);

    void (async () => {
      for await (const event of execRun.eventLogs) {
        if (event.type === 'StateEntered') execution.transitions++;
      }
    })().catch(() => undefined);

    execRun.result.then(
      (output) => this.finish(execution, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null) }),
      (err: unknown) => {
        const inner = err instanceof Error && err.cause instanceof Error ? err.cause : (err as Error);
        const timedOut = err instanceof Error && err.name === 'ExecutionTimeoutError';
        this.finish(execution, {
          status: timedOut ? 'TIMED_OUT' : 'FAILED',
          error: inner?.name ?? 'Error',
          cause: inner?.message ?? String(err),
        });
      },
    );
  }

  private finish(execution: LocalExecution, end: Partial<LocalExecution>): void {
    if (!this.running.has(execution.executionArn)) return; // stopped or aborted meanwhile
    this.running.delete(execution.executionArn);
    this.closeTokensOf(execution.executionArn, 'done');
    Object.assign(execution, end, { stopDate: this.clock.now().getTime() });
    this.persist();
    this.options.onExecutionEnd?.(execution);
  }

  private async runTask(
    machine: LoadedMachine,
    execution: LocalExecution,
    runState: RunningExecution,
    stateName: string,
    state: AnyState,
    input: unknown,
    generated: Set<string>,
  ): Promise<unknown> {
    const call = { stateMachineName: machine.name, execution, stateName, input };
    if (!isTokenTask(state)) {
      const result = await this.options.invokeTask({ ...call, waitForToken: false });
      rememberWaitUntil(runState, result);
      const resource = String(state.Resource);
      // The Lambda service integration wraps the function's result; a plain function ARN does not.
      if (resource.startsWith('arn:aws:states:::lambda:invoke')) {
        return { ExecutedVersion: '$LATEST', Payload: result ?? null, StatusCode: 200 };
      }
      return result ?? null;
    }
    // The tokens this task's Parameters generated are in its input.
    const tokens = findTokens(input, generated);
    let resolve!: (v: unknown) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<unknown>((a, b) => {
      resolve = a;
      reject = b;
    });
    // An aborted execution no longer awaits its task: its rejection (stop) must not go unhandled.
    promise.catch(() => undefined);
    const timeoutMs =
      (typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : DEFAULT_TASK_TIMEOUT_SECONDS) * 1000;
    // Armed before the engine's own timer with the same duration, so this one fires first and the
    // token is known to have timed out when a late callback arrives. The engine's timer then fails
    // the task with its own States.Timeout error, which (as in AWS) a `States.TaskFailed` retrier
    // does not match: an error of ours named States.Timeout would be retried by one.
    const timer = setTimeout(
      () => {
        for (const t of tokens) {
          if (this.tokens.delete(t)) this.closedTokens.set(t, 'timed-out');
        }
      },
      Math.min(timeoutMs, MAX_TIMER_MS),
    );
    for (const t of tokens) {
      generated.delete(t);
      this.tokens.set(t, { executionArn: execution.executionArn, resolve, reject, timer });
    }
    try {
      // The handler stores the token; it may already call back (an automatic gate) before returning.
      await this.options.invokeTask({ ...call, waitForToken: true });
    } catch (err) {
      clearTimeout(timer);
      for (const t of tokens) if (this.tokens.delete(t)) this.closedTokens.set(t, 'done');
      throw err;
    }
    return promise;
  }

  /** Real milliseconds a Wait state sleeps: its clock-time wait divided by the factor, clamped. */
  private waitMs(state: AnyState | undefined, runState: RunningExecution): number | undefined {
    if (state?.Type !== 'Wait') return undefined;
    let clockMs: number | undefined;
    if (typeof state.Seconds === 'number') clockMs = state.Seconds * 1000;
    else if (typeof state.Timestamp === 'string')
      clockMs = Date.parse(state.Timestamp) - this.clock.now().getTime();
    else if (typeof state.TimestampPath === 'string' && runState.waitUntil) {
      clockMs = Date.parse(runState.waitUntil) - this.clock.now().getTime();
    }
    if (clockMs === undefined || Number.isNaN(clockMs)) return undefined;
    return Math.min(MAX_TIMER_MS, Math.max(0, Math.round(clockMs / this.factor)));
  }

  private persist(): void {
    const file = this.options.persistFile;
    if (!file) return;
    const snapshot = JSON.stringify([...this.executions.values()]);
    this.persisting = this.persisting
      .then(async () => {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(`${file}.tmp`, snapshot);
        await rename(`${file}.tmp`, file);
      })
      .catch(() => undefined);
  }

  // ---- HTTP -------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
    try {
      if (req.method !== 'POST') throw new AwsError('UnknownOperationException', 'POST only', 404);
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      this.reply(res, 200, this.operation(op, body));
    } catch (err) {
      if (err instanceof AwsError) {
        this.reply(res, err.status, { __type: err.code, message: err.message }, err.code);
      } else if (err instanceof z.ZodError || err instanceof SyntaxError) {
        this.reply(
          res,
          400,
          { __type: 'ValidationException', message: 'invalid request' },
          'ValidationException',
        );
      } else {
        this.reply(res, 500, { __type: 'InternalFailure', message: 'internal error' }, 'InternalFailure');
      }
    }
  }

  private operation(op: string, body: unknown): unknown {
    const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
    const summary = (e: LocalExecution) => ({
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: seconds(e.startDate),
      stopDate: seconds(e.stopDate),
    });
    switch (op) {
      case 'StartExecution': {
        const b = startSchema.parse(body);
        const e = this.startExecution(
          b.stateMachineArn,
          b.name ?? randomBytes(16).toString('hex'),
          b.input ?? '{}',
        );
        return { executionArn: e.executionArn, startDate: seconds(e.startDate) };
      }
      case 'SendTaskSuccess': {
        const b = successSchema.parse(body);
        this.sendTaskSuccess(b.taskToken, b.output);
        return {};
      }
      case 'SendTaskFailure': {
        const b = failureSchema.parse(body);
        this.sendTaskFailure(b.taskToken, b.error, b.cause);
        return {};
      }
      case 'DescribeExecution': {
        const e = this.describe(describeSchema.parse(body).executionArn);
        return { ...summary(e), input: e.input, output: e.output, error: e.error, cause: e.cause };
      }
      case 'StopExecution': {
        const b = z
          .object({ executionArn: z.string(), error: z.string().optional(), cause: z.string().optional() })
          .parse(body);
        const e = this.stopExecution(b.executionArn, b.error, b.cause);
        return { stopDate: seconds(e.stopDate ?? this.clock.now().getTime()) };
      }
      case 'ListExecutions': {
        const b = listSchema.parse(body);
        const all = [...this.executions.values()]
          .filter(
            (e) =>
              e.stateMachineArn === b.stateMachineArn && (!b.statusFilter || e.status === b.statusFilter),
          )
          .sort((a, c) => c.startDate - a.startDate);
        const from = b.nextToken ? Number(b.nextToken) : 0;
        const size = b.maxResults || 100;
        const page = all.slice(from, from + size);
        return {
          executions: page.map(summary),
          ...(from + size < all.length ? { nextToken: String(from + size) } : {}),
        };
      }
      default:
        throw new AwsError('UnknownOperationException', `unsupported operation ${op || '(none)'}`);
    }
  }

  private reply(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(JSON.stringify(body));
  }
}

function findTokens(value: unknown, generated: Set<string>, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (generated.has(value)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) findTokens(v, generated, out);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) findTokens(v, generated, out);
  }
  return out;
}

/** Keeps the `waitUntil` a task reported (the lifecycle's enterStage), for a TimestampPath Wait. */
function rememberWaitUntil(runState: RunningExecution, result: unknown): void {
  if (result && typeof result === 'object' && 'waitUntil' in result) {
    const w = (result as { waitUntil?: unknown }).waitUntil;
    if (typeof w === 'string') runState.waitUntil = w;
  }
}

/** Starts a local Step Functions endpoint. */
export async function startSfnLocal(options: SfnLocalOptions): Promise<SfnLocal> {
  const sfn = new SfnLocal(options);
  await sfn.start();
  return sfn;
}
