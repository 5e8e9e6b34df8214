/**
 * View the document an approval link asks about (GET /approve/{linkId}?document=plan): for the
 * risk stage, the exact plan document version the gate records. Side-effect free like the page.
 *
 * Input: the link id. Output: the document's HTML, or `neutral` for any link that does not work
 * (same rules as the confirmation page) or a gate without a recorded document version.
 */
import type { Deps } from '../ports.js';
import { planKey } from './generate-plan.js';
import { loadApproval } from './view-approval.js';

export type ViewApprovalDocumentResult =
  | { kind: 'neutral' }
  | { kind: 'document'; html: string; version: number };

export async function viewApprovalDocument(deps: Deps, linkId: string): Promise<ViewApprovalDocumentResult> {
  const loaded = await loadApproval(deps, linkId);
  if (loaded.kind === 'neutral') return loaded;
  const { gate } = loaded.context;
  if (gate.documentVersion === undefined) return { kind: 'neutral' };
  const body = await deps.documents.get(planKey(gate.projectId, gate.documentVersion));
  if (body === undefined) return { kind: 'neutral' };
  return { kind: 'document', html: body, version: gate.documentVersion };
}
