/**
 * One version of a project document as bytes (GET /api/projects/{id}/documents/{documentId}, and
 * the console's download): the latest version, or `version` N when asked.
 *
 * Input: project id, document id, optional version. Output: the bytes, their media type, a file
 * name, the version and its SHA-256. NotFoundError (404) naming what is missing: the project, the
 * document, the version (with the versions there are), or the stored bytes.
 */
import { versionsOf } from '../documents/model.js';
import { NotFoundError } from '../errors.js';
import type { Deps } from '../ports.js';

export interface DocumentDownload {
  body: Uint8Array;
  contentType: string;
  /** `<project>-<document>-v<N>.pdf` (`.html` for documents of earlier releases). */
  fileName: string;
  version: number;
  sha256: string;
}

export async function getDocument(
  deps: Deps,
  projectId: string,
  documentId: string,
  version?: number,
): Promise<DocumentDownload> {
  const project = await deps.store.getProject(projectId);
  if (!project) throw new NotFoundError(`project ${projectId} not found`);
  const record = await deps.store.get(projectId, 'document', documentId);
  if (!record) throw new NotFoundError(`document ${documentId} not found in project ${projectId}`);
  const versions = versionsOf(record);
  const wanted = version ?? record.docVersion;
  const found = versions.find((v) => v.docVersion === wanted);
  if (!found) {
    throw new NotFoundError(
      `document ${documentId} has no version ${wanted} (versions: ${versions.map((v) => v.docVersion).join(', ')})`,
    );
  }
  const body = await deps.documents.get(found.key, found.storageVersion);
  if (body === undefined) {
    throw new NotFoundError(
      `the file of document ${documentId} version ${wanted} is missing from the document store`,
    );
  }
  const ext = found.contentType.startsWith('application/pdf') ? 'pdf' : 'html';
  return {
    body,
    contentType: found.contentType,
    fileName: `${projectId}-${documentId}-v${wanted}.${ext}`,
    version: wanted,
    sha256: found.sha256,
  };
}
