/** Builds the CDK app for the example specs, bundling skipped, as the infra tests see it. */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { LoadedSpec } from '../../functions/core/spec/load.js';
import { type AppSettings, type BuiltApp, buildApp, loadProjectSpecs } from '../../infra/build-app.js';

export const SETTINGS: AppSettings = {
  account: '123456789012',
  region: 'eu-west-2',
  senderEmail: 'projects@msp.example.com',
  mspName: 'Example MSP',
  nag: false,
};

export interface Built extends BuiltApp {
  app: App;
  specs: LoadedSpec[];
  platformTemplate: Template;
  projectTemplates: Map<string, Template>;
}

/** The app for `projects/*.yaml`, with a Template per stack. */
export async function buildExampleApp(settings: Partial<AppSettings> = {}): Promise<Built> {
  const specs = await loadProjectSpecs('projects');
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const built = buildApp(app, specs, { ...SETTINGS, ...settings });
  return {
    ...built,
    app,
    specs,
    platformTemplate: Template.fromStack(built.platform),
    projectTemplates: new Map([...built.projects].map(([id, stack]) => [id, Template.fromStack(stack)])),
  };
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** Every Allow statement of every IAM policy (inline or attached) in a template. */
export function allowStatements(template: Template): Statement[] {
  const out: Statement[] = [];
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::Role']) {
    for (const resource of Object.values(template.findResources(type))) {
      const props = resource.Properties as {
        PolicyDocument?: { Statement: Statement[] };
        Policies?: { PolicyDocument: { Statement: Statement[] } }[];
      };
      const docs = [props.PolicyDocument, ...(props.Policies ?? []).map((p) => p.PolicyDocument)];
      for (const doc of docs) out.push(...(doc?.Statement ?? []).filter((s) => s.Effect === 'Allow'));
    }
  }
  return out;
}

export const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const resourcesOf = (s: Statement): unknown[] =>
  Array.isArray(s.Resource) ? s.Resource : [s.Resource];
