/**
 * `milepost dev` (npm start): runs the local runtime until Ctrl-C (SIGINT) or SIGTERM, then stops
 * everything (servers, timers, executions, the DynamoDB Local JVM) and returns.
 * `--time-factor N` (or `MILEPOST_TIME_FACTOR=N`) runs the handlers' clock N times faster than real time (schedules, gate
 * timeouts and the support period follow it).
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
}

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
  console.log(
    `milepost: starting (projects: ${options.projectsDir}, data: ${options.inMemory ? 'in memory' : options.dataDir})`,
  );
  const runtime = await startRuntime({ ...options, clock: { factor } });
  const ids = runtime.projects.map((p) => p.spec.id);
  console.log(`projects: ${ids.length ? ids.join(', ') : '(none: add a spec file and restart)'}`);
  if (factor > 1) console.log(`clock: ${factor}x faster than real time`);
  console.log(`milepost is running at ${runtime.url}`);

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      console.log(`milepost: stopping (${signal})`);
      runtime.stop().finally(resolve);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  console.log('milepost: stopped');
}
