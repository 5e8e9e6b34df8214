/**
 * Which stacks a change deploys (the pipeline's plan): `npx tsx infra/affected-stacks.ts <base-ref>`
 * compares the working tree's commit with `base-ref` and prints the `cdk` arguments on stdout and
 * a Markdown summary for the job summary on stderr.
 *
 * - Only spec files changed: the platform plus exactly those projects' stacks, with
 *   `--exclusively` (1 project out of 100 deploys 2 stacks). A removed spec names its stack to
 *   delete by hand (records are kept: see the README's removal runbook).
 * - Anything else changed (functions, infra, state machines, dependencies, cdk.json): every stack
 *   (`--all`), because project stacks are built from that code too; CloudFormation leaves the
 *   stacks whose template did not change untouched.
 * - Nothing that deploys changed (docs, tests): no stack.
 */
import { execFileSync } from 'node:child_process';
import { parseDocument } from 'yaml';
import { PLATFORM_STACK_NAME, projectStackName } from './build-app.js';

/** One changed file: its path and, for a spec, the project id it declares (before or after). */
export interface ChangedFile {
  path: string;
  status: 'added' | 'modified' | 'deleted';
  /** For a spec file: the `id` it declares (the old one when deleted). */
  projectId?: string;
}

export interface DeployPlan {
  /** Arguments for `cdk diff` / `cdk deploy`; empty: nothing to deploy. */
  args: string[];
  /** Project ids whose spec changed, by what happened. */
  projects: { changed: string[]; removed: string[] };
  platform: boolean;
  all: boolean;
}

const SPEC = /^projects\/[^/]+\.ya?ml$/;
/** Files that do not change what deploys. */
const INERT = [
  /^README\.md$/,
  /^docs\//,
  /^test\//,
  /^bench\//,
  /^\.github\//,
  /^\.ci\//,
  /\.md$/,
  /^projects\/schema\.json$/,
  /^cli\//,
];

/** The deploy plan of a set of changed files. */
export function planDeploy(changes: ChangedFile[]): DeployPlan {
  const changed = new Set<string>();
  const removed = new Set<string>();
  let other = false;
  for (const c of changes) {
    if (SPEC.test(c.path)) {
      if (!c.projectId) continue;
      (c.status === 'deleted' ? removed : changed).add(c.projectId);
    } else if (!INERT.some((r) => r.test(c.path))) {
      other = true;
    }
  }
  // A spec renamed to another file keeps its id: it is changed, not removed.
  for (const id of changed) removed.delete(id);
  const projects = { changed: [...changed].sort(), removed: [...removed].sort() };
  if (other) return { args: ['--all'], projects, platform: true, all: true };
  if (changed.size === 0) return { args: [], projects, platform: false, all: false };
  return {
    args: [PLATFORM_STACK_NAME, ...projects.changed.map(projectStackName), '--exclusively'],
    projects,
    platform: true,
    all: false,
  };
}

/** The plan as Markdown, for the GitHub job summary. */
export function planSummary(plan: DeployPlan): string {
  const lines = ['## milepost: what this change deploys', ''];
  if (plan.all)
    lines.push('Platform or shared code changed: every stack (`--all`); unchanged stacks stay as they are.');
  else if (plan.args.length === 0) lines.push('No stack: nothing that deploys changed.');
  else
    lines.push(
      `Stacks: ${plan.args
        .filter((a) => !a.startsWith('--'))
        .map((s) => `\`${s}\``)
        .join(', ')}`,
    );
  if (plan.projects.changed.length) {
    lines.push('', '| project | stack |', '| --- | --- |');
    for (const id of plan.projects.changed) lines.push(`| ${id} | \`${projectStackName(id)}\` |`);
  }
  if (plan.projects.removed.length) {
    lines.push(
      '',
      `Removed specs: ${plan.projects.removed.map((id) => `\`${projectStackName(id)}\``).join(', ')}. Delete each stack by hand (\`npx cdk destroy <stack>\`); its records stay in the table.`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** The id a spec declares at `ref` (undefined when it cannot be read: the synth step reports it). */
function specId(ref: string, path: string): string | undefined {
  try {
    const id: unknown = parseDocument(git('show', `${ref}:${path}`)).get('id');
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The changed files between `base` and HEAD, with the ids of changed specs. */
export function changedFiles(base: string): ChangedFile[] {
  const out: ChangedFile[] = [];
  for (const line of git('diff', '--name-status', '--no-renames', `${base}...HEAD`).split('\n')) {
    const [code, path] = line.split('\t');
    if (!code || !path) continue;
    const status = code.startsWith('A') ? 'added' : code.startsWith('D') ? 'deleted' : 'modified';
    const projectId = SPEC.test(path) ? specId(status === 'deleted' ? base : 'HEAD', path) : undefined;
    out.push({ path, status, ...(projectId ? { projectId } : {}) });
  }
  return out;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const base = process.argv[2];
  if (!base) {
    process.stderr.write('usage: tsx infra/affected-stacks.ts <base-ref>\n');
    process.exit(1);
  }
  const plan = planDeploy(changedFiles(base));
  process.stderr.write(planSummary(plan));
  process.stdout.write(`${plan.args.join(' ')}\n`);
}
