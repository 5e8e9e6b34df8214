/**
 * The deploy pipeline: the workflow file's shape (what actionlint cannot tell: triggers, OIDC,
 * which job deploys), the plan of which stacks a change deploys, and the bootstrap stack's roles
 * (trust limited to the repository and branch, no long-lived keys, only the CDK bootstrap roles).
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planDeploy, planSummary } from '../../infra/affected-stacks.js';
import { buildApp, readSettings } from '../../infra/build-app.js';
import { PIPELINE_STACK_NAME, PipelineStack } from '../../infra/pipeline-stack.js';
import { SETTINGS } from './support.js';

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; if?: string };
type Job = { if?: string; permissions: Record<string, string>; steps: Step[]; environment?: string };
const workflow = parse(readFileSync('.github/workflows/deploy.yml', 'utf8')) as {
  on: Record<string, { branches?: string[] } | null>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};
/** A GitHub expression reading a repository secret. */
const secretRef = (name: string) => `\${{ secrets.${name} }}`;
const runs = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');

describe('the deploy workflow', () => {
  it('runs on pull requests to main and on pushes to main', () => {
    expect(workflow.on.pull_request?.branches).toEqual(['main']);
    expect(workflow.on.push?.branches).toEqual(['main']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('validates, synthesizes and diffs a pull request, and never deploys it', () => {
    const check = workflow.jobs['check']!;
    expect(check.if).toBe("github.event_name == 'pull_request'");
    expect(check.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const script = runs(check);
    expect(script).toContain('npx milepost validate projects/*.yaml');
    expect(script).toContain('infra/affected-stacks.ts');
    expect(script).toContain('GITHUB_STEP_SUMMARY');
    expect(script).toContain('npx cdk synth');
    expect(script).toContain('npx cdk diff');
    expect(script).not.toContain('cdk deploy');
    const credentials = check.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'));
    expect(credentials?.with?.['role-to-assume']).toBe(secretRef('MILEPOST_CHECK_ROLE_ARN'));
  });

  it('deploys on merge with OIDC (no access keys), only the planned stacks', () => {
    const deploy = workflow.jobs['deploy']!;
    expect(deploy.if).toBe("github.event_name != 'pull_request'");
    expect(deploy.permissions['id-token']).toBe('write');
    expect(deploy.environment).toBe('production');
    const script = runs(deploy);
    expect(script).toContain('npx milepost validate projects/*.yaml');
    expect(script).toMatch(/npx cdk deploy .*\$STACKS/);
    const credentials = deploy.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'));
    expect(credentials?.with?.['role-to-assume']).toBe(secretRef('MILEPOST_DEPLOY_ROLE_ARN'));
    const text = readFileSync('.github/workflows/deploy.yml', 'utf8');
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
  });
});

describe('what a change deploys', () => {
  it('deploys 1 changed project out of 100 as its stack plus the platform, exclusively', () => {
    const plan = planDeploy([{ path: 'projects/acme.yaml', status: 'modified', projectId: 'acme-m365' }]);
    expect(plan.args).toEqual(['Milepost-Platform', 'Milepost-Project-acme-m365', '--exclusively']);
    expect(planSummary(plan)).toContain('| acme-m365 | `Milepost-Project-acme-m365` |');
  });

  it('deploys every stack when code or infrastructure changed', () => {
    for (const path of [
      'functions/core/health.ts',
      'infra/project-stack.ts',
      'statemachines/lifecycle.ts',
      'package-lock.json',
      'cdk.json',
    ]) {
      expect(planDeploy([{ path, status: 'modified' }]).args, path).toEqual(['--all']);
    }
  });

  it('deploys nothing for documentation and tests, and names removed specs without deleting them', () => {
    expect(
      planDeploy([
        { path: 'README.md', status: 'modified' },
        { path: 'test/unit/x.test.ts', status: 'added' },
      ]).args,
    ).toEqual([]);
    const removed = planDeploy([{ path: 'projects/old.yaml', status: 'deleted', projectId: 'old' }]);
    expect(removed.args).toEqual([]);
    expect(planSummary(removed)).toContain('`Milepost-Project-old`');
    const renamed = planDeploy([
      { path: 'projects/old-name.yaml', status: 'deleted', projectId: 'same' },
      { path: 'projects/new-name.yaml', status: 'added', projectId: 'same' },
    ]);
    expect(renamed.projects).toEqual({ changed: ['same'], removed: [] });
  });
});

describe('the pipeline bootstrap stack', () => {
  const build = (context: Record<string, string> = {}) => {
    const app = new App({
      context: {
        'aws:cdk:bundling-stacks': [],
        'milepost:senderEmail': 'a@b.example',
        'milepost:pipeline': 'northwind/milepost-projects',
        ...context,
      },
    });
    const settings = readSettings(app, {
      CDK_DEFAULT_ACCOUNT: '123456789012',
      CDK_DEFAULT_REGION: 'eu-west-2',
    });
    buildApp(app, [], { ...settings, nag: false });
    const stack = app.node.findChild(PIPELINE_STACK_NAME) as PipelineStack;
    return { app, stack, t: Template.fromStack(stack) };
  };

  it('exists only when milepost:pipeline names a repository', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    buildApp(app, [], SETTINGS);
    expect(app.node.tryFindChild(PIPELINE_STACK_NAME)).toBeUndefined();
    expect(build().stack).toBeInstanceOf(PipelineStack);
  });

  it('trusts GitHub OIDC for the repository: deploys from its branch, checks from its pull requests', () => {
    const { t, stack } = build({ 'milepost:pipelineBranch': 'release' });
    t.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    t.resourceCountIs('AWS::IAM::User', 0);
    t.resourceCountIs('AWS::IAM::AccessKey', 0);
    const trust = (role: typeof stack.deployRole) =>
      t.toJSON().Resources[stack.getLogicalId(role.node.defaultChild as never)].Properties
        .AssumeRolePolicyDocument.Statement[0];
    expect(trust(stack.deployRole).Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': 'repo:northwind/milepost-projects:ref:refs/heads/release',
      },
    });
    expect(trust(stack.checkRole).Condition.StringEquals['token.actions.githubusercontent.com:sub']).toBe(
      'repo:northwind/milepost-projects:pull_request',
    );
  });

  it('lets the roles assume only the CDK bootstrap roles (check: the read-only lookup role)', () => {
    const { t } = build();
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string[]; Resource: unknown }[],
    );
    const resources = (s: { Resource: unknown }) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
    expect(statements).toHaveLength(2);
    for (const s of statements) {
      expect(s.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
      for (const r of resources(s))
        expect(JSON.stringify(r)).toMatch(/:role\/cdk-hnb659fds-(deploy|file-publishing|lookup)-role-/);
    }
    const lookupOnly = statements.find((s) => resources(s).length === 1);
    expect(JSON.stringify(lookupOnly?.Resource)).toContain('lookup-role');
  });

  it('imports an existing OIDC provider and refuses a repository or branch that would widen the trust', () => {
    const { t } = build({
      'milepost:githubOidcProviderArn':
        'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    });
    t.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(() => build({ 'milepost:pipeline': 'northwind/*' })).toThrow(/owner>\/<repo/);
    expect(() => build({ 'milepost:pipelineBranch': 'release/*' })).toThrow(/branch/);
  });

  it('passes cdk-nag AwsSolutions', () => {
    const { app } = build();
    app.synth();
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources[0]?.constructPath}`)).toEqual(
      [],
    );
  });
});
