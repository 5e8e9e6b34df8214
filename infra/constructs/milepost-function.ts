/**
 * A Lambda function with the house defaults: arm64, Node 24, ESM bundled by the local esbuild
 * (never Docker) as infra/bundle.ts says, an explicit log group with retention, X-Ray tracing, and
 * its own role that may write only to that log group (no managed policy). The code zip holds
 * `index.mjs` only: its source map is written to `<cloud assembly>/source-maps/` for reading
 * stack traces (infra/stack-trace.ts), and the runtime applies no maps (no
 * `--enable-source-maps`). Resources are attached with `useTable` / `useBucket`, which grant
 * access and set the env var together.
 */
import { spawnSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { AssetHashType, DockerImage, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from '../bundle.js';

/** DynamoDB item actions of the milepost functions (see `useTable`). */
export const TABLE_ACTIONS = [
  'GetItem',
  'BatchGetItem',
  'Query',
  'PutItem',
  'UpdateItem',
  'ConditionCheckItem',
] as const;

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
  /** Its handler entry, relative to the repository root. */
  public readonly entry: string;

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
    this.entry = props.entry;
    const mapName = this.node.path.replace(/[^A-Za-z0-9-]+/g, '-');
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      role: this.role,
      code: lambda.Code.fromAsset(PROJECT_ROOT, {
        // The hash of the bundle itself: a change that leaves the code alike deploys nothing.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never used: local bundling always answers (or throws); there is no Docker fallback.
          image: DockerImage.fromRegistry('scratch'),
          // Part of CDK's cache key of the staged asset: without it, every function would get the
          // first one's bundle (the local bundler is a function, which the key does not see).
          command: ['bundle', props.entry, ...(props.commandHooks ? ['with-files'] : [])],
          local: {
            tryBundle: (outputDir) => {
              bundleLocally(props.entry, outputDir, mapName);
              // Files the code reads at run time (the documents function's fonts) go next to it.
              for (const command of props.commandHooks?.afterBundling(PROJECT_ROOT, outputDir) ?? []) {
                const run = spawnSync('sh', ['-c', command], { cwd: PROJECT_ROOT, encoding: 'utf8' });
                if (run.status !== 0) throw new Error(`after bundling ${props.entry}: ${run.stderr.trim()}`);
              }
              return true;
            },
          },
        },
      }),
      handler: 'index.handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...props.environment,
      },
    });
  }

  /**
   * Grants the item actions the store adapter (functions/adapters/dynamo-store.ts) uses, on the
   * table and its indexes, and sets TABLE_NAME. TransactWriteItems is authorized per item as
   * PutItem / UpdateItem / ConditionCheckItem. Never Scan (the design lists projects through the
   * index), no DeleteItem here (records are kept; expired links go by TTL; the one function that
   * removes a project record by a staff action gets it from `useRecordRemoval`), no stream reads.
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
   * Grants DeleteItem on the project partitions of the table only (`PROJECT#...`: never an approval
   * link, a digest claim or the project index), for the staff removal of a project record
   * (functions/core/use-cases/staff-remove-record.ts: a Delete conditioned on the version read,
   * inside a TransactWriteItems, which is authorized per item). Only the function that serves the
   * staff API and the console gets it.
   */
  useRecordRemoval(table: dynamodb.ITable): this {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DeleteItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PROJECT#*'] } },
      }),
    );
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

  /**
   * Grants reading the bucket's objects and their versions (never writing or deleting) and sets
   * DOCUMENTS_BUCKET: for a function that only serves documents others stored. ListBucket as in
   * `useBucket`.
   */
  readBucket(bucket: s3.IBucket): this {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [bucket.arnForObjects('*')],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
    this.function.addEnvironment('DOCUMENTS_BUCKET', bucket.bucketName);
    return this;
  }

  /**
   * Grants putting objects into the bucket (never reading, listing or deleting them) and sets
   * DOCUMENTS_BUCKET: for a function that publishes documents others serve.
   */
  writeBucket(bucket: s3.IBucket): this {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('*')] }),
    );
    this.function.addEnvironment('DOCUMENTS_BUCKET', bucket.bucketName);
    return this;
  }
}

/**
 * Bundles `entry` into `outputDir` with infra/bundle.ts in a child process (CDK's local bundling
 * is synchronous; esbuild's plugins need its asynchronous API). The source map goes to
 * `source-maps/` next to the asset folders of the cloud assembly. Throws when bundling fails.
 */
function bundleLocally(entry: string, outputDir: string, mapName: string): true {
  const mapsDir = join(dirname(outputDir), 'source-maps');
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(PROJECT_ROOT, 'infra/bundle.ts'), entry, outputDir, mapsDir, mapName],
    { cwd: PROJECT_ROOT, encoding: 'utf8' },
  );
  if (result.status !== 0)
    throw new Error(
      `bundling ${entry} into ${basename(outputDir)} failed: ${(result.stderr || String(result.error)).trim()}`,
    );
  return true;
}
