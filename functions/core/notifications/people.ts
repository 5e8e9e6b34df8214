/**
 * Who gets lifecycle notifications: the project's people (from the store, or the spec when the
 * store has none yet), its project managers, and the context every notification of a project has.
 */
import type { Project } from '../model.js';
import type { AppConfig, Deps } from '../ports.js';
import { type NotificationContext, Secret } from './notification.js';

export interface Person {
  name: string;
  email: string;
  role: string;
}

export interface ProjectPeople {
  stakeholders: Person[];
  team: Person[];
}

/** The header context of a project's notifications. */
export function notificationContext(project: Project, config: AppConfig): NotificationContext {
  return {
    mspName: project.spec.msp?.name || project.mspName || config.mspName,
    projectName: project.name,
    customerName: project.customerName,
    timezone: project.timezone,
    ...(project.spec.notifications?.webhook
      ? {
          webhook: {
            kind: project.spec.notifications.webhook.kind,
            ...(project.spec.notifications.webhook.url
              ? { url: new Secret(project.spec.notifications.webhook.url) }
              : {}),
            ...(project.spec.notifications.webhook.secretName
              ? { secretName: project.spec.notifications.webhook.secretName }
              : {}),
          },
        }
      : {}),
  };
}

/** Stakeholders and team members of a project (store records in spec order, the spec as fallback). */
export async function loadPeople(deps: Deps, project: Project): Promise<ProjectPeople> {
  const [stakeholders, members] = await Promise.all([
    deps.store.list(project.id, 'stakeholder'),
    deps.store.list(project.id, 'member'),
  ]);
  // The store lists by email; keep the spec's order (its first team member is the default contact).
  const specOrder = (list: { email: string }[], email: string) => {
    const i = list.findIndex((p) => p.email.toLowerCase() === email.toLowerCase());
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  stakeholders.sort(
    (a, b) => specOrder(project.spec.stakeholders, a.email) - specOrder(project.spec.stakeholders, b.email),
  );
  members.sort((a, b) => specOrder(project.spec.team, a.email) - specOrder(project.spec.team, b.email));
  return {
    stakeholders:
      stakeholders.length > 0
        ? stakeholders.map((s) => ({ name: s.name, email: s.email, role: s.role }))
        : project.spec.stakeholders.map((s) => ({ name: s.name, email: s.email, role: s.role })),
    team:
      members.length > 0
        ? members.map((m) => ({ name: m.name, email: m.email, role: m.role }))
        : project.spec.team.map((m) => ({ name: m.name, email: m.email, role: m.role })),
  };
}

const PM_ROLE = /project\s*manager|\bpm\b/i;

/** The team's project managers (by role), or the first team member when none has that role. */
export function projectManagers(team: Person[]): Person[] {
  const pms = team.filter((m) => PM_ROLE.test(m.role));
  if (pms.length > 0) return pms;
  return team.slice(0, 1);
}

/** Emails, lower-cased, each once, in order. */
export function uniqueEmails(people: { email: string }[]): string[] {
  const out: string[] = [];
  for (const p of people) {
    const e = p.email.toLowerCase();
    if (!out.includes(e)) out.push(e);
  }
  return out;
}

/** The display name of an email among `people`, or the email itself. */
export function nameOf(people: Person[], email: string): string {
  return people.find((p) => p.email.toLowerCase() === email.toLowerCase())?.name ?? email;
}
