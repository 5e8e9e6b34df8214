/**
 * The project plan document: objectives, scope, people, resources with costs, risks by score,
 * the stage timeline and the budget, as HTML (every value escaped) and as Markdown.
 *
 * The rendering is deterministic (no generation time, no version number inside), so the SHA-256
 * of the HTML says whether anything in the plan changed: `generatePlan` skips unchanged plans and
 * the risk stage's criteria call a plan current when rendering it again gives the same hash.
 */
import { createHash } from 'node:crypto';
import { html, raw, type SafeHtml } from '../html.js';
import type { Project, Resource, Risk, Stakeholder, TeamMember } from '../model.js';
import { money } from '../money.js';
import type { ProjectStore } from '../ports.js';
import { HIGH_RISK_SCORE } from '../spec/lifecycle.js';

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

export interface RenderedPlan {
  html: string;
  markdown: string;
  /** SHA-256 (hex) of `html`. */
  sha256: string;
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

/** Everything the two renderings show, computed once. */
function model(input: PlanInput) {
  const { project } = input;
  const spec = project.spec;
  const currency = spec.budget.currency;
  const resources = byKey(input.resources, (r) => r.id);
  const resourceTotal = resources.reduce((sum, r) => sum + r.cost, 0);
  return {
    title: `Project plan: ${project.name}`,
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

const CSS =
  'body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2933;max-width:960px;margin:0 auto;padding:16px;line-height:1.5}' +
  'table{border-collapse:collapse;width:100%;margin:0 0 16px}th,td{border:1px solid #d9dde3;padding:4px 8px;text-align:left;vertical-align:top}' +
  'th{background:#f4f5f7}td.num{text-align:right}.high{color:#b42318;font-weight:600}h2{margin-top:24px}';

function list(items: string[]): SafeHtml {
  if (items.length === 0) return html`<p>None.</p>`;
  return html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`;
}

/** The plan as a standalone HTML page; every value from the spec or the records is escaped. */
export function renderPlanHtml(input: PlanInput): string {
  const m = model(input);
  const { spec, project } = m;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${m.title}</title>
<style>${raw(CSS)}</style>
</head>
<body>
<p>${project.mspName} &middot; ${project.customerName}</p>
<h1>${m.title}</h1>
<p>Timeline: ${spec.timeline.start} to ${spec.timeline.end} (${project.timezone}).
Budget: ${money(spec.budget.amount, m.currency)}, ${spec.budget.hours} hours.</p>
<h2>Objectives</h2>
${list(spec.objectives)}
<h2>Requirements</h2>
${list(spec.requirements)}
<h2>Scope</h2>
<h3>In scope</h3>
${list(spec.scope.in)}
<h3>Out of scope</h3>
${list(spec.scope.out)}
<h2>Deliverables</h2>
<table><thead><tr><th>Deliverable</th><th>Stage</th><th>Acceptance</th></tr></thead><tbody>
${spec.deliverables.map((d) => html`<tr><td>${d.name}</td><td>${d.stage}</td><td>${d.acceptance}</td></tr>`)}
</tbody></table>
<h2>Stakeholders</h2>
<table><thead><tr><th>Name</th><th>Role</th><th>Email</th></tr></thead><tbody>
${m.stakeholders.map((s) => html`<tr><td>${s.name}</td><td>${s.role}</td><td>${s.email}</td></tr>`)}
</tbody></table>
<h2>Team</h2>
<table><thead><tr><th>Name</th><th>Role</th><th>Skills</th><th>Allocation</th></tr></thead><tbody>
${m.members.map(
  (t) =>
    html`<tr><td>${t.name}</td><td>${t.role}</td><td>${t.skills.join(', ')}</td><td class="num">${t.allocation}%</td></tr>`,
)}
</tbody></table>
<h2>Resources</h2>
<table><thead><tr><th>Kind</th><th>Name</th><th>Quantity</th><th>Cost</th></tr></thead><tbody>
${m.resources.map(
  (r) =>
    html`<tr><td>${r.kind}</td><td>${r.name}</td><td class="num">${r.quantity}</td><td class="num">${money(r.cost, m.currency)}</td></tr>`,
)}
<tr><th colspan="3">Total</th><th class="num">${money(m.resourceTotal, m.currency)}</th></tr>
</tbody></table>
<h2>Risks</h2>
<table><thead><tr><th>Risk</th><th>Likelihood</th><th>Impact</th><th>Score</th><th>Owner</th><th>Mitigation</th><th>Status</th></tr></thead><tbody>
${m.risks.map((r) => {
  const score = riskScore(r);
  const level = riskLevel(score);
  return html`<tr><td>${r.title}</td><td class="num">${r.likelihood}</td><td class="num">${r.impact}</td><td class="num${level === 'high' ? ' high' : ''}">${score} (${level})</td><td>${r.owner ?? '-'}</td><td>${r.mitigation ?? '-'}</td><td>${r.status}</td></tr>`;
})}
</tbody></table>
<h2>Stage timeline</h2>
<table><thead><tr><th>#</th><th>Stage</th><th>Due</th><th>Gate</th></tr></thead><tbody>
${m.stages.map(
  (s) =>
    html`<tr><td class="num">${s.order + 1}</td><td>${s.name}</td><td>${s.due ?? 'not set'}</td><td>${gateText(s.gate.rule, s.gate.approvers)}</td></tr>`,
)}
</tbody></table>
<p>Support (hypercare) after go-live: ${spec.support.days} days.</p>
<h2>Communication</h2>
<p>Channels: ${spec.communication.channels.join(', ')}. Status report every ${spec.communication.statusReport.every} on ${spec.communication.statusReport.day} at ${spec.communication.statusReport.at}.</p>
</body>
</html>
`.toString();
}

function gateText(rule: Project['stages'][number]['gate']['rule'], approvers: string[]): string {
  if (rule === 'auto') return 'automatic when the exit criteria hold';
  const who = approvers.join(', ');
  if (rule === 'all') return `all of ${who}`;
  if (rule === 'any') return `any of ${who}`;
  return `${rule.quorum} of ${who}`;
}

/** Escapes Markdown's inline markup characters (and `<`), so user text stays text wherever the Markdown is rendered. */
function md(value: string | number): string {
  return String(value)
    .replace(/[\\`*_[\]|<>~]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

/** The same plan as Markdown (for plain-text readers and emails). */
export function renderPlanMarkdown(input: PlanInput): string {
  const m = model(input);
  const { spec, project } = m;
  const bullets = (items: string[]) => (items.length ? items.map((i) => `- ${md(i)}`).join('\n') : 'None.');
  const row = (cells: (string | number)[]) => `| ${cells.map(md).join(' | ')} |`;
  const table = (head: string[], rows: (string | number)[][]) =>
    [row(head), `|${head.map(() => ' --- ').join('|')}|`, ...rows.map(row)].join('\n');
  return [
    `# ${md(m.title)}`,
    `${md(project.mspName)} for ${md(project.customerName)}`,
    `Timeline: ${md(spec.timeline.start)} to ${md(spec.timeline.end)} (${md(project.timezone)}). Budget: ${md(money(spec.budget.amount, m.currency))}, ${md(spec.budget.hours)} hours.`,
    '## Objectives',
    bullets(spec.objectives),
    '## Requirements',
    bullets(spec.requirements),
    '## Scope',
    '### In scope',
    bullets(spec.scope.in),
    '### Out of scope',
    bullets(spec.scope.out),
    '## Deliverables',
    table(
      ['Deliverable', 'Stage', 'Acceptance'],
      spec.deliverables.map((d) => [d.name, d.stage, d.acceptance]),
    ),
    '## Stakeholders',
    table(
      ['Name', 'Role', 'Email'],
      m.stakeholders.map((s) => [s.name, s.role, s.email]),
    ),
    '## Team',
    table(
      ['Name', 'Role', 'Skills', 'Allocation'],
      m.members.map((t) => [t.name, t.role, t.skills.join(', '), `${t.allocation}%`]),
    ),
    '## Resources',
    table(
      ['Kind', 'Name', 'Quantity', 'Cost'],
      [
        ...m.resources.map((r) => [r.kind, r.name, r.quantity, money(r.cost, m.currency)]),
        ['', 'Total', '', money(m.resourceTotal, m.currency)],
      ],
    ),
    '## Risks',
    table(
      ['Risk', 'Likelihood', 'Impact', 'Score', 'Owner', 'Mitigation', 'Status'],
      m.risks.map((r) => {
        const score = riskScore(r);
        return [
          r.title,
          r.likelihood,
          r.impact,
          `${score} (${riskLevel(score)})`,
          r.owner ?? '-',
          r.mitigation ?? '-',
          r.status,
        ];
      }),
    ),
    '## Stage timeline',
    table(
      ['#', 'Stage', 'Due', 'Gate'],
      m.stages.map((s) => [s.order + 1, s.name, s.due ?? 'not set', gateText(s.gate.rule, s.gate.approvers)]),
    ),
    `Support (hypercare) after go-live: ${md(spec.support.days)} days.`,
    '## Communication',
    `Channels: ${md(spec.communication.channels.join(', '))}. Status report every ${md(spec.communication.statusReport.every)} on ${md(spec.communication.statusReport.day)} at ${md(spec.communication.statusReport.at)}.`,
    '',
  ].join('\n\n');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Both renderings and the hash that identifies the plan's content. */
export function renderPlan(input: PlanInput): RenderedPlan {
  const rendered = renderPlanHtml(input);
  return { html: rendered, markdown: renderPlanMarkdown(input), sha256: sha256Hex(rendered) };
}
