/**
 * The Lambda bundles as `cdk synth` builds them: each handler bundled by infra/bundle.ts (the
 * function the CDK construct runs), its code size (the code zip holds no source map),
 * and its cold module load: the CPU time of a fresh Node process that imports the bundle, against
 * one that imports an empty module (median of runs; the ratio is what the entry module costs on
 * top of starting Node).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { bundleFunction, PROJECT_ROOT } from '../infra/bundle.js';

/** One handler's figures. */
export interface BundleFigures {
  name: string;
  /** Bytes of the code file (`index.mjs`, all the code zip holds). */
  codeBytes: number;
  /** Bytes of the source map kept outside the zip (for reading stack traces). */
  mapBytes: number;
  /** What esbuild put in: every input file with its bytes in the output. */
  metafile: Metafile;
  /** Median CPU ms of a process importing the bundle, and of one importing an empty module. */
  loadCpuMs: number;
  emptyCpuMs: number;
}

/** The environment a function sees in AWS (readEnv validates it at the first event, not at import). */
const FUNCTION_ENV = {
  AWS_REGION: 'eu-west-2',
  TABLE_NAME: 'milepost',
  DOCUMENTS_BUCKET: 'milepost-documents',
  STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:eu-west-2:123456789012:stateMachine:milepost-',
  PUBLIC_BASE_URL: 'https://abc123.execute-api.eu-west-2.amazonaws.com',
  SENDER_EMAIL: 'projects@msp.example',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** CPU ms (user + system) of a fresh Node process from its start until `file` is imported. */
function importCpuMs(file: string): number {
  const script = `await import(${JSON.stringify(pathToFileURL(file).href)}); const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', ...FUNCTION_ENV },
  });
  if (r.status !== 0) throw new Error(`importing ${file} failed: ${r.stderr.trim().split('\n')[0]}`);
  return Number(r.stdout);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Bundles `entry` like a handler into `dir/<name>` and measures it (`runs` load measurements, alternated with `empty`). */
async function measureEntry(
  entry: string,
  name: string,
  dir: string,
  empty: string,
  runs: number,
): Promise<BundleFigures> {
  const bundle = await bundleFunction(entry, join(dir, name), { dir: join(dir, 'maps'), name });
  const mapBytes = bundle.mapFile ? statSync(bundle.mapFile).size : 0;
  const loads: number[] = [];
  const empties: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternate, so that a busy moment of the machine weighs on both alike.
    empties.push(importCpuMs(empty));
    loads.push(importCpuMs(bundle.file));
  }
  return {
    name,
    codeBytes: bundle.codeBytes,
    mapBytes,
    metafile: bundle.metafile,
    loadCpuMs: median(loads),
    emptyCpuMs: median(empties),
  };
}

/** Measures each of `entries` (name and entry file) in a scratch folder, removed afterwards. */
async function measureEntries(
  entries: [name: string, entry: string][],
  runs: number,
): Promise<BundleFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'milepost-bundles-'));
  try {
    const empty = join(dir, 'empty.mjs');
    writeFileSync(empty, '');
    const out: BundleFigures[] = [];
    for (const [name, entry] of entries) out.push(await measureEntry(entry, name, dir, empty, runs));
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bundles every handler of functions/handlers/ and measures it (`runs` load measurements each). */
export function measureBundles(runs: number): Promise<BundleFigures[]> {
  const entries = readdirSync(join(PROJECT_ROOT, 'functions/handlers'))
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f): [string, string] => [f.replace(/\.ts$/, ''), `functions/handlers/${f}`]);
  return measureEntries(entries, runs);
}

/**
 * What the AWS SDK alone costs, bundled and measured like a handler (bench/floor/): the DynamoDB
 * client only, and the three clients of register, lifecycle, schedule, approvals and http, each
 * with the commands and error classes milepost uses and no milepost code. No function holding
 * those clients can be smaller, or load faster, than its floor.
 */
export function measureSdkFloors(runs: number): Promise<BundleFigures[]> {
  return measureEntries(
    [
      ['DynamoDB', 'bench/floor/dynamodb.ts'],
      ['DynamoDB + Step Functions + SESv2', 'bench/floor/all-clients.ts'],
    ],
    runs,
  );
}

/**
 * The bytes each package left in a bundle, largest first: `node_modules` inputs by package name,
 * milepost's own by folder (`functions/core`, `functions/http`...).
 */
export function packageSizes(metafile: Metafile): [string, number][] {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
      const key =
        pkg ??
        path
          .split('/')
          .slice(0, path.startsWith('functions/') ? 2 : 1)
          .join('/');
      sizes.set(key, (sizes.get(key) ?? 0) + input.bytesInOutput);
    }
  }
  return [...sizes].sort((a, b) => b[1] - a[1]);
}
