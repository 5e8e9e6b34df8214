/**
 * The status report document: the report's content as it is emailed (RAG with reasons, stage
 * progress, work, risks, pending approvals, the customer wait and milestones), laid out as
 * document sections. It is the copy everyone gets (no approver's personal lines).
 */
import type { Block, NotificationContent } from '../notifications/notification.js';
import type { DocumentBlock, DocumentDraft, DocumentSection } from './model.js';

/** One notification block as document blocks (an action or a status badge becomes text). */
function toDocumentBlocks(block: Block): DocumentBlock[] {
  switch (block.type) {
    case 'paragraph':
      return block.text ? [{ type: 'paragraph', text: block.text }] : [];
    case 'facts':
      return [
        {
          type: 'keyValue',
          rows: block.rows.flatMap(([label, value]) =>
            value === undefined ? [] : [[label, value] as [string, string]],
          ),
        },
      ];
    case 'list':
      return [
        ...(block.lead ? [{ type: 'paragraph' as const, text: block.lead }] : []),
        { type: 'list', items: block.items, ...(block.empty ? { empty: block.empty } : {}) },
      ];
    case 'quote':
      return [{ type: 'paragraph', text: `${block.label}: "${block.text}"` }];
    case 'status':
      return [{ type: 'paragraph', text: block.label }];
    case 'table':
      return [
        {
          type: 'table',
          columns: block.columns,
          rows: block.rows,
          ...(block.empty ? { empty: block.empty } : {}),
        },
      ];
    case 'heading':
    case 'action':
      // Headings start sections (below); a document carries no links to act on.
      return [];
  }
}

/** A notification's blocks as sections: each heading starts one, what comes before it is the summary. */
export function sectionsOf(blocks: Block[], firstHeading = 'Summary'): DocumentSection[] {
  const sections: DocumentSection[] = [];
  let current: DocumentSection = { heading: firstHeading, blocks: [] };
  for (const block of blocks) {
    if (block.type === 'heading') {
      if (current.blocks.length) sections.push(current);
      current = { heading: block.text, blocks: [] };
      continue;
    }
    current.blocks.push(...toDocumentBlocks(block));
  }
  if (current.blocks.length) sections.push(current);
  return sections;
}

/** The status report document of one report date. */
export function statusDocument(
  content: NotificationContent,
  input: { projectName: string; customerName: string; mspName: string; date: string },
): DocumentDraft {
  return {
    title: content.title,
    projectName: input.projectName,
    author: input.mspName,
    meta: [`Customer: ${input.customerName}`, `Prepared by ${input.mspName}`, `Report date: ${input.date}`],
    sections: sectionsOf(content.blocks),
  };
}
