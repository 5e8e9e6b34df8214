/**
 * The people the local sign-in page offers (local runtime only; in AWS the user pool knows staff).
 * Input: none. Output: every team member of every project (the spec's team and the members
 * recorded since), once per email, with their role in each project, sorted by name.
 */
import type { Deps } from '../ports.js';
import { allProjects } from './staff-list-projects.js';

/** A person of the specs' teams. */
export interface LocalPerson {
  email: string;
  name: string;
  /** `<role> in <project name>` for each project. */
  roles: string[];
}

export async function listLocalPeople(deps: Deps): Promise<LocalPerson[]> {
  const people = new Map<string, LocalPerson>();
  for (const project of await allProjects(deps.store)) {
    const members = await deps.store.list(project.id, 'member');
    for (const m of [...project.spec.team, ...members]) {
      const email = m.email.toLowerCase();
      const person = people.get(email) ?? { email, name: m.name, roles: [] };
      const role = `${m.role} in ${project.name}`;
      if (!person.roles.includes(role)) person.roles.push(role);
      people.set(email, person);
    }
  }
  return [...people.values()].sort((a, b) => a.name.localeCompare(b.name) || a.email.localeCompare(b.email));
}
