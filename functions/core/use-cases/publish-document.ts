/**
 * Publish a new version of a project document when what it says changed.
 *
 * Input: the project, the document's id, kind and title, its draft (the model without version and
 * date), the actor, the event to log and any other records to commit with it (e.g. the project's
 * `planVersion`). Output: the DocumentRecord as stored (the current one when nothing changed).
 * Steps: when the current record's content hash equals the draft's, stop (no new version).
 * Otherwise render the model (version N = current + 1, dated now) through the DocumentRenderer,
 * put the bytes under `projects/<id>/<documentId>/v<N>.pdf`, then commit in one transaction the
 * record (latest version's SHA-256, size and storage version, and every version in `versions`),
 * the other records and the event. Callers run it inside `withConflictRetry`: a put without its
 * commit is never referenced, and the retry writes the same key again as a new storage version.
 * Two publishes racing both write `v<N>.pdf`; the one whose commit wins names its own storage
 * version, so the bytes served for the record are the bytes its SHA-256 describes.
 */
import { bytesSha256, contentSha256, type DocumentDraft, versionsOf } from '../documents/model.js';
import type { DocumentKind, DocumentRecord, DocumentVersion, Entity } from '../model.js';
import type { Deps } from '../ports.js';

/** Media type of every document this release produces. */
export const PDF = 'application/pdf';

/** Where one version of a document is kept in the document store. */
export function documentKey(projectId: string, documentId: string, docVersion: number): string {
  return `projects/${projectId}/${documentId}/v${docVersion}.pdf`;
}

/**
 * Renders `draft` as version `docVersion` dated `at`, puts the bytes under `key`, and describes
 * what was stored. The description names the storage version of THIS write: a concurrent publish
 * of the same key (or this put's own retry) may leave other bytes as the key's latest, never
 * under this version.
 */
export async function storeVersion(
  deps: Pick<Deps, 'renderer' | 'documents'>,
  key: string,
  draft: DocumentDraft,
  docVersion: number,
  at: string,
): Promise<DocumentVersion> {
  const bytes = await deps.renderer.render({ ...draft, docVersion, createdAt: at });
  const { versionId } = await deps.documents.put(key, bytes, PDF);
  return {
    docVersion,
    key,
    ...(versionId === undefined ? {} : { storageVersion: versionId }),
    sha256: bytesSha256(bytes),
    size: bytes.byteLength,
    contentType: PDF,
    createdAt: at,
  };
}

export interface PublishDocumentInput {
  projectId: string;
  id: string;
  kind: DocumentKind;
  /** The record's title; ` v<N>` is appended. */
  title: string;
  draft: DocumentDraft;
  actor: string;
  /** The event logged with the new version (`plan_generated`, `charter_generated`...). */
  eventType: string;
  /** Other records committed in the same transaction, given the new version number. */
  with?: (docVersion: number, at: string) => Entity[];
  /** Publish even when the content is unchanged (a document that must carry a new date). */
  force?: boolean;
}

export async function publishDocument(deps: Deps, input: PublishDocumentInput): Promise<DocumentRecord> {
  const { projectId, id } = input;
  const current = await deps.store.get(projectId, 'document', id);
  const content = contentSha256(input.draft);
  if (current && current.contentSha256 === content && !input.force) return current;

  const docVersion = (current?.docVersion ?? 0) + 1;
  const at = deps.clock.now().toISOString();
  const version = await storeVersion(
    deps,
    documentKey(projectId, id, docVersion),
    input.draft,
    docVersion,
    at,
  );
  const record: DocumentRecord = {
    entity: 'document',
    projectId,
    id,
    kind: input.kind,
    title: `${input.title} v${docVersion}`,
    // The record's latest-version fields are those of the version it adds.
    ...version,
    contentSha256: content,
    versions: [...(current ? versionsOf(current) : []), version],
    version: current?.version ?? 0,
  };
  const [stored] = await deps.store.commit(
    [record, ...(input.with?.(docVersion, at) ?? [])],
    [
      {
        projectId,
        type: input.eventType,
        actor: input.actor,
        at,
        summary: `${input.title} v${docVersion} generated (PDF, ${version.size} bytes)`,
        data: { document: id, docVersion, key: version.key, sha256: version.sha256, size: version.size },
      },
    ],
  );
  return stored as DocumentRecord;
}
