/**
 * The bootstrap stack of the deploy pipeline (`Milepost-Pipeline`, deployed once by hand with
 * `-c milepost:pipeline=<owner>/<repo>`): GitHub's OIDC identity provider and two roles that
 * GitHub Actions assumes with short-lived tokens, so no access key is ever stored in GitHub.
 *
 * - The deploy role trusts only pushes to the given branch of the given repository; it may only
 *   assume the CDK bootstrap roles (deploy, file publishing, lookup) of this account and region,
 *   which is how `cdk deploy` works: CloudFormation deploys with the bootstrap execution role.
 * - The check role trusts only pull requests of the repository; it may only assume the CDK lookup
 *   role (read-only: `cdk diff` reads the deployed templates through it).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

export const PIPELINE_STACK_NAME = 'Milepost-Pipeline';
const GITHUB_OIDC = 'token.actions.githubusercontent.com';

export interface PipelineStackProps extends StackProps {
  /** `owner/repo` on GitHub. */
  readonly repository: string;
  /** The branch whose pushes deploy. @default main */
  readonly branch?: string;
  /** ARN of an existing GitHub OIDC provider of the account (one per account). @default one is created */
  readonly oidcProviderArn?: string;
  /** Qualifier of the CDK bootstrap (`cdk bootstrap --qualifier`). @default hnb659fds */
  readonly bootstrapQualifier?: string;
}

// GitHub: an owner has at most 39 characters, a repository name at most 100. A branch of at most
// 255 keeps the roles' descriptions (IAM: 1,000 characters) and trust policies (IAM: 2,048) in
// their limits (test/infra/aws-limits.test.ts).
const REPOSITORY = /^[A-Za-z0-9_.-]{1,39}\/[A-Za-z0-9_.-]{1,100}$/;
const BRANCH = /^[A-Za-z0-9._/-]{1,255}$/;

export class PipelineStack extends Stack {
  public readonly deployRole: iam.Role;
  public readonly checkRole: iam.Role;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const branch = props.branch ?? 'main';
    // The trust conditions are built from these: reject anything a wildcard or a quote could widen.
    if (!REPOSITORY.test(props.repository)) {
      throw new Error(
        `milepost: milepost:pipeline "${props.repository}" is not <owner>/<repo> (GitHub: an owner of at most 39 characters, a name of at most 100)`,
      );
    }
    if (!BRANCH.test(branch) || branch.includes('*')) {
      throw new Error(
        `milepost: milepost:pipelineBranch "${branch}" is not a branch name (letters, digits, . _ / -, at most 255)`,
      );
    }
    const providerArn =
      props.oidcProviderArn ??
      new iam.CfnOIDCProvider(this, 'GitHubOidc', {
        url: `https://${GITHUB_OIDC}`,
        clientIdList: ['sts.amazonaws.com'],
      }).attrArn;
    const principal = (subject: string) =>
      new iam.WebIdentityPrincipal(providerArn, {
        StringEquals: { [`${GITHUB_OIDC}:aud`]: 'sts.amazonaws.com', [`${GITHUB_OIDC}:sub`]: subject },
      });
    const qualifier = props.bootstrapQualifier ?? 'hnb659fds';
    const bootstrapRole = (kind: string) =>
      `arn:${this.partition}:iam::${this.account}:role/cdk-${qualifier}-${kind}-role-${this.account}-${this.region}`;

    this.deployRole = new iam.Role(this, 'DeployRole', {
      description: `milepost: GitHub Actions deploys from ${props.repository}@${branch}`,
      assumedBy: principal(`repo:${props.repository}:ref:refs/heads/${branch}`),
    });
    this.deployRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: ['deploy', 'file-publishing', 'lookup'].map(bootstrapRole),
      }),
    );
    this.checkRole = new iam.Role(this, 'CheckRole', {
      description: `milepost: GitHub Actions checks pull requests of ${props.repository} (cdk diff)`,
      assumedBy: principal(`repo:${props.repository}:pull_request`),
    });
    this.checkRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [bootstrapRole('lookup')],
      }),
    );
    new CfnOutput(this, 'DeployRoleArn', {
      value: this.deployRole.roleArn,
      description: 'GitHub secret MILEPOST_DEPLOY_ROLE_ARN',
    });
    new CfnOutput(this, 'CheckRoleArn', {
      value: this.checkRole.roleArn,
      description: 'GitHub secret MILEPOST_CHECK_ROLE_ARN',
    });
  }
}
