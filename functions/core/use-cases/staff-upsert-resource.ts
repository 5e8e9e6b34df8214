/**
 * Add or update a resource: software, hardware, tool or service (PUT /api/projects/{id}/resources/{resourceId}).
 * Input: kind, name, quantity, cost; the version read. Output: the stored resource. Steps: see staff-upsert.ts.
 */
import type { Resource } from '../model.js';
import type { Deps } from '../ports.js';
import { requireOnCreate, type UpsertResult, upsertProjectRecord } from './staff-upsert.js';

export interface ResourceInput {
  version?: number;
  kind?: Resource['kind'];
  name?: string;
  quantity?: number;
  cost?: number;
}

export function upsertResource(
  deps: Deps,
  projectId: string,
  resourceId: string,
  input: ResourceInput,
  actor: string,
): Promise<UpsertResult<'resource'>> {
  const { version, ...fields } = input;
  return upsertProjectRecord(deps, {
    projectId,
    entity: 'resource',
    id: resourceId,
    ...(version !== undefined ? { version } : {}),
    actor,
    describe: (r) => `${r.kind} "${r.name}" x${r.quantity}`,
    build: (existing): Resource => {
      if (!existing) requireOnCreate({ kind: fields.kind, name: fields.name });
      return {
        entity: 'resource',
        projectId,
        id: resourceId,
        quantity: 1,
        cost: 0,
        ...existing,
        ...fields,
        kind: fields.kind ?? existing?.kind ?? 'tool',
        name: fields.name ?? existing?.name ?? '',
        version: 0,
      };
    },
  });
}
