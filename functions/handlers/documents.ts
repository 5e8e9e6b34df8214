/**
 * Lambda entry of the `documents` function: renders one document model (charter, plan, status
 * report, close-out) to a PDF with pdfkit and returns it as base64. It reads and writes nothing
 * else (no table, no bucket): the caller (LambdaDocumentRenderer) stores the bytes. Kept apart so
 * pdfkit and its fonts sit in this bundle only (what of pdfkit is left out: infra/bundle.ts).
 */
import * as z from 'zod/mini';
import '../core/zod-english.js';
import { PdfKitRenderer } from '../adapters/pdf-renderer.js';
import { documentModelSchema } from '../core/documents/model.js';
import type { DocumentRenderer } from '../core/ports.js';

const eventSchema = z.object({ document: documentModelSchema });

/** The event this function takes. */
export type DocumentsEvent = z.input<typeof eventSchema>;

/** Renders the event's document with `renderer`; a malformed event throws (the invoker sees the error). */
export async function handleDocuments(renderer: DocumentRenderer, event: unknown): Promise<{ pdf: string }> {
  const { document } = eventSchema.parse(event);
  const bytes = await renderer.render(document);
  return { pdf: Buffer.from(bytes).toString('base64') };
}

const renderer = new PdfKitRenderer();
/** Lambda handler. */
export const handler = (event: unknown): Promise<{ pdf: string }> => handleDocuments(renderer, event);
