/**
 * Runtime configuration of the handlers, read once from the environment and validated by zod.
 * In AWS the CDK stack sets these; the local runtime sets them to its own endpoints.
 */
import * as z from 'zod/mini';
import '../core/zod-english.js';

/** A variable that is set and not empty. */
const filled = () => z.string().check(z.minLength(1));

const envSchema = z.object({
  TABLE_NAME: filled(),
  DOCUMENTS_BUCKET: z.optional(filled()),
  /** Local runtime only: keep documents in this folder instead of S3. */
  DOCUMENTS_DIR: z.optional(filled()),
  /** The documents function that renders PDFs (set by the platform stack on the functions that produce documents). */
  DOCUMENTS_FUNCTION_NAME: z.optional(filled()),
  STATE_MACHINE_ARN_PREFIX: filled(),
  PUBLIC_BASE_URL: z.url(),
  SENDER_EMAIL: z.email(),
  MSP_NAME: z._default(filled(), 'Your MSP'),
  SES_CONFIGURATION_SET: z.optional(filled()),
  LINK_TTL_DAYS: z._default(z.coerce.number().check(z.int(), z.positive()), 21),
  /** The MSP's delivery manager: budget threshold alerts and the daily portfolio digest (optional). */
  DELIVERY_MANAGER_EMAIL: z.optional(z.email()),
  AWS_REGION: z._default(filled(), 'us-east-1'),
  /** The console's sign-in (Cognito user pool, app client, managed login URL); set by the platform stack. */
  COGNITO_USER_POOL_ID: z.optional(filled()),
  COGNITO_CLIENT_ID: z.optional(filled()),
  COGNITO_DOMAIN: z.optional(z.url()),
  /** The platform's IANA time zone (the digest's day and hour). */
  PLATFORM_TIMEZONE: z._default(filled(), 'UTC'),
  /** The platform's Teams or Slack channel for staff alerts (projects without their own). */
  WEBHOOK_KIND: z.optional(z.enum(['teams', 'slack'])),
  /** The Secrets Manager secret (name or ARN) holding its incoming-webhook URL (AWS): read at first use. */
  WEBHOOK_SECRET: z.optional(filled()),
  /** Or the URL itself (local use; in AWS prefer the secret). */
  WEBHOOK_URL: z.optional(z.url({ protocol: /^https?$/ })),
  /** Local runtime: chat posts go to this capture server instead of their channel. */
  WEBHOOK_ENDPOINT: z.optional(z.url()),
  /** Endpoint overrides (local runtime); absent in AWS. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  SFN_ENDPOINT: z.optional(z.url()),
  SES_ENDPOINT: z.optional(z.url()),
  S3_ENDPOINT: z.optional(z.url()),
  LAMBDA_ENDPOINT: z.optional(z.url()),
});

export type Env = z.infer<typeof envSchema>;

export function readEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`milepost: invalid environment: ${fields}`);
  }
  return parsed.data;
}
