/**
 * Add or update a lesson learned (PUT /api/projects/{id}/lessons/{lessonId}); the close-out
 * report lists them.
 * Input: title, whatHappened, kind (`repeat` or `change`), recommendation, stage; the version read
 * (absent: create). Output: the stored lesson. Steps: see staff-upsert.ts; the recorder is the actor.
 */
import { ValidationError } from '../errors.js';
import type { Lesson, LessonKind } from '../model.js';
import type { Deps } from '../ports.js';
import {
  type RecordFields,
  requireOnCreate,
  type UpsertResult,
  upsertProjectRecord,
} from './staff-upsert.js';

/** The lesson fields an update may empty (`clear`); the others cannot be cleared. */
export const LESSON_FIELDS = {
  optional: ['stage'],
  required: ['title', 'whatHappened', 'kind', 'recommendation'],
} as const satisfies RecordFields;

export interface LessonInput {
  version?: number;
  /** Optional fields to empty (see staff-upsert.ts). */
  clear?: (typeof LESSON_FIELDS.optional)[number][];
  title?: string;
  whatHappened?: string;
  kind?: LessonKind;
  recommendation?: string;
  stage?: string;
}

/** Creates or updates one lesson learned, then lets the current stage's gate re-check (the close-out may change). */
export function upsertLesson(
  deps: Deps,
  projectId: string,
  lessonId: string,
  input: LessonInput,
  actor: string,
): Promise<UpsertResult<'lesson'>> {
  const { version, clear, ...fields } = input;
  return upsertProjectRecord(deps, {
    projectId,
    entity: 'lesson',
    id: lessonId,
    ...(version !== undefined ? { version } : {}),
    actor,
    ...(clear ? { clear, given: fields, fields: LESSON_FIELDS } : {}),
    describe: (l) => `lesson learned "${l.title}" (${l.kind})`,
    build: (existing, project): Lesson => {
      if (!existing) {
        requireOnCreate({
          title: fields.title,
          whatHappened: fields.whatHappened,
          kind: fields.kind,
          recommendation: fields.recommendation,
        });
      }
      if (fields.stage !== undefined && !project.stages.some((s) => s.key === fields.stage)) {
        throw new ValidationError([{ path: 'stage', message: `no stage ${fields.stage} in this project` }]);
      }
      return {
        entity: 'lesson',
        projectId,
        id: lessonId,
        ...existing,
        ...fields,
        title: fields.title ?? existing?.title ?? '',
        whatHappened: fields.whatHappened ?? existing?.whatHappened ?? '',
        kind: fields.kind ?? existing?.kind ?? 'change',
        recommendation: fields.recommendation ?? existing?.recommendation ?? '',
        recordedBy: existing?.recordedBy ?? actor,
        version: 0,
      };
    },
  });
}
