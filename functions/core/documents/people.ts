/** The people sections the charter and the plan share: stakeholders and team, as tables. */
import type { DocumentSection } from './model.js';

/** The customer's stakeholders: name, role, email. */
export function stakeholdersSection(
  stakeholders: readonly { name: string; role: string; email: string }[],
): DocumentSection {
  return {
    heading: 'Stakeholders',
    blocks: [
      {
        type: 'table',
        columns: ['Name', 'Role', 'Email'],
        rows: stakeholders.map((s) => [s.name, s.role, s.email]),
      },
    ],
  };
}

/** The MSP's team: name, role, skills, allocation. */
export function teamSection(
  members: readonly { name: string; role: string; skills: readonly string[]; allocation: number }[],
): DocumentSection {
  return {
    heading: 'Team',
    blocks: [
      {
        type: 'table',
        columns: ['Name', 'Role', 'Skills', 'Allocation'],
        rows: members.map((m) => [m.name, m.role, m.skills.join(', '), `${m.allocation}%`]),
      },
    ],
  };
}
