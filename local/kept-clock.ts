/**
 * The local runtime's clock, kept with `--data` so that time never goes backwards across restarts.
 *
 * An accelerated clock (`--time-factor`) runs far ahead of real time; started again at the real
 * "now", it would date new events before the ones already stored and send status reports out of
 * order. This clock starts from where the previous run stopped (or real now, whichever is later).
 *
 * It survives a crash too: the file holds a lease, a time the clock may not pass until the lease
 * is renewed (written before it is used). After SIGKILL the next run starts at the lease, which is
 * at or after every time handed out. If renewals stall (a frozen event loop), the clock waits at
 * the lease rather than run past what is on disk.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as z from 'zod';
import { AcceleratedClock } from '../functions/adapters/system-clock.js';

/** Name of the clock file under `--data`. */
export const CLOCK_FILE = 'clock.json';

const fileSchema = z.object({ now: z.iso.datetime(), factor: z.number().positive() });

/** Real time between lease renewals, and how far ahead (in real time) each lease reaches. */
const RENEW_MS = 500;
const LEASE_MS = 2_000;

/**
 * The time the previous run reached, from `file`; undefined when there is none.
 * Throws when the file exists but cannot be read as a clock (the caller says so in one line).
 */
export function readKeptTime(file: string): Date | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return new Date(fileSchema.parse(JSON.parse(text)).now);
}

/** An AcceleratedClock whose position is kept in a file (see the module comment). */
export class KeptClock extends AcceleratedClock {
  private lease: number;
  private last = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    start: Date,
    factor: number,
  ) {
    super(start, factor);
    this.lease = start.getTime();
    this.renew();
    this.timer = setInterval(() => this.renew(), RENEW_MS);
    this.timer.unref();
  }

  override now(): Date {
    const t = Math.max(this.last, Math.min(super.now().getTime(), this.lease));
    this.last = t;
    return new Date(t);
  }

  /** Jumps forward (tests and demos); the lease moves with it before the time is used. */
  override advance(ms: number): void {
    super.advance(ms);
    if (this.timer) this.renew();
  }

  /** Writes where the clock stopped and stops renewing; the clock stays at that time. */
  close(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.lease = this.now().getTime();
    this.write(this.lease);
  }

  private renew(): void {
    const next = Math.max(this.lease, super.now().getTime() + LEASE_MS * this.factor);
    try {
      this.write(next);
      this.lease = next;
    } catch {
      // Not written: the clock keeps to the lease on disk (it waits rather than run ahead of it).
    }
  }

  private write(at: number): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ now: new Date(at).toISOString(), factor: this.factor }), {
      mode: 0o600,
    });
    renameSync(tmp, this.file);
  }
}
