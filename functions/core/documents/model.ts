/**
 * The channel-neutral model of a project document (charter, plan, status report, close-out): a
 * title, meta lines and sections of paragraphs, lists, key-value rows and tables, all plain text.
 * The core builds it (charter.ts, plan.ts, status.ts, closeout.ts); a `DocumentRenderer` adapter
 * lays it out (PDF with pdfkit). The zod schema checks a model that crosses a process boundary
 * (the documents Lambda function's event).
 *
 * `contentSha256` hashes the model without its version and date, so a document is published
 * again only when what it says changed (and the risk gate can tell a stale plan).
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import '../zod-english.js';
import type { DocumentRecord, DocumentVersion } from '../model.js';

// zod/mini: the only process that parses these schemas is the documents function, whose bundle
// holds no other zod schema; mini's functions tree-shake where classic's methods carry every
// schema type (94 KB of that bundle, 29 KB with mini). The checks are the same.

/** Longest text of one model string: records are far shorter; this only bounds a hostile event. */
const text = z.string().check(z.maxLength(20_000));

export const documentBlockSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('paragraph'), text }),
  z.object({
    type: z.literal('list'),
    items: z.array(text).check(z.maxLength(5_000)),
    empty: z.optional(text),
  }),
  z.object({ type: z.literal('keyValue'), rows: z.array(z.tuple([text, text])).check(z.maxLength(5_000)) }),
  z.object({
    type: z.literal('table'),
    columns: z.array(text).check(z.minLength(1), z.maxLength(12)),
    rows: z.array(z.array(text).check(z.maxLength(12))).check(z.maxLength(10_000)),
    empty: z.optional(text),
  }),
  z.object({ type: z.literal('subheading'), text }),
]);

/** One piece of a section, in reading order. */
export type DocumentBlock = z.infer<typeof documentBlockSchema>;

export const documentSectionSchema = z.object({
  heading: text,
  blocks: z.array(documentBlockSchema).check(z.maxLength(2_000)),
});

/** A numbered part of a document with a heading. */
export type DocumentSection = z.infer<typeof documentSectionSchema>;

export const documentModelSchema = z.object({
  /** The document's title, e.g. `Project charter`. */
  title: text,
  /** The project's name: on the title and in the header of every page. */
  projectName: text,
  /** The MSP that issues it (the PDF's author). */
  author: text,
  /** The document's version (1, 2, ...): in the footer of every page. */
  docVersion: z.int().check(z.gte(1)),
  /** When this version was produced (ISO time): the PDF's creation date. */
  createdAt: z.iso.datetime({ offset: true }),
  /** Lines under the title: customer, period, status... */
  meta: z.array(text).check(z.maxLength(50)),
  sections: z.array(documentSectionSchema).check(z.maxLength(500)),
});

/** A document as plain data: what it says, not how it looks. */
export type DocumentModel = z.infer<typeof documentModelSchema>;

/** A model before it is given a version and a date (what the builders return). */
export type DocumentDraft = Omit<DocumentModel, 'docVersion' | 'createdAt'>;

/** Keys in a fixed order, so equal content always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (hex) of what a draft says: equal for two drafts that read the same. */
export function contentSha256(draft: DocumentDraft): string {
  const { title, projectName, author, meta, sections } = draft;
  return createHash('sha256')
    .update(canonical({ title, projectName, author, meta, sections }), 'utf8')
    .digest('hex');
}

/** SHA-256 (hex) of a document's bytes: the hash shown to approvers and staff. */
export function bytesSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The versions of a record, oldest first; a record of an earlier release lists only its latest. */
export function versionsOf(record: DocumentRecord): DocumentVersion[] {
  return (
    record.versions ?? [
      {
        docVersion: record.docVersion,
        key: record.key,
        ...(record.storageVersion === undefined ? {} : { storageVersion: record.storageVersion }),
        sha256: record.sha256,
        size: record.size ?? 0,
        contentType: record.contentType ?? 'text/html; charset=utf-8',
        createdAt: record.createdAt,
      },
    ]
  );
}
