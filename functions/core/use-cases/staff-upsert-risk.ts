/**
 * Add or update a risk (PUT /api/projects/{id}/risks/{riskId}).
 * Input: score (likelihood, impact 1-5), owner, mitigation, status, review date; the version read.
 * Output: the stored risk. Steps: see staff-upsert.ts.
 */
import type { Risk, RiskStatus } from '../model.js';
import type { Deps } from '../ports.js';
import {
  type RecordFields,
  requireOnCreate,
  type UpsertResult,
  upsertProjectRecord,
} from './staff-upsert.js';

/** The risk fields an update may empty (`clear`); the others cannot be cleared. */
export const RISK_FIELDS = {
  optional: ['owner', 'mitigation', 'reviewBy'],
  required: ['title', 'likelihood', 'impact', 'status'],
} as const satisfies RecordFields;

export interface RiskInput {
  version?: number;
  /** Optional fields to empty (see staff-upsert.ts). */
  clear?: (typeof RISK_FIELDS.optional)[number][];
  title?: string;
  likelihood?: number;
  impact?: number;
  owner?: string;
  mitigation?: string;
  status?: RiskStatus;
  reviewBy?: string;
}

export function upsertRisk(
  deps: Deps,
  projectId: string,
  riskId: string,
  input: RiskInput,
  actor: string,
): Promise<UpsertResult<'risk'>> {
  const { version, clear, ...fields } = input;
  return upsertProjectRecord(deps, {
    projectId,
    entity: 'risk',
    id: riskId,
    ...(version !== undefined ? { version } : {}),
    actor,
    ...(clear ? { clear, given: fields, fields: RISK_FIELDS } : {}),
    describe: (r) => `risk "${r.title}" (score ${r.likelihood * r.impact}, ${r.status})`,
    build: (existing): Risk => {
      if (!existing)
        requireOnCreate({ title: fields.title, likelihood: fields.likelihood, impact: fields.impact });
      return {
        entity: 'risk',
        projectId,
        id: riskId,
        status: 'open',
        ...existing,
        ...fields,
        title: fields.title ?? existing?.title ?? '',
        likelihood: fields.likelihood ?? existing?.likelihood ?? 1,
        impact: fields.impact ?? existing?.impact ?? 1,
        version: 0,
      };
    },
  });
}
