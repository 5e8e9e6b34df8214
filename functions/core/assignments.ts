/**
 * Who holds an open task or risk: the person a team member's removal must not leave holding it
 * (staff-remove-record.ts), and the writes that give one to someone, which bump the project's
 * `assignments` counter (ports.ts Counter) so that such a removal, which read the tasks and risks
 * before that write committed, conflicts and reads them again.
 */
import { type Entity, isTaskClosed } from './model.js';

/**
 * The assignee of an open task or the owner of an open risk (trimmed, lower case: matched against
 * a member's email or name without case); undefined for anything else, closed or unassigned.
 */
export function holderOf(record: Entity): string | undefined {
  const who =
    record.entity === 'task'
      ? isTaskClosed(record)
        ? undefined
        : record.assignee
      : record.entity === 'risk' && record.status !== 'closed'
        ? record.owner
        : undefined;
  const held = who?.trim().toLowerCase();
  return held ? held : undefined;
}

/**
 * Whether writing `after` (over `before`, undefined: created) gives an open task or risk to
 * someone who did not hold it: an assignee or owner set or changed, or a closed one opened again.
 * Assignees and owners are free text: whether they name a team member does not matter here.
 */
export function assigns(before: Entity | undefined, after: Entity): boolean {
  const holder = holderOf(after);
  return holder !== undefined && holder !== (before ? holderOf(before) : undefined);
}
