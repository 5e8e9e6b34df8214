/**
 * Runs executions with aws-local-stepfunctions, on the clock of the handlers.
 *
 * Every Task state is run by `invokeTask` in-process; a `.waitForTaskToken` task then waits in
 * the token registry for SendTaskSuccess/SendTaskFailure with its token. The engine does not
 * generate task tokens: every read of `$$.Task.Token` makes a new one.
 *
 * Time: with an accelerated clock (`factor` > 1) the definition is loaded with the TimeoutSeconds
 * of its `.waitForTaskToken` tasks divided by the factor (these wait for people, in clock time;
 * other tasks run real code in real time and keep theirs), and Wait states sleep their clock-time
 * wait divided by the factor, through the engine's `waitTimeOverrides`. A Wait on a path
 * (`TimestampPath`, `SecondsPath`) reads it from the state's own input, which the engine passes
 * to no hook: the engine's state-entered event is observed as it is dispatched (`observeStates`).
 * Node timers overflow past ~24.8 days, so every wait is clamped to that. Nothing else of the
 * definition changes (`scaleDefinition`).
 */
import '../polyfills.js';
import { randomBytes } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Clock } from '../../functions/core/ports.js';
import type { LocalExecution } from './history.js';
import { selectReferencePath } from './json-path.js';
import type { TaskTokens } from './tokens.js';

/** Longest timer Node can arm (2^31 - 1 ms); longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;
const MAX_TIMER_SECONDS = Math.floor(MAX_TIMER_MS / 1000);
const DEFAULT_TASK_TIMEOUT_SECONDS = 60;

/** One Task state to run: what the engine passes after InputPath/Parameters. */
export interface TaskCall {
  stateMachineName: string;
  execution: LocalExecution;
  stateName: string;
  input: unknown;
  /** True for `.waitForTaskToken` tasks; the result is ignored and the token decides. */
  waitForToken: boolean;
}

/** How an execution ended by itself (a stop is the caller's own doing). */
export interface ExecutionEnd {
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  output?: string;
  error?: string;
  cause?: string;
}

type AnyState = Record<string, unknown> & { Type: string };
type Definition = { States: Record<string, AnyState>; StartAt: string; TimeoutSeconds?: number };

/** A state machine ready to run. */
export interface LoadedMachine {
  name: string;
  arn: string;
  machine: StateMachine;
  /** As given (what CDK synthesized). */
  original: Definition;
  /** As run (see `scaleDefinition`). */
  definition: Definition;
}

export interface EngineOptions {
  /** Runs a Task state (the lifecycle handler in-process). */
  invokeTask: (call: TaskCall) => Promise<unknown>;
  /** The clock of the handlers. */
  clock: Clock;
  /** How many times faster than real time the clock runs (>= 1). */
  factor: number;
  /** Where `.waitForTaskToken` tasks wait. */
  tokens: TaskTokens;
}

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

/** Run option under which `observeStates` finds the hook of one execution. */
const STATE_ENTERED = Symbol('stateEntered');
type StateEnteredHook = (stateName: string, input: unknown) => void;

/** The engine internals `observeStates` relies on (aws-local-stepfunctions 3.x). */
interface EngineInternals {
  execute(
    input: unknown,
    options: {
      eventLogger: { dispatchStateEnteredEvent(name: string, type: string, input: unknown): void };
      runOptions?: Record<PropertyKey, unknown>;
    },
    cleanup: () => void,
  ): Promise<unknown>;
}

/**
 * Makes `machine` call the run option `STATE_ENTERED` with each top-level state's input as the
 * state is entered, before it runs: the engine's event log delivers that event only later, after
 * a Wait has already read its override. Fails loudly if the engine's internals changed.
 */
function observeStates(machine: StateMachine): StateMachine {
  const execute = (StateMachine.prototype as unknown as Partial<EngineInternals>).execute;
  if (typeof execute !== 'function') {
    throw new Error('aws-local-stepfunctions: StateMachine.execute is missing (engine version changed)');
  }
  const observed: EngineInternals['execute'] = function (this: unknown, input, options, cleanup) {
    const hook = options.runOptions?.[STATE_ENTERED] as StateEnteredHook | undefined;
    const logger = options.eventLogger;
    if (hook) {
      const dispatch = logger.dispatchStateEnteredEvent.bind(logger);
      logger.dispatchStateEnteredEvent = (name, type, stateInput) => {
        hook(name, stateInput);
        dispatch(name, type, stateInput);
      };
    }
    return execute.call(this, input, options, cleanup);
  };
  Object.defineProperty(machine, 'execute', { value: observed });
  return machine;
}

/** Runs executions of loaded state machines. */
export class ExecutionEngine {
  constructor(private readonly options: EngineOptions) {}

  /** A state machine from its definition, scaled for the clock factor (see `scaleDefinition`). */
  load(name: string, arn: string, definition: object): LoadedMachine {
    const scaled = scaleDefinition(definition as Definition, this.options.factor);
    // The engine annotates the object it is given (QueryLanguage per state): give it its own copy.
    const machine = new StateMachine(structuredClone(scaled) as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
    return {
      name,
      arn,
      machine: observeStates(machine),
      original: structuredClone(definition) as Definition,
      definition: scaled,
    };
  }

  /**
   * Starts `execution` of `machine` with `input`; counts its transitions on it and calls `onEnd`
   * when it ends by itself. Returns the abort of the run (which then does not call `onEnd`).
   */
  run(
    machine: LoadedMachine,
    execution: LocalExecution,
    input: unknown,
    onEnd: (end: ExecutionEnd) => void,
  ): () => void {
    const generated = new Set<string>();
    const stateOf = new Map<string, AnyState>();
    forEachState(machine.definition, (n, s) => stateOf.set(n, s));
    // The state entered last and its input (for a Wait on a path).
    let entered: { name: string; input: unknown } | undefined;

    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, state] of stateOf) {
      if (state.Type !== 'Task') continue;
      handlers[stateName] = (taskInput) =>
        this.runTask(machine, execution, stateName, state, taskInput, generated);
    }
    const context = { Execution: { Input: input } };
    const waitOverrides = new Proxy({} as Record<string, number>, {
      get: (_t, stateName) => {
        if (typeof stateName !== 'string') return undefined;
        const stateInput = entered?.name === stateName ? entered.input : undefined;
        return this.waitMs(stateOf.get(stateName), stateInput, context);
      },
      has: (_t, stateName) => typeof stateName === 'string' && stateOf.get(stateName)?.Type === 'Wait',
    });

    const run = machine.machine.run(
      input as never,
      {
        overrides: {
          taskResourceLocalHandlers: handlers as never,
          waitTimeOverrides: waitOverrides,
        },
        noThrowOnAbort: true,
        context: {
          Task: {
            get Token() {
              const token = randomBytes(48).toString('base64url');
              generated.add(token);
              return token;
            },
          },
        },
        [STATE_ENTERED]: ((name, stateInput) => {
          entered = { name, input: stateInput };
        }) satisfies StateEnteredHook,
      } as never,
    );

    void (async () => {
      for await (const event of run.eventLogs) {
        if (event.type === 'StateEntered') execution.transitions++;
      }
    })().catch(() => undefined);

    run.result.then(
      (output) => onEnd({ status: 'SUCCEEDED', output: JSON.stringify(output ?? null) }),
      (err: unknown) => {
        const inner = err instanceof Error && err.cause instanceof Error ? err.cause : (err as Error);
        const timedOut = err instanceof Error && err.name === 'ExecutionTimeoutError';
        onEnd({
          status: timedOut ? 'TIMED_OUT' : 'FAILED',
          error: inner?.name ?? 'Error',
          cause: inner?.message ?? String(err),
        });
      },
    );
    return run.abort;
  }

  private async runTask(
    machine: LoadedMachine,
    execution: LocalExecution,
    stateName: string,
    state: AnyState,
    input: unknown,
    generated: Set<string>,
  ): Promise<unknown> {
    const call = { stateMachineName: machine.name, execution, stateName, input };
    if (!isTokenTask(state)) {
      const result = await this.options.invokeTask({ ...call, waitForToken: false });
      const resource = String(state.Resource);
      // The Lambda service integration wraps the function's result; a plain function ARN does not.
      if (resource.startsWith('arn:aws:states:::lambda:invoke')) {
        return { ExecutedVersion: '$LATEST', Payload: result ?? null, StatusCode: 200 };
      }
      return result ?? null;
    }
    // The tokens this task's Parameters generated are in its input.
    const tokens = findTokens(input, generated);
    for (const t of tokens) generated.delete(t);
    const timeoutMs =
      (typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : DEFAULT_TASK_TIMEOUT_SECONDS) * 1000;
    // Armed before the engine's own timer with the same duration, so this one fires first and the
    // token is known to have timed out when a late callback arrives. The engine's timer then fails
    // the task with its own States.Timeout error, which (as in AWS) a `States.TaskFailed` retrier
    // does not match: an error of ours named States.Timeout would be retried by one.
    const wait = this.options.tokens.wait(tokens, execution.executionArn, Math.min(timeoutMs, MAX_TIMER_MS));
    try {
      // The handler stores the token; it may already call back (an automatic gate) before returning.
      await this.options.invokeTask({ ...call, waitForToken: true });
    } catch (err) {
      wait.cancel();
      throw err;
    }
    return wait.promise;
  }

  /**
   * Real milliseconds a Wait state sleeps: its clock-time wait divided by the factor, clamped.
   * A path is read from `input`, the state's input as entered (InputPath applies first);
   * undefined (the engine's own wait) when there is nothing to read it from.
   */
  private waitMs(state: AnyState | undefined, input: unknown, context: object): number | undefined {
    if (state?.Type !== 'Wait') return undefined;
    const now = this.options.clock.now().getTime();
    let clockMs: number | undefined;
    if (typeof state.Seconds === 'number') clockMs = state.Seconds * 1000;
    else if (typeof state.Timestamp === 'string') clockMs = Date.parse(state.Timestamp) - now;
    else if (input !== undefined) {
      const effective =
        typeof state.InputPath === 'string'
          ? selectReferencePath(state.InputPath, input, context)
          : state.InputPath === null
            ? {}
            : input;
      if (typeof state.SecondsPath === 'string') {
        const seconds = selectReferencePath(state.SecondsPath, effective, context);
        if (typeof seconds === 'number') clockMs = seconds * 1000;
      } else if (typeof state.TimestampPath === 'string') {
        const timestamp = selectReferencePath(state.TimestampPath, effective, context);
        if (typeof timestamp === 'string') clockMs = Date.parse(timestamp) - now;
      }
    }
    if (clockMs === undefined || Number.isNaN(clockMs)) return undefined;
    return Math.min(MAX_TIMER_MS, Math.max(0, Math.round(clockMs / this.options.factor)));
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
