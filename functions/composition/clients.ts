/**
 * What every AWS SDK client of the functions shares: the region, the retries and, against the
 * local runtime's endpoints (which accept any credentials), fixed local credentials. In AWS the
 * SDK's default chain is used (in a Lambda bundle: the runtime's environment, see
 * functions/adapters/lambda-credentials.ts).
 */
import type { Env } from '../adapters/config.js';

/** Options common to every client. */
export function clientOptions(env: Env) {
  const local = Boolean(env.DYNAMODB_ENDPOINT);
  return {
    region: env.AWS_REGION,
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 5,
  };
}

/** `{ endpoint }` when the local runtime overrides one, else nothing. */
export function endpointOf(url: string | undefined): { endpoint?: string } {
  return url ? { endpoint: url } : {};
}
