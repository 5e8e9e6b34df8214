/**
 * `milepost dev` (npm start): runs the local runtime until Ctrl-C (SIGINT) or SIGTERM, then stops
 * everything (servers, timers, executions, the DynamoDB Local JVM) and returns.
 * `--time-factor N` (or `MILEPOST_TIME_FACTOR=N`) runs the handlers' clock N times faster than real time (schedules, gate
 * timeouts and the support period follow it).
 *
 * A stop never hangs: past STOP_LIMIT_MS (or on a second signal) the process exits anyway, and
 * the JVM goes with it (it exits when its stdin pipe from this process closes). When a part fails
 * for good (the database JVM used up its restarts), it stops and fails with one line (exit 1).
 */
import { LocalRuntimeError } from './errors.js';
import { startRuntime } from './runtime.js';

export { MissingJavaError } from './dynamodb-local.js';
export { LocalRuntimeError } from './errors.js';

export interface DevOptions {
  projectsDir: string;
  port: number;
  dataDir: string;
  inMemory: boolean;
  /** Clock speed-up; default: $MILEPOST_TIME_FACTOR or 1. */
  timeFactor?: number;
  /** Who gets the daily portfolio digest. */
  deliveryManagerEmail?: string;
  /** The platform's chat channel (captured in the outbox). */
  webhook?: 'teams' | 'slack';
  /** The platform's time zone. */
  timezone?: string;
}

/** How long a stop may take before the process exits regardless (the check allows 10 s). */
const STOP_LIMIT_MS = 7_000;

function timeFactor(): number {
  const raw = process.env['MILEPOST_TIME_FACTOR'];
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 1) throw new LocalRuntimeError('MILEPOST_TIME_FACTOR must be a number >= 1');
  return n;
}

/** Runs milepost on this machine until interrupted. */
export async function runDev(options: DevOptions): Promise<void> {
  const factor = options.timeFactor ?? timeFactor();
  // Everything this process and its JVM write under --data is private to the user (outbox links, secrets).
  process.umask(0o077);
  console.log(
    `milepost: starting (projects: ${options.projectsDir}, data: ${options.inMemory ? 'in memory' : options.dataDir})`,
  );
  let fatal: (err: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => {
    fatal = resolve;
  });
  // A signal during start-up ends the process as usual; its JVM follows (stdin pipe closed), and
  // the lock it leaves names a process that is gone, which the next start takes over.
  const runtime = await startRuntime({ ...options, clock: { factor }, onFatal: (err) => fatal(err) });
  const ids = runtime.projects.map((p) => p.spec.id);
  console.log(`projects: ${ids.length ? ids.join(', ') : '(none: add a spec file and restart)'}`);
  if (factor > 1) console.log(`clock: ${factor}x faster than real time`);
  console.log(`database: ${runtime.databaseEndpoint} (this machine only)`);
  console.log(`milepost is running at ${runtime.url}`);

  const ended = await new Promise<{ signal: string } | { error: Error }>((resolve) => {
    const onInt = () => resolve({ signal: 'SIGINT' });
    const onTerm = () => resolve({ signal: 'SIGTERM' });
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
    void failed.then((error) => resolve({ error }));
  });
  if ('signal' in ended) console.log(`milepost: stopping (${ended.signal})`);
  // Never hang on a stop: a second signal or the limit exits (the process exit kills the JVM).
  const force = (why: string) => {
    console.error(`milepost: ${why}; exiting without a clean stop`);
    process.exit(1);
  };
  const limit = setTimeout(() => force(`stop took longer than ${STOP_LIMIT_MS / 1000} s`), STOP_LIMIT_MS);
  limit.unref();
  process.once('SIGINT', () => force('interrupted again'));
  process.once('SIGTERM', () => force('terminated again'));
  await runtime.stop();
  clearTimeout(limit);
  if ('error' in ended) throw ended.error;
  console.log('milepost: stopped');
}
