/**
 * Add or update a deployment record of the deployment stage
 * (PUT /api/projects/{id}/deployments/{deploymentId}).
 * Input: name, change window (start and end), steps, rollback plan, result (`succeeded`,
 * `failed`, `rolled_back`; absent while planned) with notes, who deployed; the version read.
 * Output: the stored record. Steps: see staff-upsert.ts; the window must end after it starts.
 */
import { ValidationError } from '../errors.js';
import type { DeploymentRecord, DeploymentResult } from '../model.js';
import type { Deps } from '../ports.js';
import {
  type RecordFields,
  requireOnCreate,
  type UpsertResult,
  upsertProjectRecord,
} from './staff-upsert.js';

/** The deployment fields an update may empty (`clear`); the others cannot be cleared. */
export const DEPLOYMENT_FIELDS = {
  optional: ['windowStart', 'windowEnd', 'rollbackPlan', 'result', 'resultNotes', 'deployedBy'],
  required: ['name', 'steps'],
  lists: ['steps'],
} as const satisfies RecordFields;

export interface DeploymentInput {
  version?: number;
  /** Optional fields to empty (see staff-upsert.ts). */
  clear?: (typeof DEPLOYMENT_FIELDS.optional)[number][];
  name?: string;
  windowStart?: string;
  windowEnd?: string;
  steps?: string[];
  rollbackPlan?: string;
  result?: DeploymentResult;
  resultNotes?: string;
  deployedBy?: string;
}

/** Creates or updates one deployment record, then lets the current stage's gate re-check its criteria. */
export function upsertDeployment(
  deps: Deps,
  projectId: string,
  deploymentId: string,
  input: DeploymentInput,
  actor: string,
): Promise<UpsertResult<'deployment'>> {
  const { version, clear, ...fields } = input;
  return upsertProjectRecord(deps, {
    projectId,
    entity: 'deployment',
    id: deploymentId,
    ...(version !== undefined ? { version } : {}),
    actor,
    ...(clear ? { clear, given: fields, fields: DEPLOYMENT_FIELDS } : {}),
    describe: (d) => `deployment "${d.name}" (${d.result?.replace('_', ' ') ?? 'planned'})`,
    build: (existing): DeploymentRecord => {
      if (!existing) requireOnCreate({ name: fields.name });
      const record: DeploymentRecord = {
        entity: 'deployment',
        projectId,
        id: deploymentId,
        steps: [],
        ...existing,
        ...fields,
        name: fields.name ?? existing?.name ?? '',
        version: 0,
      };
      // Compared as instants: the schema accepts any offset, so strings would not order.
      if (
        record.windowStart &&
        record.windowEnd &&
        Date.parse(record.windowEnd) <= Date.parse(record.windowStart)
      ) {
        throw new ValidationError([{ path: 'windowEnd', message: 'must be after windowStart' }]);
      }
      return record;
    },
  });
}
