/**
 * One `cdk synth` per test run, shared by the tests that need the real command's output.
 *
 * The first test that asks starts it (an exclusive lock file in the run's folder decides which);
 * the others wait for the same result. It runs detached in its own process group and writes its
 * own result files, so it does not depend on the test process that started it; the global
 * teardown ends it if it still runs. Waiting has a generous limit: a busy machine may take
 * minutes to bundle the functions.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** How the shared synth ended, and where its cloud assembly is. */
export interface SynthResult {
  status: number;
  stdout: string;
  stderr: string;
  outdir: string;
}

/** The environment of a machine without AWS credentials, CLI telemetry or version checks. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('AWS_') && !k.startsWith('CDK_')) env[k] = v;
  return {
    ...env,
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    CDK_DISABLE_VERSION_CHECK: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

/** Starts `cdk synth --quiet` into `dir/cdk.out` unless another test did; its pid goes to `dir/synth.pid`. */
function startOnce(dir: string): void {
  let fd: number;
  try {
    fd = openSync(join(dir, 'synth.lock'), 'wx');
  } catch {
    return; // started by another test file
  }
  closeSync(fd);
  const script =
    'npx cdk synth --quiet --no-notices --output "$1/cdk.out" >"$1/synth.stdout" 2>"$1/synth.stderr"; echo $? >"$1/synth.status.tmp" && mv "$1/synth.status.tmp" "$1/synth.status"';
  const child = spawn('/bin/sh', ['-c', script, 'sh', dir], {
    env: cleanEnv(),
    stdio: 'ignore',
    detached: true,
  });
  writeFileSync(join(dir, 'synth.pid'), String(child.pid));
  child.unref();
}

/** The shared synth of the run folder `dir`: started if needed, waited for (limit: 10 minutes). */
export async function sharedSynth(dir: string, limitMs = 600_000): Promise<SynthResult> {
  startOnce(dir);
  const status = join(dir, 'synth.status');
  const deadline = Date.now() + limitMs;
  while (!existsSync(status)) {
    if (Date.now() > deadline)
      throw new Error(`the shared cdk synth did not finish within ${limitMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    status: Number.parseInt(readFileSync(status, 'utf8'), 10),
    stdout: readFileSync(join(dir, 'synth.stdout'), 'utf8'),
    stderr: readFileSync(join(dir, 'synth.stderr'), 'utf8'),
    outdir: join(dir, 'cdk.out'),
  };
}

/** Ends the shared synth of `dir` if it still runs (its whole process group). */
export function stopSharedSynth(dir: string): void {
  try {
    const pid = Number.parseInt(readFileSync(join(dir, 'synth.pid'), 'utf8'), 10);
    if (pid > 0 && !existsSync(join(dir, 'synth.status'))) process.kill(-pid, 'SIGKILL');
  } catch {
    // Never started, or already gone.
  }
}
