/**
 * The status report's baseline section: the baseline version in force (budget, hours, timeline)
 * and the approved change requests that made it, each change as old → new. Customer-facing:
 * budget figures only, never rates or costs.
 */
import { baselineVersion } from '../change-requests/baseline.js';
import type { ChangeRequest, Project } from '../model.js';
import { changeLines } from './change-request.js';
import { formatDay } from './format.js';
import type { Block } from './notification.js';

/** What the section shows. */
export interface BaselineSection {
  version: number;
  budget: { amount: number; hours: number; currency: string };
  timeline: { start: string; end: string };
  /** Approved change requests, oldest first. */
  approved: { id: string; decidedAt: string; lines: string[] }[];
}

/** The section's data from the project and its change requests. */
export function baselineSection(project: Project, requests: ChangeRequest[]): BaselineSection {
  return {
    version: baselineVersion(project),
    budget: { ...project.spec.budget },
    timeline: { ...project.spec.timeline },
    approved: requests
      .filter((r) => r.status === 'approved')
      .sort((a, b) => (a.appliedBaseline ?? 0) - (b.appliedBaseline ?? 0))
      .map((r) => ({
        id: r.id,
        decidedAt: r.decidedAt ?? r.raisedAt,
        lines: changeLines(r.changes, project.stages),
      })),
  };
}

function changeItems(section: BaselineSection): string[] {
  return section.approved.map(
    (c) => `${c.id}, approved ${formatDay(c.decidedAt.slice(0, 10)) ?? c.decidedAt}: ${c.lines.join('; ')}`,
  );
}

/** The section as blocks of the full report. */
export function baselineBlocks(section: BaselineSection): Block[] {
  return [
    { type: 'heading', text: 'Baseline' },
    {
      type: 'facts',
      rows: [
        ['Baseline', `version ${section.version}`],
        ['Budget', `${section.budget.amount} ${section.budget.currency}, ${section.budget.hours} hours`],
        [
          'Timeline',
          `${formatDay(section.timeline.start) ?? section.timeline.start} to ${formatDay(section.timeline.end) ?? section.timeline.end}`,
        ],
      ],
    },
    {
      type: 'list',
      lead: 'Approved changes',
      items: changeItems(section),
      empty: 'No approved changes: the baseline is the original plan.',
    },
  ];
}

/** The section in the plain-text summary. */
export function baselinePlain(section: BaselineSection): Block {
  return {
    type: 'list',
    lead: `Baseline version ${section.version}: ${section.budget.amount} ${section.budget.currency}, ${section.budget.hours} hours, ends ${section.timeline.end}`,
    items: changeItems(section),
    empty: 'No approved changes.',
  };
}
