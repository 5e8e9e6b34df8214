/**
 * The documents of a project (GET /api/projects/{id}/documents): charter, plan, status reports
 * and close-out, each with its latest version's SHA-256 and size and every version kept (with the
 * storage version that holds its bytes).
 *
 * Input: project id. Output: the documents, newest first (ties by id). 404 when the project does
 * not exist.
 */
import { versionsOf } from '../documents/model.js';
import { NotFoundError } from '../errors.js';
import type { DocumentKind } from '../model.js';
import type { Deps } from '../ports.js';

/** One version of a document, as staff see it. */
export interface DocumentVersionSummary {
  version: number;
  sha256: string;
  size: number;
  contentType: string;
  createdAt: string;
  /**
   * The storage version holding exactly these bytes (S3's version id; locally the version file's):
   * what a download of this version reads. Absent for versions written before they were kept.
   */
  storageVersion?: string;
}

/** A document as the staff API lists it. */
export interface DocumentSummary {
  id: string;
  kind: DocumentKind;
  title: string;
  /** The latest version. */
  version: number;
  sha256: string;
  size: number;
  contentType: string;
  createdAt: string;
  /** Every version, oldest first. */
  versions: DocumentVersionSummary[];
}

export async function listDocuments(deps: Deps, projectId: string): Promise<DocumentSummary[]> {
  const project = await deps.store.getProject(projectId);
  if (!project) throw new NotFoundError(`project ${projectId} not found`);
  const records = await deps.store.list(projectId, 'document');
  return records
    .map((r): DocumentSummary => {
      const versions = versionsOf(r).map((v) => ({
        version: v.docVersion,
        sha256: v.sha256,
        size: v.size,
        contentType: v.contentType,
        createdAt: v.createdAt,
        ...(v.storageVersion === undefined ? {} : { storageVersion: v.storageVersion }),
      }));
      const latest = versions[versions.length - 1];
      return {
        id: r.id,
        kind: r.kind,
        title: r.title,
        version: r.docVersion,
        sha256: r.sha256,
        size: latest?.size ?? r.size ?? 0,
        contentType: latest?.contentType ?? 'application/pdf',
        createdAt: r.createdAt,
        versions,
      };
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
}
