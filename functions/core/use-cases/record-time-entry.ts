/**
 * Record time a team member spent on a project (POST /api/projects/{id}/time-entries).
 *
 * Input: person (a team member's email), date (YYYY-MM-DD, not after today in the project's time
 * zone), hours (more than 0, at most 24), optional task (must exist) and note; the actor.
 * Output: the stored time entry, and the budget burn after it.
 * Steps: the person's role is priced by the spec's rate card (cost rate, optional billing rate;
 * no rate card: the time costs nothing, only hours burn); the entry, the task's actual hours
 * (when a task is given) and the ledger with any threshold crossing are committed in one
 * transaction (ledger-commit.ts), then the crossing alert and the gate's re-check.
 * Errors: ValidationError naming the field (unknown person, a role without a rate, unknown task,
 * hours or date out of range), NotFoundError (project), StateError (project not active).
 */
import type { BudgetBurn } from '../budget.js';
import { ValidationError } from '../errors.js';
import type { Task, TimeEntry } from '../model.js';
import type { Deps } from '../ports.js';
import { rateFor } from '../spec/money.js';
import { localDate } from '../time.js';
import { commitWithLedger, datedId } from './ledger-commit.js';

export interface TimeEntryInput {
  person: string;
  date: string;
  hours: number;
  task?: string;
  note?: string;
}

/** Most hours one entry may hold (a day). */
export const MAX_ENTRY_HOURS = 24;

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Records one time entry (see the module doc). */
export async function recordTimeEntry(
  deps: Deps,
  projectId: string,
  input: TimeEntryInput,
  actor: string,
): Promise<{ entry: TimeEntry; burn: BudgetBurn }> {
  if (!(input.hours > 0 && input.hours <= MAX_ENTRY_HOURS)) {
    throw new ValidationError([
      { path: 'hours', message: `must be more than 0 and at most ${MAX_ENTRY_HOURS}` },
    ]);
  }
  const person = input.person.trim().toLowerCase();
  const { record, burn } = await commitWithLedger<TimeEntry>(deps, projectId, actor, async (project) => {
    const [member, task] = await Promise.all([
      deps.store.get(projectId, 'member', person),
      input.task ? deps.store.get(projectId, 'task', input.task) : Promise.resolve(undefined),
    ]);
    const issues: { path: string; message: string }[] = [];
    if (!member)
      issues.push({ path: 'person', message: `${person} is not a team member of project ${projectId}` });
    if (input.task && !task)
      issues.push({ path: 'task', message: `project ${projectId} has no task ${input.task}` });
    const today = localDate(deps.clock.now(), project.timezone);
    if (input.date > today) issues.push({ path: 'date', message: `must not be after today (${today})` });
    const rate = member ? rateFor(project.spec, member.role) : undefined;
    if (member && (project.spec.rateCard?.length ?? 0) > 0 && !rate) {
      issues.push({
        path: 'person',
        message: `the role "${member.role}" of ${person} has no rate in the spec's rateCard`,
      });
    }
    if (issues.length > 0 || !member) throw new ValidationError(issues);

    const costRate = rate?.costRate ?? 0;
    const billingRate = rate?.billingRate;
    const entry: TimeEntry = {
      entity: 'time_entry',
      projectId,
      id: datedId(input.date),
      person,
      role: member.role,
      date: input.date,
      hours: input.hours,
      ...(input.task ? { task: input.task } : {}),
      ...(input.note?.trim() ? { note: input.note.trim() } : {}),
      costRate,
      ...(billingRate !== undefined ? { billingRate } : {}),
      cost: round2(input.hours * costRate),
      billable: round2(input.hours * (billingRate ?? 0)),
      recordedBy: actor,
      recordedAt: deps.clock.now().toISOString(),
      version: 0,
    };
    // The task's actual hours follow the time booked to it, so health (CPI in hours) sees it.
    const also: Task[] = task ? [{ ...task, actualHours: round2(task.actualHours + input.hours) }] : [];
    return {
      record: entry,
      delta: {
        hours: input.hours,
        timeCost: entry.cost,
        timeBillable: entry.billable,
        expenses: 0,
        billableExpenses: 0,
      },
      also,
      event: {
        projectId,
        type: 'time_recorded',
        actor,
        summary: `${input.hours} h on ${input.date} by ${member.name}${task ? ` on task "${task.name}"` : ''}`,
        data: {
          id: entry.id,
          person,
          date: input.date,
          hours: input.hours,
          ...(input.task ? { task: input.task } : {}),
        },
      },
    };
  });
  return { entry: record, burn };
}
