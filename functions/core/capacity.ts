/**
 * Capacity across projects: a person's allocation (the team member's percent of their time on a
 * project) summed, by email, over every active project whose remaining stage windows overlap the
 * same ISO week.
 *
 * A project's allocation window (when its members' percentages count):
 * - Each stage has a planned window, as the health computation plans work: from the end of the
 *   previous stage (the timeline start for the first) to the end of its own due day, or of the
 *   next due date that is known, or of the timeline end.
 * - Stages before the current one are done: they hold nobody any more. The window runs from the
 *   current stage's planned start (or today, when the project reached that stage early) to the
 *   timeline end (or today, while an active project overruns its end).
 * - A week counts when any day of it (Monday to Sunday) is inside the window; the stages whose
 *   windows overlap it are named.
 *
 * Reads: the active-projects index (all pages), the listed projects by key (one BatchGetItem per
 * 100) and one Query per project (its members); never a Scan.
 */
import type { Project, TeamMember } from './model.js';
import type { ProjectStore } from './ports.js';
import { addDays, DAY_MS, dayStart, isoWeekMonday, localDate } from './time.js';

/** One project's share of a person's week. */
export interface CapacityContribution {
  projectId: string;
  projectName: string;
  /** Percent of the person's time. */
  allocation: number;
  /** The project's stages planned in that week (not yet done). */
  stages: string[];
}

/** A person's load in one ISO week. */
export interface CapacityWeek {
  /** The Monday of the week (YYYY-MM-DD). */
  week: string;
  /** ISO 8601 week, e.g. `2026-W50`. */
  isoWeek: string;
  /** Sum of the contributions, in percent. */
  total: number;
  /** More than 100 %. */
  over: boolean;
  projects: CapacityContribution[];
}

/** One person across the portfolio. */
export interface PersonCapacity {
  email: string;
  name: string;
  weeks: CapacityWeek[];
  /** The highest weekly total in the range. */
  peak: number;
}

/** A project with its team members, as the capacity views read it. */
export interface ProjectAllocation {
  project: Pick<Project, 'id' | 'name' | 'spec' | 'stages' | 'currentStage' | 'timezone' | 'status'>;
  members: Pick<TeamMember, 'email' | 'name' | 'allocation'>[];
}

interface Window {
  key: string;
  start: number;
  /** Exclusive. */
  end: number;
}

/** Largest range the capacity views compute at once. */
export const MAX_CAPACITY_WEEKS = 52;

/** Every active project: all pages of the active-projects index. */
export async function activeProjects(store: ProjectStore): Promise<Project[]> {
  const projects: Project[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listProjects({ activeOnly: true, limit: 100, ...(cursor ? { cursor } : {}) });
    projects.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return projects;
}

/** Project records read per BatchGetItem (the store's limit per request). */
const PROJECTS_PER_READ = 100;

/**
 * Every active project with its members: the index (all pages), the projects it lists read again
 * by key (strongly consistent, one request per 100: the index follows the table eventually, so a
 * project's status, current stage or timeline written a moment ago is read as stored, and one
 * closed or archived meanwhile is left out; allocation-order.ts relies on it) and one Query per
 * project (its members, strongly consistent).
 */
export async function loadActiveAllocations(store: ProjectStore): Promise<ProjectAllocation[]> {
  const listed = await activeProjects(store);
  const projects: Project[] = [];
  for (let i = 0; i < listed.length; i += PROJECTS_PER_READ) {
    const chunk = listed.slice(i, i + PROJECTS_PER_READ);
    const read = await store.getRecords(chunk.map((p) => ({ entity: 'project', id: p.id }) as const));
    for (const project of read) if (project?.status === 'active') projects.push(project);
  }
  return Promise.all(
    projects.map(async (project) => ({ project, members: await store.list(project.id, 'member') })),
  );
}

/** The planned windows of the stages that are not done yet (see the module doc), at `now`. */
export function remainingStageWindows(project: ProjectAllocation['project'], now: Date): Window[] {
  const { timeline } = project.spec;
  const ordered = [...project.stages].sort((a, b) => a.order - b.order);
  const ends: number[] = new Array(ordered.length);
  let next = dayStart(timeline.end) + DAY_MS;
  for (let i = ordered.length - 1; i >= 0; i--) {
    const due = ordered[i]?.due;
    if (due) next = dayStart(due) + DAY_MS;
    ends[i] = next;
  }
  const windows: Window[] = [];
  let start = dayStart(timeline.start);
  ordered.forEach((s, i) => {
    const end = ends[i] as number;
    windows.push({ key: s.key, start: Math.min(start, end), end });
    start = Math.max(start, end);
  });
  const current = Math.max(
    0,
    ordered.findIndex((s) => s.key === project.currentStage),
  );
  const remaining = windows.slice(current);
  const today = dayStart(localDate(now, project.timezone));
  const first = remaining[0];
  // Reached early: the current stage holds its people from today, not from its planned start.
  if (first && today < first.start && today >= dayStart(timeline.start)) first.start = today;
  // An active project past its end still holds its people this week.
  const last = remaining[remaining.length - 1];
  if (last && project.status === 'active' && today + DAY_MS > last.end) last.end = today + DAY_MS;
  return remaining;
}

/** ISO 8601 week of a Monday, e.g. `2026-W50`. */
export function isoWeekOf(monday: string): string {
  // The ISO year and week are those of the week's Thursday.
  const thursday = isoWeekMonday(monday) + 3 * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The Mondays of `count` weeks from the week of `from` (YYYY-MM-DD). */
export function weeksFrom(from: string, count: number): string[] {
  const monday = new Date(isoWeekMonday(from)).toISOString().slice(0, 10);
  return Array.from({ length: count }, (_, i) => addDays(monday, 7 * i));
}

/** The stages of a project planned in the week of `monday` (empty: its people are free then). */
function stagesInWeek(windows: Window[], monday: string): string[] {
  const start = dayStart(monday);
  const end = start + 7 * DAY_MS;
  return windows.filter((w) => w.start < end && w.end > start && w.end > w.start).map((w) => w.key);
}

/**
 * Each person's load per week over `weeks` (Mondays), from `projects` (each member counted in
 * the weeks their project's remaining stages cover). People sorted by email; each has every week.
 */
export function capacityByWeek(projects: ProjectAllocation[], weeks: string[], now: Date): PersonCapacity[] {
  const people = new Map<string, PersonCapacity>();
  const windows = projects.map((p) => ({ ...p, windows: remainingStageWindows(p.project, now) }));
  for (const { project, members, windows: w } of windows) {
    for (const member of members) {
      const email = member.email.toLowerCase();
      let person = people.get(email);
      if (!person) {
        person = {
          email,
          name: member.name,
          peak: 0,
          weeks: weeks.map((week) => ({
            week,
            isoWeek: isoWeekOf(week),
            total: 0,
            over: false,
            projects: [],
          })),
        };
        people.set(email, person);
      }
      for (const week of person.weeks) {
        const stages = stagesInWeek(w, week.week);
        if (stages.length === 0) continue;
        week.projects.push({
          projectId: project.id,
          projectName: project.name,
          allocation: member.allocation,
          stages,
        });
        week.total += member.allocation;
      }
    }
  }
  for (const person of people.values()) {
    for (const week of person.weeks) {
      week.total = Math.round(week.total * 100) / 100;
      week.over = week.total > 100;
      week.projects.sort((a, b) => b.allocation - a.allocation || a.projectId.localeCompare(b.projectId));
    }
    person.peak = Math.max(0, ...person.weeks.map((w) => w.total));
  }
  return [...people.values()].sort((a, b) => a.email.localeCompare(b.email));
}

/**
 * The resourcing criterion across projects: for each member of `project`, the first week of its
 * remaining window (from this week on) in which their allocations over every active project add up
 * to more than 100 %, naming the other projects, e.g.
 * `alex@msp.example: 140 % in week 2026-12-07 (this 60 %, harbor-firewall 80 %)`.
 */
export function overAllocations(
  project: ProjectAllocation,
  others: ProjectAllocation[],
  now: Date,
): string[] {
  const own = remainingStageWindows(project.project, now);
  if (own.length === 0) return [];
  const from = localDate(now, project.project.timezone);
  const last = Math.max(...own.map((w) => w.end)) - DAY_MS;
  const count = Math.min(
    MAX_CAPACITY_WEEKS,
    Math.max(
      1,
      Math.floor(
        (isoWeekMonday(new Date(last).toISOString().slice(0, 10)) - isoWeekMonday(from)) / (7 * DAY_MS),
      ) + 1,
    ),
  );
  const weeks = weeksFrom(from, count);
  const rest = others.filter((o) => o.project.id !== project.project.id);
  const people = capacityByWeek([project, ...rest], weeks, now);
  const unmet: string[] = [];
  for (const member of project.members) {
    const person = people.find((p) => p.email === member.email.toLowerCase());
    if (!person) continue;
    const over = person.weeks.filter(
      (w) => w.over && w.projects.some((c) => c.projectId === project.project.id) && w.projects.length > 1,
    );
    const first = over[0];
    if (!first) continue;
    const parts = first.projects.map((c) =>
      c.projectId === project.project.id ? `this ${c.allocation} %` : `${c.projectId} ${c.allocation} %`,
    );
    // "this" first, then the others as they weigh.
    parts.sort((a, b) => Number(b.startsWith('this ')) - Number(a.startsWith('this ')));
    const more =
      over.length > 1 ? `; over 100 % in ${over.length} weeks up to ${over[over.length - 1]?.week}` : '';
    unmet.push(`${person.email}: ${first.total} % in week ${first.week} (${parts.join(', ')})${more}.`);
  }
  return unmet;
}
