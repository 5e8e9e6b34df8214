/**
 * Download the document an approval link asks about (GET /approve/{linkId}?document=<id>): the
 * exact version the gate records (the initiation gate's charter, the risk gate's plan, the
 * support gate's close-out report), as PDF bytes. Side-effect free like the page; the link id is
 * the credential.
 *
 * Input: the link id and the document id asked for. Output: the bytes with their version, or
 * `neutral` for any link that does not work for a decision (unknown, expired, superseded, foreign,
 * already used), for a gate whose stage approves no document or records no version, and for any
 * document other than the one that gate approves (another gate's or another project's).
 */
import { versionsOf } from '../documents/model.js';
import type { Deps } from '../ports.js';
import { stageType } from '../stages/index.js';
import { loadApproval } from './view-approval.js';

export type ViewApprovalDocumentResult =
  | { kind: 'neutral' }
  | {
      kind: 'document';
      body: Uint8Array;
      contentType: string;
      /** A file name for the download: `<project>-<document>-v<N>.pdf`. */
      fileName: string;
      version: number;
      sha256: string;
    };

export async function viewApprovalDocument(
  deps: Deps,
  linkId: string,
  documentId: string,
): Promise<ViewApprovalDocumentResult> {
  const neutral = { kind: 'neutral' } as const;
  const loaded = await loadApproval(deps, linkId);
  // Only a link that can still decide opens its document: a used link is as spent as its page.
  if (loaded.kind !== 'open') return neutral;
  const { gate, project } = loaded.context;
  const approved = stageType(gate.stage).approvalDocument;
  if (!approved || approved.id !== documentId || gate.documentVersion === undefined) return neutral;
  const record = await deps.store.get(project.id, 'document', approved.id);
  const version = record ? versionsOf(record).find((v) => v.docVersion === gate.documentVersion) : undefined;
  if (!version) return neutral;
  const body = await deps.documents.get(version.key, version.storageVersion);
  if (body === undefined) return neutral;
  return {
    kind: 'document',
    body,
    contentType: version.contentType,
    fileName: `${project.id}-${approved.id}-v${version.docVersion}.pdf`,
    version: version.docVersion,
    sha256: version.sha256,
  };
}
