/**
 * The document renderer port: in AWS the documents function renders PDFs (pdfkit stays out of
 * every other bundle); the local runtime and the tests pass the in-process renderer as an override.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Env } from '../adapters/config.js';
import { LambdaDocumentRenderer, unconfiguredRenderer } from '../adapters/lambda-renderer.js';
import type { DocumentRenderer } from '../core/ports.js';
import { clientOptions, endpointOf } from './clients.js';

/** The documents function named by DOCUMENTS_FUNCTION_NAME, or a renderer that says it is not configured. */
export function lambdaRenderer(env: Env): DocumentRenderer {
  if (!env.DOCUMENTS_FUNCTION_NAME) return unconfiguredRenderer;
  const lambda = new LambdaClient({ ...clientOptions(env), ...endpointOf(env.LAMBDA_ENDPOINT) });
  return new LambdaDocumentRenderer(lambda, env.DOCUMENTS_FUNCTION_NAME);
}
