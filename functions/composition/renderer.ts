/**
 * The document renderer port: in AWS the documents function renders PDFs (pdfkit stays out of
 * every other bundle); the local runtime and the tests pass the in-process renderer as an override.
 */
import { AwsServiceClient } from '../adapters/aws-request.js';
import type { Env } from '../adapters/config.js';
import { LambdaDocumentRenderer, unconfiguredRenderer } from '../adapters/lambda-renderer.js';
import type { DocumentRenderer } from '../core/ports.js';
import { clientOptions } from './clients.js';

/** The documents function named by DOCUMENTS_FUNCTION_NAME, or a renderer that says it is not configured. */
export function lambdaRenderer(env: Env): DocumentRenderer {
  if (!env.DOCUMENTS_FUNCTION_NAME) return unconfiguredRenderer;
  const { region, credentials, maxAttempts } = clientOptions(env);
  const lambda = new AwsServiceClient({
    service: 'lambda',
    region,
    ...(credentials ? { credentials } : {}),
    attempts: maxAttempts,
    // Longer than the documents function's own limit (30 s): its timeout comes back as a function error.
    timeoutMs: 35_000,
  });
  return new LambdaDocumentRenderer(lambda, env.DOCUMENTS_FUNCTION_NAME, region, env.LAMBDA_ENDPOINT);
}
