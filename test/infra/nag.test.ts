/** cdk-nag AwsSolutions: zero unacknowledged findings, and every acknowledgement carries a reason. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { buildApp, loadProjectSpecs } from '../../infra/build-app.js';
import { sharedSynth } from '../support/shared-synth.js';
import { SETTINGS } from './support.js';

const outdirs: string[] = [];
afterAll(() => {
  for (const d of outdirs) rmSync(d, { recursive: true, force: true });
});

/** The example app; `nag` registers cdk-nag at synth as `cdk synth` does (with the CloudFormation schema checks). */
async function exampleApp(nag: boolean) {
  const outdir = mkdtempSync(join(tmpdir(), 'milepost-nag-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    builtinCloudFormationValidation: nag,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const built = buildApp(app, await loadProjectSpecs('projects'), { ...SETTINGS, nag });
  return { app, outdir, ...built };
}

function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports zero unacknowledged findings for the whole app', async () => {
    const { app } = await exampleApp(false);
    app.synth();

    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);

    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources[0]?.constructPath}`)).toEqual(
      [],
    );
    expect(report.success).toBe(true);
  });

  it('runs at synth and lets the app synthesize', async () => {
    // The run's one `cdk synth` of the examples: cdk-nag runs inside it as for a deploy.
    const synth = await sharedSynth(inject('synthDir'));
    expect(synth.status, synth.stderr).toBe(0);
    const outdir = synth.outdir;
    const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
    expect(templates).toHaveLength(3);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: unknown[] }[];
    };
    expect(report.pluginReports.length).toBeGreaterThan(0);
    for (const plugin of report.pluginReports) expect(plugin.violations).toEqual([]);
  }, 600_000);

  it('still fails synth on a finding that nobody acknowledged', async () => {
    const { app, platform } = await exampleApp(true);
    new sqs.Queue(platform, 'Unprotected', { encryption: sqs.QueueEncryption.UNENCRYPTED });

    expect(() => app.synth()).toThrow(/SQS Queue/);
  }, 300_000);

  it('gives a written reason with every acknowledgement, and acknowledges whole rules only where a rule has one finding', async () => {
    const { app } = await exampleApp(false);
    const acks = acknowledgements(app).filter((a) => a.id.includes('AwsSolutions-'));

    expect(acks.length).toBeGreaterThan(10);
    for (const a of acks) {
      expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThan(40);
      // Wildcard findings are acknowledged one by one, never the IAM5 rule as a whole.
      if (a.id.includes('IAM5')) expect(a.id).toMatch(/IAM5\[Resource::.+\]$/);
    }
  });
});
