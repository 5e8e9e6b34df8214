/**
 * Add or update a training session of the deployment stage
 * (PUT /api/projects/{id}/training-sessions/{sessionId}).
 * Input: title, date, audience, attendees, materials, trainer; the version read (absent: create).
 * Output: the stored session. Steps: see staff-upsert.ts.
 */
import type { TrainingSession } from '../model.js';
import type { Deps } from '../ports.js';
import {
  type RecordFields,
  requireOnCreate,
  type UpsertResult,
  upsertProjectRecord,
} from './staff-upsert.js';

/** The training session fields an update may empty (`clear`); the others cannot be cleared. */
export const TRAINING_SESSION_FIELDS = {
  optional: ['trainer'],
  required: ['title', 'date', 'audience', 'attendees', 'materials'],
  lists: ['attendees', 'materials'],
} as const satisfies RecordFields;

export interface TrainingSessionInput {
  version?: number;
  /** Optional fields to empty (see staff-upsert.ts). */
  clear?: (typeof TRAINING_SESSION_FIELDS.optional)[number][];
  title?: string;
  date?: string;
  audience?: string;
  attendees?: string[];
  materials?: string[];
  trainer?: string;
}

/** Creates or updates one training session, then lets the current stage's gate re-check its criteria. */
export function upsertTrainingSession(
  deps: Deps,
  projectId: string,
  sessionId: string,
  input: TrainingSessionInput,
  actor: string,
): Promise<UpsertResult<'training_session'>> {
  const { version, clear, ...fields } = input;
  return upsertProjectRecord(deps, {
    projectId,
    entity: 'training_session',
    id: sessionId,
    ...(version !== undefined ? { version } : {}),
    actor,
    ...(clear ? { clear, given: fields, fields: TRAINING_SESSION_FIELDS } : {}),
    describe: (s) => `training session "${s.title}" (${s.date}, ${s.attendees.length} attendees)`,
    build: (existing): TrainingSession => {
      if (!existing) requireOnCreate({ title: fields.title, date: fields.date, audience: fields.audience });
      return {
        entity: 'training_session',
        projectId,
        id: sessionId,
        attendees: [],
        materials: [],
        ...existing,
        ...fields,
        title: fields.title ?? existing?.title ?? '',
        date: fields.date ?? existing?.date ?? '',
        audience: fields.audience ?? existing?.audience ?? '',
        version: 0,
      };
    },
  });
}
