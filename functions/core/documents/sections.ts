/** The sections the charter and the plan share: objectives, requirements, scope, stakeholders, team. */
import type { DocumentSection } from './model.js';

/** Objectives, requirements and scope (in and out), as lists. */
export function purposeSections(spec: {
  objectives: readonly string[];
  requirements: readonly string[];
  scope: { in: readonly string[]; out: readonly string[] };
}): DocumentSection[] {
  return [
    { heading: 'Objectives', blocks: [{ type: 'list', items: [...spec.objectives] }] },
    { heading: 'Requirements', blocks: [{ type: 'list', items: [...spec.requirements] }] },
    {
      heading: 'Scope',
      blocks: [
        { type: 'subheading', text: 'In scope' },
        { type: 'list', items: [...spec.scope.in] },
        { type: 'subheading', text: 'Out of scope' },
        { type: 'list', items: [...spec.scope.out], empty: 'Nothing is excluded.' },
      ],
    },
  ];
}

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
