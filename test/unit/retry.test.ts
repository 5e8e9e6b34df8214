import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../functions/core/errors.js';
import { jitteredBackoff, retry } from '../../functions/core/retry.js';

const onConflict = { retryOn: (e: unknown) => e instanceof ConflictError, delayMs: () => 0 };

describe('retry', () => {
  it('runs the step again after an error the policy retries, until it succeeds', async () => {
    const seen: number[] = [];
    const retried: number[] = [];
    const result = await retry(
      { ...onConflict, attempts: 5, onRetry: (_, n) => retried.push(n) },
      async (n) => {
        seen.push(n);
        if (n < 3) throw new ConflictError('changed');
        return 'done';
      },
    );
    expect(result).toBe('done');
    expect(seen).toEqual([1, 2, 3]);
    expect(retried).toEqual([1, 2]);
  });

  it('throws the last error once the attempts are used up', async () => {
    let calls = 0;
    await expect(
      retry({ ...onConflict, attempts: 4 }, async () => {
        calls++;
        throw new ConflictError(`conflict ${calls}`);
      }),
    ).rejects.toThrow('conflict 4');
    expect(calls).toBe(4);
  });

  it('throws an error the policy does not retry at once', async () => {
    let calls = 0;
    await expect(
      retry({ ...onConflict, attempts: 4 }, async () => {
        calls++;
        throw new NotFoundError('gone');
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(calls).toBe(1);
  });

  it('waits the pause the policy gives before each new attempt', async () => {
    const pauses: number[] = [];
    const started = Date.now();
    await retry(
      {
        attempts: 3,
        retryOn: () => true,
        delayMs: (n) => {
          pauses.push(n);
          return 15;
        },
      },
      async (n) => {
        if (n < 3) throw new Error('again');
      },
    );
    expect(pauses).toEqual([1, 2]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});

describe('jitteredBackoff', () => {
  it('pauses the base plus up to the per-attempt share times the attempt', () => {
    const delay = jitteredBackoff(10, 40);
    for (let attempt = 1; attempt <= 5; attempt++) {
      for (let i = 0; i < 20; i++) {
        const ms = delay(attempt);
        expect(ms).toBeGreaterThanOrEqual(10);
        expect(ms).toBeLessThanOrEqual(10 + 40 * attempt);
      }
    }
  });
});
