/**
 * The project charter document (Initiation & Planning): objectives, requirements, scope in and
 * out, deliverables with their acceptance criteria, timeline, budget, stakeholders, team and the
 * communication plan, all from the project's spec. Produced when the initiation gate opens; the
 * sponsor approves it in one exact version.
 */
import type { Project } from '../model.js';
import { money } from '../stages/stage-type.js';
import type { DocumentDraft } from './model.js';
import { purposeSections, stakeholdersSection, teamSection } from './sections.js';

/** The id of the charter's DocumentRecord within its project. */
export const CHARTER_DOCUMENT_ID = 'charter';

/** The charter of `project`, from its spec. */
export function charterDocument(project: Project): DocumentDraft {
  const spec = project.spec;
  const stageName = (key: string) => project.stages.find((s) => s.key === key)?.name ?? key;
  const report = spec.communication.statusReport;
  return {
    title: 'Project charter',
    projectName: project.name,
    author: project.mspName,
    meta: [
      `Customer: ${project.customerName}`,
      `Prepared by ${project.mspName}`,
      `Project id: ${project.id}`,
    ],
    sections: [
      ...purposeSections(spec),
      {
        heading: 'Deliverables',
        blocks: [
          {
            type: 'table',
            columns: ['Deliverable', 'Acceptance criteria', 'Delivered in'],
            rows: spec.deliverables.map((d) => [d.name, d.acceptance, stageName(d.stage)]),
          },
        ],
      },
      {
        heading: 'Timeline',
        blocks: [
          {
            type: 'paragraph',
            text: `${spec.timeline.start} to ${spec.timeline.end} (${project.timezone}).`,
          },
          {
            type: 'table',
            columns: ['#', 'Stage', 'Due'],
            rows: [...project.stages]
              .sort((a, b) => a.order - b.order)
              .map((s) => [String(s.order + 1), s.name, s.due ?? 'not set']),
          },
        ],
      },
      {
        heading: 'Budget',
        blocks: [
          {
            type: 'keyValue',
            rows: [
              ['Amount', money(spec.budget.amount, spec.budget.currency)],
              ['Effort', `${spec.budget.hours} hours`],
            ],
          },
        ],
      },
      stakeholdersSection(spec.stakeholders),
      teamSection(spec.team),
      {
        heading: 'Communication plan',
        blocks: [
          { type: 'list', items: spec.communication.channels },
          {
            type: 'paragraph',
            text: `Status report every ${report.every} on ${report.day} at ${report.at} (${project.timezone}).`,
          },
        ],
      },
    ],
  };
}
