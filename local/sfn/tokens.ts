/**
 * Task tokens -> the `.waitForTaskToken` tasks waiting for them. A token settles its task once
 * (SendTaskSuccess resolves it, SendTaskFailure rejects it); afterwards, or after the task timed
 * out, the registry remembers why the token is gone so a late callback gets the right answer.
 */

/** Why a token can no longer settle its task. */
export type TokenGone = 'unknown' | 'timed-out';

/** A callback with a token that no longer waits (`reason` says why). */
export class TaskTokenError extends Error {
  constructor(readonly reason: TokenGone) {
    super(reason === 'timed-out' ? 'Task Timed Out' : 'Invalid Token');
    this.name = 'TaskTokenError';
  }
}

/** The error a waiting task is rejected with when its execution stops. */
export const EXECUTION_STOPPED = 'milepost.ExecutionStopped';

interface Waiting {
  executionArn: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/** What a task that waits for its tokens holds. */
export interface TokenWait {
  /** Settled by the first callback with one of the tokens. */
  promise: Promise<unknown>;
  /** The task ended otherwise (its handler threw): its tokens no longer wait. */
  cancel(): void;
}

/** The task tokens of every running execution. */
export class TaskTokens {
  private readonly waiting = new Map<string, Waiting>();
  private readonly closed = new Map<string, 'timed-out' | 'done'>();

  /**
   * Makes `tokens` wait for a callback. After `timeoutMs` they are marked timed out (the engine's
   * own timer fails the task; a late callback then gets TaskTokenError 'timed-out').
   */
  wait(tokens: string[], executionArn: string, timeoutMs: number): TokenWait {
    let resolve!: (v: unknown) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<unknown>((a, b) => {
      resolve = a;
      reject = b;
    });
    // An aborted execution no longer awaits its task: its rejection (stop) must not go unhandled.
    promise.catch(() => undefined);
    const timer = setTimeout(() => {
      for (const t of tokens) if (this.waiting.delete(t)) this.closed.set(t, 'timed-out');
    }, timeoutMs);
    for (const t of tokens) this.waiting.set(t, { executionArn, resolve, reject, timer });
    return {
      promise,
      cancel: () => {
        clearTimeout(timer);
        for (const t of tokens) if (this.waiting.delete(t)) this.closed.set(t, 'done');
      },
    };
  }

  /** SendTaskSuccess: the task's result is `output`. Throws TaskTokenError. */
  succeed(token: string, output: unknown): void {
    this.take(token).resolve(output);
  }

  /** SendTaskFailure: the task fails with `error` (its name is the error code). Throws TaskTokenError. */
  fail(token: string, error: Error): void {
    this.take(token).reject(error);
  }

  /**
   * Ends the waits of an execution's tokens. The waiting task is rejected so that the engine's
   * own timeout timer for it is cleared (an aborted execution ignores the rejection).
   */
  closeExecution(executionArn: string, why: 'timed-out' | 'done'): void {
    for (const [token, w] of this.waiting) {
      if (w.executionArn !== executionArn) continue;
      clearTimeout(w.timer);
      this.waiting.delete(token);
      this.closed.set(token, why);
      const stopped = new Error('the execution stopped');
      stopped.name = EXECUTION_STOPPED;
      w.reject(stopped);
    }
  }

  private take(token: string): Waiting {
    const waiting = this.waiting.get(token);
    if (!waiting) {
      throw new TaskTokenError(this.closed.get(token) === 'timed-out' ? 'timed-out' : 'unknown');
    }
    this.waiting.delete(token);
    clearTimeout(waiting.timer);
    this.closed.set(token, 'done');
    return waiting;
  }
}
