/**
 * A Step Functions service on this machine, put together from its parts: the AWS JSON 1.0
 * protocol (sfn/protocol.ts), the engine that runs executions on the handlers' clock
 * (sfn/engine.ts), the task token registry (sfn/tokens.ts) and the execution history
 * (sfn/history.ts). An SFNClient with `endpoint` set works unchanged. It knows nothing of the
 * lifecycle: what its Task states do is `invokeTask`'s business.
 *
 * Operations: StartExecution (idempotent by name), SendTaskSuccess, SendTaskFailure,
 * DescribeExecution, ListExecutions, StopExecution.
 */
import type { Clock } from '../functions/core/ports.js';
import { LOOPBACK } from './listen.js';
import { type ExecutionEnd, ExecutionEngine, type LoadedMachine, type TaskCall } from './sfn/engine.js';
import { ExecutionHistory, type LocalExecution } from './sfn/history.js';
import { AwsError, type ProtocolServer, type SfnOperations, serveProtocol } from './sfn/protocol.js';
import { TaskTokenError, TaskTokens } from './sfn/tokens.js';

export { MAX_TIMER_MS, scaleDefinition, type TaskCall } from './sfn/engine.js';
export type { ExecutionStatus, LocalExecution } from './sfn/history.js';

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

/** The local Step Functions service: state machines, executions, task tokens and the HTTP endpoint. */
export class SfnLocal implements SfnOperations {
  readonly arnBase: string;
  private readonly clock: Clock;
  private readonly machines = new Map<string, LoadedMachine>();
  private readonly history: ExecutionHistory;
  private readonly tokens = new TaskTokens();
  private readonly engine: ExecutionEngine;
  /** The abort of every execution running in this process, by ARN. */
  private readonly running = new Map<string, () => void>();
  private server?: ProtocolServer;
  private port = 0;
  private stopped = false;

  constructor(private readonly options: SfnLocalOptions) {
    this.clock = options.clock ?? { now: () => new Date() };
    this.arnBase = options.arnBase ?? 'arn:aws:states:local:000000000000';
    this.history = new ExecutionHistory(options.persistFile);
    this.engine = new ExecutionEngine({
      invokeTask: options.invokeTask,
      clock: this.clock,
      factor: Math.max(1, options.factor ?? 1),
      tokens: this.tokens,
    });
  }

  /** `arn:...:stateMachine:` — pass as STATE_MACHINE_ARN_PREFIX. */
  get stateMachineArnPrefix(): string {
    return `${this.arnBase}:stateMachine:`;
  }

  /** `http://127.0.0.1:<port>`, once started. */
  get endpoint(): string {
    return `http://${LOOPBACK}:${this.port}`;
  }

  /** Loads a state machine definition (scaled for the clock factor, see `scaleDefinition`). */
  addStateMachine(name: string, definition: object): string {
    const arn = this.stateMachineArnPrefix + name;
    this.machines.set(name, this.engine.load(name, arn, definition));
    return arn;
  }

  /** A state machine's definition as it was given, and as it runs (scaled for the clock). */
  definitionOf(name: string): { given: object; executed: object } | undefined {
    const m = this.machines.get(name);
    return m && { given: structuredClone(m.original), executed: structuredClone(m.definition) };
  }

  /** Every execution known (this run and, when persisted, earlier runs), oldest first. */
  listExecutions(stateMachineName?: string): LocalExecution[] {
    return this.history.list(stateMachineName);
  }

  isRunning(executionArn: string): boolean {
    return this.running.has(executionArn);
  }

  /** Clock time (epoch ms). */
  now(): number {
    return this.clock.now().getTime();
  }

  /**
   * Loads the persisted history (if any) and starts the HTTP endpoint on 127.0.0.1, on the port
   * asked for or on one the system picks as it binds (`endpoint` then names it). A port that
   * cannot be bound is a LocalRuntimeError naming it.
   */
  async start(): Promise<void> {
    await this.history.load();
    this.server = await serveProtocol(this, this.options.port ?? 0);
    this.port = this.server.port;
  }

  /** Aborts every running execution, cancels timers and closes the endpoint. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const [arn, abort] of this.running) {
      abort();
      this.tokens.closeExecution(arn, 'done');
      const e = this.history.get(arn);
      if (e && e.status === 'RUNNING') Object.assign(e, { status: 'ABORTED', stopDate: this.now() });
    }
    this.running.clear();
    this.history.save();
    await this.history.flushed();
    await this.server?.close();
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
    const existing = this.history.get(executionArn);
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
      startDate: this.now(),
      transitions: 0,
    };
    this.history.add(execution);
    const abort = this.engine.run(machine, execution, parsedInput, (end) => this.finish(execution, end));
    this.running.set(executionArn, abort);
    this.history.save();
    return execution;
  }

  sendTaskSuccess(taskToken: string, output: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new AwsError('InvalidOutput', 'Invalid output: not JSON');
    }
    this.callBack(() => this.tokens.succeed(taskToken, parsed));
  }

  sendTaskFailure(taskToken: string, error = 'States.TaskFailed', cause = ''): void {
    const err = new Error(cause);
    err.name = error;
    this.callBack(() => this.tokens.fail(taskToken, err));
  }

  stopExecution(executionArn: string, error?: string, cause?: string): LocalExecution {
    const e = this.describe(executionArn);
    const abort = this.running.get(executionArn);
    if (abort && e.status === 'RUNNING') {
      this.tokens.closeExecution(executionArn, 'done');
      Object.assign(e, { status: 'ABORTED', stopDate: this.now(), error, cause });
      this.running.delete(executionArn);
      abort();
      this.history.save();
    }
    return e;
  }

  describe(executionArn: string): LocalExecution {
    const e = this.history.get(executionArn);
    if (!e) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return e;
  }

  // ---- internals ----------------------------------------------------------------------------

  /** Runs a token callback; a token that no longer waits is the AWS error for why. */
  private callBack(settle: () => void): void {
    try {
      settle();
    } catch (err) {
      if (!(err instanceof TaskTokenError)) throw err;
      if (err.reason === 'timed-out') throw new AwsError('TaskTimedOut', 'Task Timed Out');
      throw new AwsError('InvalidToken', 'Invalid Token');
    }
  }

  private finish(execution: LocalExecution, end: ExecutionEnd): void {
    if (!this.running.has(execution.executionArn)) return; // stopped or aborted meanwhile
    this.running.delete(execution.executionArn);
    this.tokens.closeExecution(execution.executionArn, 'done');
    Object.assign(execution, end, { stopDate: this.now() });
    this.history.save();
    this.options.onExecutionEnd?.(execution);
  }
}

/** Starts a local Step Functions endpoint. */
export async function startSfnLocal(options: SfnLocalOptions): Promise<SfnLocal> {
  const sfn = new SfnLocal(options);
  await sfn.start();
  return sfn;
}
