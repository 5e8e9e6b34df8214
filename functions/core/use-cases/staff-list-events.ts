/**
 * A project's event log, paged (GET /api/projects/{id}/events?cursor=&limit=&order=).
 * Input: project id, cursor from the previous page, page size, order. Output: events and the next
 * cursor. Throws NotFoundError when the project does not exist.
 */
import { NotFoundError } from '../errors.js';
import type { Page, ProjectEvent } from '../model.js';
import type { Deps } from '../ports.js';

export interface ListEventsInput {
  cursor?: string;
  limit: number;
  order: 'asc' | 'desc';
}

export async function listProjectEvents(
  deps: Deps,
  projectId: string,
  input: ListEventsInput,
): Promise<Page<ProjectEvent>> {
  const project = await deps.store.getProject(projectId);
  if (!project) throw new NotFoundError(`project ${projectId} not found`);
  return deps.store.listEvents(projectId, {
    ...(input.cursor ? { cursor: input.cursor } : {}),
    limit: input.limit,
    newestFirst: input.order === 'desc',
  });
}
