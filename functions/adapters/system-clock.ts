import type { Clock } from '../core/ports.js';

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that runs `factor` times faster than real time from `start` (local demos).
 * now = start + (real elapsed) * factor + manual offset.
 */
export class AcceleratedClock implements Clock {
  private readonly realStart = Date.now();
  private offsetMs = 0;
  constructor(
    private readonly start: Date = new Date(),
    readonly factor = 1,
  ) {}
  now(): Date {
    return new Date(this.start.getTime() + (Date.now() - this.realStart) * this.factor + this.offsetMs);
  }
  /** Jumps forward (tests and demos). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
