/**
 * The project plan document: objectives, scope, deliverables, people, resources with costs, risks
 * by score, the stage timeline and the budget, as a document model (laid out as a PDF by the
 * renderer).
 *
 * The model is deterministic (sorted records, no generation time), so its content hash says
 * whether anything in the plan changed: `generatePlan` skips unchanged plans and the risk stage's
 * criteria call a plan current when building it again gives the same content hash.
 */
import type { Project, Resource, Risk, Stakeholder, TeamMember } from '../model.js';
import { money } from '../money.js';
import type { ProjectStore } from '../ports.js';
import { HIGH_RISK_SCORE } from '../spec/lifecycle.js';
import type { DocumentDraft } from './model.js';
import { purposeSections, stakeholdersSection, teamSection } from './sections.js';

/** The id of the plan's DocumentRecord within its project. */
export const PLAN_DOCUMENT_ID = 'plan';

/** The records a plan is rendered from. */
export interface PlanInput {
  project: Project;
  stakeholders: Stakeholder[];
  members: TeamMember[];
  resources: Resource[];
  risks: Risk[];
}

/** Reads what the plan of `project` shows from the store. */
export async function loadPlanInput(store: ProjectStore, project: Project): Promise<PlanInput> {
  const [stakeholders, members, resources, risks] = await Promise.all([
    store.list(project.id, 'stakeholder'),
    store.list(project.id, 'member'),
    store.list(project.id, 'resource'),
    store.list(project.id, 'risk'),
  ]);
  return { project, stakeholders, members, resources, risks };
}

export function riskScore(risk: Pick<Risk, 'likelihood' | 'impact'>): number {
  return risk.likelihood * risk.impact;
}

export function riskLevel(score: number): 'high' | 'medium' | 'low' {
  if (score >= HIGH_RISK_SCORE) return 'high';
  return score >= 6 ? 'medium' : 'low';
}

/** Risks by score, highest first (ties by id), so the plan reads the same every time. */
function sortedRisks(risks: Risk[]): Risk[] {
  return [...risks].sort((a, b) => riskScore(b) - riskScore(a) || a.id.localeCompare(b.id));
}

function byKey<T>(items: T[], key: (t: T) => string): T[] {
  return [...items].sort((a, b) => key(a).localeCompare(key(b)));
}

/** Everything the plan shows, sorted so it reads the same every time. */
function model(input: PlanInput) {
  const { project } = input;
  const spec = project.spec;
  const currency = spec.budget.currency;
  const resources = byKey(input.resources, (r) => r.id);
  const resourceTotal = resources.reduce((sum, r) => sum + r.cost, 0);
  return {
    project,
    spec,
    currency,
    stakeholders: byKey(input.stakeholders, (s) => s.email),
    members: byKey(input.members, (m) => m.email),
    resources,
    resourceTotal,
    risks: sortedRisks(input.risks),
    stages: [...project.stages].sort((a, b) => a.order - b.order),
  };
}

function gateText(rule: Project['stages'][number]['gate']['rule'], approvers: string[]): string {
  if (rule === 'auto') return 'automatic when the exit criteria hold';
  const who = approvers.join(', ');
  if (rule === 'all') return `all of ${who}`;
  if (rule === 'any') return `any of ${who}`;
  return `${rule.quorum} of ${who}`;
}

/** The plan of a project as a document model. */
export function planDocument(input: PlanInput): DocumentDraft {
  const m = model(input);
  const { spec, project } = m;
  return {
    title: 'Project plan',
    projectName: project.name,
    author: project.mspName,
    meta: [
      `Customer: ${project.customerName}`,
      `Prepared by ${project.mspName}`,
      `Timeline: ${spec.timeline.start} to ${spec.timeline.end} (${project.timezone})`,
      `Budget: ${money(spec.budget.amount, m.currency)}, ${spec.budget.hours} hours`,
    ],
    sections: [
      ...purposeSections(spec),
      {
        heading: 'Deliverables',
        blocks: [
          {
            type: 'table',
            columns: ['Deliverable', 'Stage', 'Acceptance'],
            rows: spec.deliverables.map((d) => [d.name, d.stage, d.acceptance]),
          },
        ],
      },
      stakeholdersSection(m.stakeholders),
      teamSection(m.members),
      {
        heading: 'Resources',
        blocks: [
          {
            type: 'table',
            columns: ['Kind', 'Name', 'Quantity', 'Cost'],
            rows: [
              ...m.resources.map((r) => [r.kind, r.name, String(r.quantity), money(r.cost, m.currency)]),
              ['', 'Total', '', money(m.resourceTotal, m.currency)],
            ],
          },
        ],
      },
      {
        heading: 'Risks',
        blocks: [
          {
            type: 'table',
            columns: ['Risk', 'Likelihood', 'Impact', 'Score', 'Owner', 'Mitigation', 'Status'],
            rows: m.risks.map((r) => {
              const score = riskScore(r);
              return [
                r.title,
                String(r.likelihood),
                String(r.impact),
                `${score} (${riskLevel(score)})`,
                r.owner ?? '-',
                r.mitigation ?? '-',
                r.status,
              ];
            }),
            empty: 'No risks are recorded.',
          },
        ],
      },
      {
        heading: 'Stage timeline',
        blocks: [
          {
            type: 'table',
            columns: ['#', 'Stage', 'Due', 'Gate'],
            rows: m.stages.map((s) => [
              String(s.order + 1),
              s.name,
              s.due ?? 'not set',
              gateText(s.gate.rule, s.gate.approvers),
            ]),
          },
          { type: 'paragraph', text: `Support (hypercare) after go-live: ${spec.support.days} days.` },
        ],
      },
      {
        heading: 'Communication',
        blocks: [
          {
            type: 'paragraph',
            text: `Channels: ${spec.communication.channels.join(', ')}. Status report every ${spec.communication.statusReport.every} on ${spec.communication.statusReport.day} at ${spec.communication.statusReport.at}.`,
          },
        ],
      },
    ],
  };
}
