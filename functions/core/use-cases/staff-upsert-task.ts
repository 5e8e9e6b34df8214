/**
 * Add or update a task or deliverable (PUT /api/projects/{id}/tasks/{taskId}).
 * Input: fields to set (status, estimate and actual hours...) and the version read (absent: create).
 * Output: the stored task. Steps: see staff-upsert.ts; `stage` must be a stage of the project.
 */
import { ValidationError } from '../errors.js';
import type { Task, TaskStatus } from '../model.js';
import type { Deps } from '../ports.js';
import {
  type RecordFields,
  requireOnCreate,
  type UpsertResult,
  upsertProjectRecord,
} from './staff-upsert.js';

/** The task fields an update may empty (`clear`); the others cannot be cleared. */
export const TASK_FIELDS = {
  optional: ['assignee', 'acceptance', 'due', 'waiverReason', 'evidence'],
  required: ['type', 'name', 'stage', 'status', 'estimateHours', 'actualHours'],
} as const satisfies RecordFields;

export interface TaskInput {
  version?: number;
  /** Optional fields to empty (see staff-upsert.ts). */
  clear?: (typeof TASK_FIELDS.optional)[number][];
  type?: 'task' | 'deliverable';
  name?: string;
  stage?: string;
  status?: TaskStatus;
  estimateHours?: number;
  actualHours?: number;
  assignee?: string;
  acceptance?: string;
  due?: string;
  waiverReason?: string;
  evidence?: string;
}

export function upsertTask(
  deps: Deps,
  projectId: string,
  taskId: string,
  input: TaskInput,
  actor: string,
): Promise<UpsertResult<'task'>> {
  const { version, clear, ...fields } = input;
  return upsertProjectRecord(deps, {
    projectId,
    entity: 'task',
    id: taskId,
    ...(version !== undefined ? { version } : {}),
    actor,
    ...(clear ? { clear, given: fields, fields: TASK_FIELDS } : {}),
    describe: (t) => `${t.type} "${t.name}" (${t.status})`,
    build: (existing, project): Task => {
      if (!existing) requireOnCreate({ name: fields.name });
      const stage = fields.stage ?? existing?.stage ?? project.currentStage;
      if (!project.stages.some((s) => s.key === stage)) {
        throw new ValidationError([{ path: 'stage', message: `unknown stage "${stage}"` }]);
      }
      const status = fields.status ?? existing?.status;
      if (status === 'waived' && !(fields.waiverReason ?? existing?.waiverReason)) {
        throw new ValidationError([{ path: 'waiverReason', message: 'a waived task needs a reason' }]);
      }
      return {
        entity: 'task',
        projectId,
        id: taskId,
        type: 'task',
        status: 'todo',
        estimateHours: 0,
        actualHours: 0,
        ...existing,
        ...fields,
        name: fields.name ?? existing?.name ?? '',
        stage,
        version: 0,
      };
    },
  });
}
