/**
 * `milepost dev` as a process, as a person (or an attacker, or a crash) meets it: its database
 * reachable from this machine only, private files, one runtime per data folder, a JVM killed with
 * -9 restarted while /health says 503, a stop within 10 s also after the JVM died, no JVM left
 * after a SIGKILL of the runtime, and a clock that continues from where it stopped.
 *
 * Limits wait on readiness and are generous (a busy 2-core machine starts a JVM slowly); the only
 * fixed bounds are the ones the product promises (503 within 5 s, a stop within 10 s).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '../../local/dynamodb-local.js';
import { projectSpecInput } from '../support/dynamo.js';
import { otherLocalAddresses, preflight, tryConnect } from '../support/network.js';
import { waitFor } from './helpers.js';

const START_LIMIT_MS = 240_000;
const LIMIT = 360_000;

const root = mkdtempSync(join(tmpdir(), 'milepost-process-'));
const projectsDir = join(root, 'projects');
const dataDir = join(root, 'data');

interface Cli {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

const running: Cli[] = [];
afterAll(async () => {
  for (const cli of running)
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  for (const pid of jvmsOf(dataDir)) process.kill(pid, 'SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

/** Runs `milepost dev` on the shared data folder with the clock 3600x faster. */
function dev(port: number): Cli {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'cli/milepost.ts',
      'dev',
      '--projects',
      projectsDir,
      '--port',
      String(port),
      '--data',
      dataDir,
      '--time-factor',
      '3600',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const cli = { child, output: () => out, exited };
  running.push(cli);
  return cli;
}

async function started(cli: Cli): Promise<{ url: string; database: string }> {
  const url = await waitFor(
    'milepost to print its URL',
    () => {
      if (cli.child.exitCode !== null) throw new Error(`milepost exited: ${cli.output()}`);
      return /milepost is running at (http:\/\/\S+)/.exec(cli.output())?.[1];
    },
    START_LIMIT_MS,
  );
  const database = /database: (http:\/\/127\.0\.0\.1:\d+)/.exec(cli.output())?.[1];
  if (!database) throw new Error(`no database line: ${cli.output()}`);
  return { url, database };
}

/** Process ids of the JVMs that serve `data` (found by their -dbPath). */
function jvmsOf(data: string): number[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .filter((l) => l.includes('LoopbackDynamoDb') && l.includes(`-dbPath ${join(data, 'dynamodb')}`))
    .map((l) => Number.parseInt(l.trim(), 10));
}

async function health(url: string): Promise<{ code: number; status?: string; now?: string }> {
  try {
    const res = await fetch(`${url}/health`);
    return { code: res.status, ...((await res.json()) as { status: string; now?: string }) };
  } catch {
    return { code: 0 };
  }
}

/** Resolves with the exit code, or 'still running' once `ms` passed. */
async function exitWithin(cli: Cli, ms: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => {
    timer = setTimeout(() => resolve('still running'), ms);
  });
  const result = await Promise.race([cli.exited, late]);
  clearTimeout(timer);
  return result;
}

function modes(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (path: string) => {
    const st = lstatSync(path);
    out.set(path.slice(dir.length) || '/', st.mode & 0o777);
    if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return out;
}

describe('milepost dev as a process', () => {
  let first: Cli;
  let url: string;
  let lastNow = '';

  it(
    'keeps its database on 127.0.0.1 with CORS closed, its files private, and one runtime per data folder',
    async () => {
      mkdirSync(projectsDir, { recursive: true });
      writeFileSync(
        join(projectsDir, 'process-check.yaml'),
        stringify(projectSpecInput({ id: 'process-check' })),
      );
      // Left readable by an earlier version: made private at start.
      mkdirSync(join(dataDir, 'documents'), { recursive: true, mode: 0o755 });
      writeFileSync(join(dataDir, 'documents', 'old-report.html'), 'x', { mode: 0o644 });
      chmodSync(dataDir, 0o755);

      first = dev(await freePort());
      const s = await started(first);
      url = s.url;
      const h = await health(url);
      expect(h).toMatchObject({ code: 200, status: 'ok' });
      expect(Number.isNaN(Date.parse(h.now ?? ''))).toBe(false);

      const dbPort = Number(new URL(s.database).port);
      expect(await tryConnect('127.0.0.1', dbPort)).toBe('connected');
      const others = otherLocalAddresses();
      expect(others.length).toBeGreaterThan(0);
      for (const address of others) expect(await tryConnect(address, dbPort), address).toBe('ECONNREFUSED');
      expect(await preflight(s.database, 'https://attacker.example')).toBeNull();
      expect(await preflight(s.database, url)).toBeNull();

      const seen = modes(dataDir);
      for (const file of ['/milepost.lock', '/clock.json', '/dynamodb/shared-local-instance.db']) {
        expect(seen.has(file), file).toBe(true);
      }
      for (const [path, mode] of seen) {
        const isDir = lstatSync(join(dataDir, path)).isDirectory();
        expect(mode.toString(8), path).toBe(isDir ? '700' : '600');
      }

      const second = dev(await freePort());
      expect(await second.exited).toBe(1);
      const lines = second.output().trim().split('\n');
      expect(lines.at(-1)).toMatch(
        new RegExp(`is in use by another milepost runtime: process ${first.child.pid}\\b.*pass --data DIR`),
      );
      expect(jvmsOf(dataDir)).toHaveLength(1);
    },
    LIMIT,
  );

  it(
    'answers 503 within 5 s after kill -9 of its JVM, restarts it and answers 200 again',
    async () => {
      const [jvm] = jvmsOf(dataDir);
      process.kill(jvm!, 'SIGKILL');
      const down = await waitFor(
        '/health 503',
        async () => (await health(url)).code === 503 || undefined,
        5_000,
      );
      expect(down).toBe(true);
      await waitFor('/health 200', async () => (await health(url)).code === 200, START_LIMIT_MS);
      expect(first.output()).toMatch(/DynamoDB Local stopped \(signal SIGKILL\); restarting it \(1\/3\)/);
      expect(jvmsOf(dataDir)).toHaveLength(1);
      expect(jvmsOf(dataDir)[0]).not.toBe(jvm);
      lastNow = (await health(url)).now!;
    },
    LIMIT,
  );

  it(
    'stops within 10 s on SIGINT after its JVM died, and leaves no JVM',
    async () => {
      const [jvm] = jvmsOf(dataDir);
      process.kill(jvm!, 'SIGKILL');
      await waitFor('/health 503', async () => (await health(url)).code === 503, 5_000);
      lastNow = (await health(url)).now ?? lastNow;
      first.child.kill('SIGINT');
      expect(await exitWithin(first, 10_000)).not.toBe('still running');
      await waitFor('no JVM of the runtime', () => jvmsOf(dataDir).length === 0, 10_000);
    },
    LIMIT,
  );

  it(
    'continues its clock after a restart, leaves no JVM after SIGKILL, and takes over the lock of a dead runtime',
    async () => {
      const again = dev(await freePort());
      const s = await started(again);
      const h = await health(s.url);
      expect(h.code).toBe(200);
      expect(Date.parse(h.now!)).toBeGreaterThanOrEqual(Date.parse(lastNow));
      lastNow = h.now!;

      again.child.kill('SIGKILL');
      await again.exited;
      await waitFor('the JVM to exit with its parent', () => jvmsOf(dataDir).length === 0, 30_000);

      const third = dev(await freePort());
      const t = await started(third);
      const h3 = await health(t.url);
      expect(Date.parse(h3.now!)).toBeGreaterThanOrEqual(Date.parse(lastNow));
      third.child.kill('SIGTERM');
      expect(await exitWithin(third, 10_000)).toBe(0);
      await waitFor('no JVM of the runtime', () => jvmsOf(dataDir).length === 0, 10_000);
    },
    LIMIT,
  );
});
