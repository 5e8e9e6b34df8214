/**
 * Runtime configuration of the handlers, read once from the environment and validated by zod.
 * In AWS the CDK stack sets these; the local runtime sets them to its own endpoints.
 */
import * as z from 'zod';

const envSchema = z.object({
  TABLE_NAME: z.string().min(1),
  DOCUMENTS_BUCKET: z.string().min(1).optional(),
  /** Local runtime only: keep documents in this folder instead of S3. */
  DOCUMENTS_DIR: z.string().min(1).optional(),
  /** The documents function that renders PDFs (set by the platform stack on the functions that produce documents). */
  DOCUMENTS_FUNCTION_NAME: z.string().min(1).optional(),
  STATE_MACHINE_ARN_PREFIX: z.string().min(1),
  PUBLIC_BASE_URL: z.url(),
  SENDER_EMAIL: z.email(),
  MSP_NAME: z.string().min(1).default('Your MSP'),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  LINK_TTL_DAYS: z.coerce.number().int().positive().default(21),
  /** The MSP's delivery manager: budget threshold alerts and the daily portfolio digest (optional). */
  DELIVERY_MANAGER_EMAIL: z.email().optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** The console's sign-in (Cognito user pool, app client, managed login URL); set by the platform stack. */
  COGNITO_USER_POOL_ID: z.string().min(1).optional(),
  COGNITO_CLIENT_ID: z.string().min(1).optional(),
  COGNITO_DOMAIN: z.url().optional(),
  /** The platform's IANA time zone (the digest's day and hour). */
  PLATFORM_TIMEZONE: z.string().min(1).default('UTC'),
  /** The platform's Teams or Slack channel for staff alerts (projects without their own). */
  WEBHOOK_KIND: z.enum(['teams', 'slack']).optional(),
  /** The Secrets Manager secret (name or ARN) holding its incoming-webhook URL (AWS): read at first use. */
  WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Or the URL itself (local use; in AWS prefer the secret). */
  WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Local runtime: chat posts go to this capture server instead of their channel. */
  WEBHOOK_ENDPOINT: z.url().optional(),
  /** Endpoint overrides (local runtime); absent in AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  SFN_ENDPOINT: z.url().optional(),
  SES_ENDPOINT: z.url().optional(),
  S3_ENDPOINT: z.url().optional(),
  LAMBDA_ENDPOINT: z.url().optional(),
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
