/**
 * The CDK app entry as `cdk synth` runs it: invalid specs stop it with every error located, and
 * valid specs give the platform stack plus one project stack with one state machine each.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { cleanEnv, sharedSynth } from '../support/shared-synth.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'milepost-app-'));
  dirs.push(d);
  return d;
};

/** A small valid spec (its own fixture, so the examples may change freely). */
const VALID_SPEC = `id: fixture
name: Firewall refresh
customer:
  name: Example LLP
  timezone: America/New_York
objectives:
  - Replace the firewall
requirements:
  - Changes only on Saturdays
scope:
  in:
    - Firewall pair
  out:
    - Desktops
deliverables:
  - id: design
    name: Network design
    stage: design-review
    acceptance: Signed off
timeline:
  start: 2027-01-04
  end: 2027-04-30
budget:
  currency: USD
  amount: 64000
  hours: 320
stakeholders:
  - name: Eleanor Vale
    email: eleanor@example.com
    role: sponsor
  - name: Sam Harbor
    email: sam@example.com
    role: approver
team:
  - name: Alex Kim
    email: alex@example.net
    role: project manager
    allocation: 40
communication:
  channels: [email]
  statusReport: { every: week, day: monday, at: "09:00" }
stages:
  - key: initiation
  - key: design-review
    name: Design Review
    gate:
      approvers: [sponsor, approver]
      rule:
        quorum: 2
  - key: execution
`;

/** Replaces the line that contains `find` (exactly once) and returns the text and that line's number. */
function replaceLine(text: string, find: string, replacement: string): { text: string; line: number } {
  const lines = text.split('\n');
  const index = lines.findIndex((l) => l.includes(find));
  if (index < 0 || lines.findIndex((l, i) => i > index && l.includes(find)) >= 0) {
    throw new Error(`expected one line with ${find}`);
  }
  lines[index] = lines[index]!.replace(find, replacement);
  return { text: lines.join('\n'), line: index + 1 };
}

describe('the CDK app entry', () => {
  /** Runs a command to its end (no time limit of its own: the test's generous limit applies). */
  function run(
    cmd: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ): Promise<{ status: number | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.once('error', reject);
      child.once('close', (status) => resolve({ status, stderr }));
    });
  }

  /** Subprocesses that synthesize get minutes on a busy machine, not the default 30 s. */
  const SUBPROCESS_LIMIT = 600_000;

  it(
    'stops with every spec error named by file:line and field, and synthesizes nothing',
    async () => {
      const dir = tempDir();
      const specs = join(dir, 'projects');
      const outdir = join(dir, 'cdk.out');
      mkdirSync(specs);
      // Field errors: a negative budget, a bad email.
      let a = replaceLine(VALID_SPEC, 'amount: 64000', 'amount: -64000');
      const budgetLine = a.line;
      a = replaceLine(a.text, 'email: sam@example.com', 'email: sam-at-example');
      const emailLine = a.line;
      writeFileSync(join(specs, 'a-fields.yaml'), a.text.replace('id: fixture', 'id: fields'));

      // Checks across fields: an unknown deliverable stage, a quorum above the approvers, end before start.
      let b = replaceLine(VALID_SPEC, 'stage: design-review', 'stage: design-sign-off');
      const stageLine = b.line;
      b = replaceLine(b.text, 'quorum: 2', 'quorum: 9');
      const quorumLine = b.line;
      b = replaceLine(b.text, 'end: 2027-04-30', 'end: 2026-12-31');
      const endLine = b.line;
      writeFileSync(join(specs, 'b-refs.yaml'), b.text.replace('id: fixture', 'id: refs'));

      const result = await run(
        'npx',
        ['tsx', 'infra/app.ts'],
        cleanEnv({
          CDK_CONTEXT_JSON: JSON.stringify({
            'milepost:projectsDir': specs,
            'milepost:senderEmail': 'projects@msp.example.com',
          }),
          CDK_OUTDIR: outdir,
        }),
      );

      expect(result.status).toBe(1);
      const lines = result.stderr.split('\n');
      const fileA = join(specs, 'a-fields.yaml');
      const fileB = join(specs, 'b-refs.yaml');
      const located = (file: string, line: number, field: string) =>
        lines.find((l) => l.includes(`${file}:${line} ${field}: `));
      expect(located(fileA, budgetLine, 'budget.amount')).toMatch(/must be more than 0/);
      expect(located(fileA, emailLine, 'stakeholders[1].email')).toMatch(/invalid email/);
      expect(located(fileB, stageLine, 'deliverables[0].stage')).toMatch(/unknown stage "design-sign-off"/);
      expect(located(fileB, quorumLine, 'stages[1].gate.rule.quorum')).toMatch(
        /quorum 9 is more than the 2 approver/,
      );
      expect(located(fileB, endLine, 'timeline.end')).toMatch(/must not be before timeline.start/);
      expect(result.stderr).toMatch(/nothing synthesized/);
      expect(
        existsSync(outdir) ? readdirSync(outdir).filter((f) => f.endsWith('.template.json')) : [],
      ).toEqual([]);
    },
    SUBPROCESS_LIMIT,
  );

  it(
    'runs under cdk synth with no AWS credentials: the platform plus one project stack and state machine per spec',
    async () => {
      // The run's one `cdk synth` (shared with the other tests that read its output).
      const run = await sharedSynth(inject('synthDir'));
      const outdir = run.outdir;

      expect(run.stderr).not.toMatch(/Error/);
      expect(run.status).toBe(0);
      const specs = readdirSync('projects').filter((f) => f.endsWith('.yaml'));
      const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
      expect(templates.sort()).toEqual(
        ['Milepost-Platform', ...specs.map((f) => `Milepost-Project-${f.replace(/\.yaml$/, '')}`)]
          .map((n) => `${n}.template.json`)
          .sort(),
      );
      for (const file of templates.filter((f) => f.startsWith('Milepost-Project-'))) {
        const template = JSON.parse(readFileSync(join(outdir, file), 'utf8')) as {
          Resources: Record<string, { Type: string }>;
        };
        const machines = Object.values(template.Resources).filter(
          (r) => r.Type === 'AWS::StepFunctions::StateMachine',
        );
        expect(machines, file).toHaveLength(1);
      }
    },
    SUBPROCESS_LIMIT,
  );
});
