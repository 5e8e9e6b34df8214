/** A spec deliverable as the task that tracks it (registration and approved change requests). */
import type { Task } from './model.js';

/** The new task of deliverable `d` (not started, no hours yet), due when its stage is. */
export function deliverableTask(
  projectId: string,
  d: { id: string; name: string; stage: string; acceptance: string },
  due: string | undefined,
): Task {
  return {
    entity: 'task',
    projectId,
    id: d.id,
    type: 'deliverable',
    name: d.name,
    stage: d.stage,
    status: 'todo',
    estimateHours: 0,
    actualHours: 0,
    acceptance: d.acceptance,
    version: 0,
    ...(due ? { due } : {}),
  };
}
