/**
 * A Lambda function with the house defaults: arm64, Node 24, ESM bundled by the local esbuild
 * (never Docker), source maps, an explicit log group with retention, X-Ray tracing, and its own
 * role that may write only to that log group (no managed policy). Resources are
 * attached with `useTable` / `useBucket`, which grant access and set the env var together.
 */
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** The repository root: handler entries and the lock file are found from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** DynamoDB item actions of the milepost functions (see `useTable`). */
export const TABLE_ACTIONS = [
  'GetItem',
  'BatchGetItem',
  'Query',
  'PutItem',
  'UpdateItem',
  'ConditionCheckItem',
] as const;

/**
 * How every function is bundled (the bench rebuilds the bundles with exactly these options).
 */
export const BUNDLING = {
  format: nodejs.OutputFormat.ESM,
  target: 'node24',
  platform: 'node',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // The pinned SDK versions go with the code, not the runtime's copy.
  bundleAwsSDK: true,
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner:
    "import { createRequire as __milepostCreateRequire } from 'node:module'; const require = __milepostCreateRequire(import.meta.url);",
  forceDockerBundling: false,
} as const satisfies nodejs.BundlingOptions;

export interface MilepostFunctionProps {
  /** Handler entry, relative to the repository root (it exports `handler`), e.g. `functions/handlers/http.ts`. */
  readonly entry: string;
  /** What the function does, for the console. */
  readonly description: string;
  /** Environment variables (functions/adapters/config.ts names). @default {} */
  readonly environment?: Record<string, string>;
  /** @default 30 seconds */
  readonly timeout?: Duration;
  /** @default 512 MB */
  readonly memorySize?: number;
  /** @default one month */
  readonly logRetention?: logs.RetentionDays;
  /** Command hooks of the bundling (files the code reads at run time). @default none */
  readonly commandHooks?: nodejs.ICommandHooks;
}

export class MilepostFunction extends Construct {
  /** The function. */
  public readonly function: nodejs.NodejsFunction;
  /** Its log group (explicit, with retention). */
  public readonly logGroup: logs.LogGroup;
  /** Its execution role. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MilepostFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `milepost: ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      role: this.role,
      entry: `${PROJECT_ROOT}${props.entry}`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...props.environment,
      },
      bundling: props.commandHooks ? { ...BUNDLING, commandHooks: props.commandHooks } : BUNDLING,
    });
  }

  /**
   * Grants the item actions the store adapter (functions/adapters/dynamo-store.ts) uses, on the
   * table and its indexes, and sets TABLE_NAME. TransactWriteItems is authorized per item as
   * PutItem / UpdateItem / ConditionCheckItem. Never Scan (the design lists projects through the
   * index), never DeleteItem (records are kept; expired links go by TTL), no stream reads.
   */
  useTable(table: dynamodb.ITable): this {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: TABLE_ACTIONS.map((a) => `dynamodb:${a}`),
        resources: [table.tableArn, `${table.tableArn}/index/*`],
      }),
    );
    this.function.addEnvironment('TABLE_NAME', table.tableName);
    return this;
  }

  /**
   * Grants reading and writing (never deleting) the bucket's objects and sets DOCUMENTS_BUCKET.
   * ListBucket lets a missing document read as "not found" rather than "access denied".
   */
  useBucket(bucket: s3.IBucket): this {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
        resources: [bucket.arnForObjects('*')],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
    this.function.addEnvironment('DOCUMENTS_BUCKET', bucket.bucketName);
    return this;
  }
}
