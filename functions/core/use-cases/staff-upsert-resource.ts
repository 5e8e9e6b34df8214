/**
 * Add or update a resource: software, hardware, tool or service (PUT /api/projects/{id}/resources/{resourceId}).
 * Input: kind, name, quantity, cost; the version read. Output: the stored resource. Steps: see staff-upsert.ts;
 * then, since resources count in the actual cost, the budget thresholds are checked (check-budget-thresholds.ts).
 */
import type { Resource } from '../model.js';
import type { Deps } from '../ports.js';
import { checkBudgetThresholds } from './check-budget-thresholds.js';
import {
  type RecordFields,
  requireOnCreate,
  type UpsertResult,
  upsertProjectRecord,
} from './staff-upsert.js';

/** The resource fields: none is optional (each is required or has a default), so an update cannot clear any. */
export const RESOURCE_FIELDS = {
  optional: [],
  required: ['kind', 'name', 'quantity', 'cost'],
} as const satisfies RecordFields;

export interface ResourceInput {
  version?: number;
  /** Optional fields to empty (see staff-upsert.ts). */
  clear?: string[];
  kind?: Resource['kind'];
  name?: string;
  quantity?: number;
  cost?: number;
}

export async function upsertResource(
  deps: Deps,
  projectId: string,
  resourceId: string,
  input: ResourceInput,
  actor: string,
): Promise<UpsertResult<'resource'>> {
  const { version, clear, ...fields } = input;
  const result = await upsertProjectRecord(deps, {
    projectId,
    entity: 'resource',
    id: resourceId,
    ...(version !== undefined ? { version } : {}),
    actor,
    ...(clear ? { clear, given: fields, fields: RESOURCE_FIELDS } : {}),
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
  try {
    await checkBudgetThresholds(deps, projectId, actor);
  } catch (err) {
    // The resource is saved; the next time entry or resource change checks the thresholds again.
    deps.log.warn('budget threshold check after a resource change failed', {
      projectId,
      error: err instanceof Error ? err.name : 'unknown',
    });
  }
  return result;
}
