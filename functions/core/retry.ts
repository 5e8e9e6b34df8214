/**
 * One retry loop for the core: run a step again when it failed in a way another attempt can
 * fix (an optimistic-lock conflict: the step re-reads and decides again), with a short jittered
 * pause so concurrent writers do not collide again in step. Any other error, and the error of the
 * last attempt, is thrown to the caller.
 */

/** How a step is retried. */
export interface RetryPolicy {
  /** Attempts in all, the first one included (at least 1). */
  attempts: number;
  /** Whether an error is worth another attempt; others are thrown at once. */
  retryOn: (error: unknown) => boolean;
  /** Pause in ms after failed attempt `attempt` (1-based), before the next one. */
  delayMs: (attempt: number) => number;
  /** Called before each pause, e.g. to log the retry. */
  onRetry?: (error: unknown, attempt: number) => void;
}

/** A pause of `base` ms plus up to `perAttempt` ms per attempt made, at random (jitter). */
export function jitteredBackoff(base: number, perAttempt: number): (attempt: number) => number {
  return (attempt) => base + Math.random() * perAttempt * attempt;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `step` (given its 1-based attempt number) until it succeeds or the policy gives up. */
export async function retry<T>(policy: RetryPolicy, step: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || !policy.retryOn(error)) throw error;
      policy.onRetry?.(error, attempt);
      await sleep(policy.delayMs(attempt));
    }
  }
}
