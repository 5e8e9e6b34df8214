/**
 * Initiation & Planning: the charter. Its criteria read the project's spec only: everything the
 * charter needs is present. The sponsor approves the charter.
 */
import { CHARTER_DOCUMENT_ID } from '../documents/charter.js';
import type { Project } from '../model.js';
import type { ApprovalContent, ApprovalDocument, ContentSection, StandardStageType } from './stage-type.js';
import { documentUnderApproval, money, presentSections, stageName } from './stage-type.js';

/**
 * The charter PDF, produced when the gate opens (documents.ts) and approved in the version current
 * when approvals are requested.
 */
const charterApproval: ApprovalDocument = { id: CHARTER_DOCUMENT_ID, name: 'project charter' };

const nonEmpty = (values: string[] | undefined) => (values ?? []).some((v) => v.trim().length > 0);

/** Everything the charter needs, from the project's spec. */
function unmetCharter(project: Project): string[] {
  const spec = project.spec;
  const unmet: string[] = [];
  if (!nonEmpty(spec.objectives)) unmet.push('The project has no objectives.');
  if (!nonEmpty(spec.requirements)) unmet.push('The project has no requirements.');
  if (!nonEmpty(spec.scope?.in)) unmet.push('The scope does not say what is in scope.');
  // An empty out-of-scope list is a statement (nothing is excluded); a missing one is not.
  if (!Array.isArray(spec.scope?.out)) unmet.push('The scope does not say what is out of scope.');
  if (!spec.deliverables?.length) unmet.push('No deliverables are listed.');
  if (!spec.timeline?.start || !spec.timeline?.end) unmet.push('The timeline has no start or end date.');
  if (!(spec.budget?.amount > 0) || !(spec.budget?.hours > 0)) {
    unmet.push('The budget (amount and hours) is not set.');
  }
  if (!spec.stakeholders?.length) unmet.push('No stakeholders are listed.');
  if (!spec.team?.length) unmet.push('No team members are listed.');
  if (!nonEmpty(spec.communication?.channels)) unmet.push('No communication channels are listed.');
  return unmet;
}

const items = (values: string[] | undefined) => (values ?? []).map((label) => ({ label }));

/** The charter as the sponsor sees it: every part the criteria check, from the project's spec. */
function charterSections(project: Project): ContentSection[] {
  const spec = project.spec;
  const report = spec.communication?.statusReport;
  return presentSections([
    { title: 'Objectives', items: items(spec.objectives) },
    { title: 'Requirements', items: items(spec.requirements) },
    { title: 'In scope', items: items(spec.scope?.in) },
    { title: 'Out of scope', items: items(spec.scope?.out), empty: 'Nothing is excluded.' },
    {
      title: 'Deliverables',
      items: (spec.deliverables ?? []).map((d) => ({
        label: d.name,
        detail: [`Acceptance: ${d.acceptance}`, `Delivered in: ${stageName(project, d.stage)}`],
      })),
    },
    {
      title: 'Timeline',
      items: [
        { label: `${spec.timeline.start} to ${spec.timeline.end}` },
        ...project.stages.filter((s) => s.due).map((s) => ({ label: s.name, detail: [`Due ${s.due}`] })),
      ],
    },
    {
      title: 'Budget',
      items: [{ label: `${money(spec.budget.amount, spec.budget.currency)}, ${spec.budget.hours} hours` }],
    },
    {
      title: 'Stakeholders',
      items: (spec.stakeholders ?? []).map((s) => ({ label: s.name, detail: [s.role, s.email] })),
    },
    {
      title: 'Team',
      items: (spec.team ?? []).map((m) => ({
        label: m.name,
        detail: [
          m.role,
          `${m.allocation}% of their time`,
          ...(m.skills.length ? [`Skills: ${m.skills.join(', ')}`] : []),
        ],
      })),
    },
    {
      title: 'Communication plan',
      items: [
        ...items(spec.communication?.channels),
        ...(report
          ? [
              {
                label: `Status report every ${report.every} on ${report.day} at ${report.at} (${project.timezone})`,
              },
            ]
          : []),
      ],
    },
  ]);
}

/** The initiation stage type. */
export const initiation: StandardStageType = {
  key: 'initiation',
  defaults: {
    name: 'Initiation & Planning',
    exitCriteria:
      'objectives, requirements, scope in/out, deliverables, timeline, budget, stakeholders, team and communication channels are all present',
    approvers: ['sponsor'],
    rule: 'all',
    approves: 'the project charter',
  },
  approvalDocument: charterApproval,
  criteriaDependOnlyOnProject: true,
  unmetCriteria: async ({ project }) => unmetCharter(project),
  approvalContent: async ({ store, project, stage, gate }): Promise<ApprovalContent> => {
    const document = await documentUnderApproval(store, project, charterApproval, gate);
    return {
      approves: stage.gate.approves,
      ...(document ? { document } : {}),
      sections: charterSections(project),
    };
  },
};
