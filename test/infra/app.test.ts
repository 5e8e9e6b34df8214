/**
 * The CDK app entry as `cdk synth` runs it: invalid specs stop it with every error located, and
 * valid specs give the platform stack plus one project stack with one state machine each.
 */
import { spawnSync } from 'node:child_process';
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
import { afterAll, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'milepost-app-'));
  dirs.push(d);
  return d;
};

/** The environment of a machine without AWS credentials, CLI telemetry or version checks. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
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
  it('stops with every spec error named by file:line and field, and synthesizes nothing', () => {
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

    const run = spawnSync('npx', ['tsx', 'infra/app.ts'], {
      encoding: 'utf8',
      env: cleanEnv({
        CDK_CONTEXT_JSON: JSON.stringify({
          'milepost:projectsDir': specs,
          'milepost:senderEmail': 'projects@msp.example.com',
        }),
        CDK_OUTDIR: outdir,
      }),
    });

    expect(run.status).toBe(1);
    const lines = run.stderr.split('\n');
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
    expect(run.stderr).toMatch(/nothing synthesized/);
    expect(existsSync(outdir) ? readdirSync(outdir).filter((f) => f.endsWith('.template.json')) : []).toEqual(
      [],
    );
  });

  it('runs under cdk synth with no AWS credentials: the platform plus one project stack and state machine per spec', () => {
    const outdir = join(tempDir(), 'cdk.out');
    const run = spawnSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--output', outdir], {
      encoding: 'utf8',
      env: cleanEnv({}),
    });

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
  });
});
