/**
 * The `DocumentRenderer` of the lifecycle, schedule and HTTP functions in AWS: it invokes the
 * `documents` function (RequestResponse) with the document model and reads back the PDF as
 * base64. pdfkit and its fonts live only in that function's bundle, so no other bundle carries
 * them. The documents function needs no table or bucket: model in, bytes out.
 *
 * The call is Lambda's REST Invoke (`POST /2015-03-31/functions/<name>/invocations`), signed for
 * `lambda` by an `AwsServiceClient` (functions/adapters/aws-request.ts): no Lambda SDK client.
 */
import * as z from 'zod/mini';
import '../core/zod-english.js';
import type { DocumentModel } from '../core/documents/model.js';
import { MilepostError } from '../core/errors.js';
import type { DocumentRenderer } from '../core/ports.js';
import { type AwsServiceClient, awsEndpoint } from './aws-request.js';

/** What the documents function returns. */
export const renderResultSchema = z.object({ pdf: z.base64() });

/** The documents function failed or answered something that is not a PDF. */
export class DocumentRenderError extends MilepostError {
  override name = 'DocumentRenderError';
}

/** Renders through the documents Lambda function. */
export class LambdaDocumentRenderer implements DocumentRenderer {
  private readonly url: URL;

  /**
   * @param endpoint the Lambda API's origin (tests, the local runtime);
   * @default `https://lambda.<region>.amazonaws.com`
   */
  constructor(
    private readonly client: AwsServiceClient,
    functionName: string,
    region: string,
    endpoint?: string,
  ) {
    this.url = new URL(endpoint ?? awsEndpoint('lambda', region));
    const root = this.url.pathname.replace(/\/+$/, '');
    this.url.pathname = `${root}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;
  }

  async render(doc: DocumentModel): Promise<Uint8Array> {
    const res = await this.client.send({
      operation: 'Invoke',
      method: 'POST',
      url: this.url,
      headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
      body: new TextEncoder().encode(JSON.stringify({ document: doc })),
    });
    const text = new TextDecoder().decode(res.body);
    const functionError = res.headers['x-amz-function-error'];
    if (functionError) {
      // The payload names the error (type and message of the documents function); it holds no secret.
      let name = functionError;
      try {
        const parsed = JSON.parse(text) as { errorType?: unknown };
        if (typeof parsed.errorType === 'string') name = parsed.errorType;
      } catch {}
      throw new DocumentRenderError(`the documents function failed: ${name}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new DocumentRenderError('the documents function answered no JSON');
    }
    const result = renderResultSchema.safeParse(parsed);
    if (!result.success) throw new DocumentRenderError('the documents function answered no PDF');
    const bytes = new Uint8Array(Buffer.from(result.data.pdf, 'base64'));
    if (Buffer.from(bytes.subarray(0, 5)).toString('latin1') !== '%PDF-') {
      throw new DocumentRenderError('the documents function answered bytes that are not a PDF');
    }
    return bytes;
  }
}

/** The renderer of a process that has none configured: every render says so. */
export const unconfiguredRenderer: DocumentRenderer = {
  async render() {
    throw new DocumentRenderError('no document renderer is configured (DOCUMENTS_FUNCTION_NAME is not set)');
  },
};
