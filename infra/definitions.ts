/**
 * Every project's state machine definition as CDK synthesizes it, built in-process with the same
 * app builder as `cdk synth` (build-app.ts): what the local runtime and the benchmarks run is what
 * deploys. Lives in infra/ because it builds the CDK app; statemachines/ only reads templates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import type { LoadedSpec } from '../functions/core/spec/load.js';
import { type AslDefinition, definitionFromTemplate } from '../statemachines/definition.js';
import { type AppSettings, buildApp } from './build-app.js';

/**
 * Builds the same app as `cdk synth` in-process (bundling skipped) and returns each project's
 * definition, by project id. `context` adds CDK context values; `settings` only affect
 * resources outside the state machines.
 */
export function synthesizeDefinitions(
  loaded: LoadedSpec[],
  context: Record<string, unknown> = {},
  settings: Partial<AppSettings> = {},
): Map<string, AslDefinition> {
  const outdir = mkdtempSync(join(tmpdir(), 'milepost-synth-'));
  try {
    // The CloudFormation schema checks of `cdk synth` concern resources, not definitions, and take seconds.
    const app = new App({
      outdir,
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [], ...context },
    });
    const { projects } = buildApp(app, loaded, {
      region: 'us-east-1',
      senderEmail: 'milepost@example.com',
      mspName: 'milepost',
      ...settings,
      // cdk-nag checks resources, not definitions: `cdk synth` runs it.
      nag: false,
    });
    const assembly = app.synth();
    const out = new Map<string, AslDefinition>();
    for (const [projectId, stack] of projects) {
      const template = assembly.getStackArtifact(stack.artifactId).template as object;
      out.set(
        projectId,
        definitionFromTemplate(
          template,
          stack.getLogicalId(stack.stateMachine.node.defaultChild as CfnElement),
        ),
      );
    }
    return out;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
