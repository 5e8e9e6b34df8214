/**
 * The `DocumentRenderer` of the lifecycle, schedule and HTTP functions in AWS: it invokes the
 * `documents` function (RequestResponse) with the document model and reads back the PDF as
 * base64. pdfkit and its fonts live only in that function's bundle, so no other bundle carries
 * them. The documents function needs no table or bucket: model in, bytes out.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import * as z from 'zod';
import type { DocumentModel } from '../core/documents/model.js';
import { MilepostError } from '../core/errors.js';
import type { DocumentRenderer } from '../core/ports.js';

/** What the documents function returns. */
export const renderResultSchema = z.object({ pdf: z.base64() });

/** The documents function failed or answered something that is not a PDF. */
export class DocumentRenderError extends MilepostError {}

/** Renders through the documents Lambda function. */
export class LambdaDocumentRenderer implements DocumentRenderer {
  constructor(
    private readonly lambda: LambdaClient,
    private readonly functionName: string,
  ) {}

  async render(doc: DocumentModel): Promise<Uint8Array> {
    const res = await this.lambda.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify({ document: doc })),
      }),
    );
    const text = res.Payload ? new TextDecoder().decode(res.Payload) : '';
    if (res.FunctionError) {
      // The payload names the error (type and message of the documents function); it holds no secret.
      let name = res.FunctionError;
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
