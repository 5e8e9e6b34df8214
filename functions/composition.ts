/**
 * The one place that wires adapters into the core's ports, from configuration read from the
 * environment. Lambda handlers call `awsDeps()` once at cold start; the local runtime passes its
 * own endpoints through the same variables, so handlers do not know where they run.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Env, readEnv } from './adapters/config.js';
import { FsDocumentStore, S3DocumentStore } from './adapters/documents.js';
import { DynamoProjectStore } from './adapters/dynamo-store.js';
import { EmailNotifier } from './adapters/email-notifier.js';
import { jsonLogger } from './adapters/json-logger.js';
import { LambdaDocumentRenderer, unconfiguredRenderer } from './adapters/lambda-renderer.js';
import { SesMailer } from './adapters/ses-mailer.js';
import { SfnWorkflow } from './adapters/sfn-workflow.js';
import { systemClock } from './adapters/system-clock.js';
import type { Deps } from './core/ports.js';

/** Builds every dependency from `env`. `overrides` replace single ports (local runtime, tests). */
export function makeDeps(env: Env, overrides: Partial<Deps> = {}): Deps {
  const region = env.AWS_REGION;
  const local = Boolean(env.DYNAMODB_ENDPOINT);
  // Local endpoints accept any credentials; in AWS the SDK's default chain is used.
  const credentials = local ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined;
  const common = { region, ...(credentials ? { credentials } : {}), maxAttempts: 5 };
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...common, ...(env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {}) }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const sfn = new SFNClient({ ...common, ...(env.SFN_ENDPOINT ? { endpoint: env.SFN_ENDPOINT } : {}) });
  const ses = new SESv2Client({ ...common, ...(env.SES_ENDPOINT ? { endpoint: env.SES_ENDPOINT } : {}) });
  const documents = env.DOCUMENTS_DIR
    ? new FsDocumentStore(env.DOCUMENTS_DIR)
    : new S3DocumentStore(
        new S3Client({
          ...common,
          ...(env.S3_ENDPOINT ? { endpoint: env.S3_ENDPOINT, forcePathStyle: true } : {}),
        }),
        env.DOCUMENTS_BUCKET ?? '',
      );
  // pdfkit stays out of this bundle: documents are rendered by the documents function (the local
  // runtime and tests pass the in-process renderer as an override).
  const renderer = env.DOCUMENTS_FUNCTION_NAME
    ? new LambdaDocumentRenderer(
        new LambdaClient({ ...common, ...(env.LAMBDA_ENDPOINT ? { endpoint: env.LAMBDA_ENDPOINT } : {}) }),
        env.DOCUMENTS_FUNCTION_NAME,
      )
    : unconfiguredRenderer;
  return {
    store: new DynamoProjectStore(dynamo, env.TABLE_NAME),
    workflow: new SfnWorkflow(sfn, env.STATE_MACHINE_ARN_PREFIX),
    // Email is the one notification channel; another channel is one more Notifier adapter here.
    notifier: new EmailNotifier(new SesMailer(ses, env.SENDER_EMAIL, env.SES_CONFIGURATION_SET)),
    documents,
    renderer,
    clock: systemClock,
    log: jsonLogger({ service: 'milepost' }),
    config: {
      publicBaseUrl: env.PUBLIC_BASE_URL.replace(/\/$/, ''),
      senderEmail: env.SENDER_EMAIL,
      mspName: env.MSP_NAME,
      linkTtlDays: env.LINK_TTL_DAYS,
    },
    ...overrides,
  };
}

let cached: Deps | undefined;
/** Dependencies for Lambda handlers: built once per cold start. */
export function awsDeps(): Deps {
  cached ??= makeDeps(readEnv());
  return cached;
}
