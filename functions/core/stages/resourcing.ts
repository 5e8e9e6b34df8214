/**
 * Resource Allocation: every required skill is covered, nobody is over-allocated (in this project,
 * nor across the active projects whose stage windows overlap: see capacity.ts), the software,
 * hardware, tools and services are listed with their cost. The gate passes automatically. Its pass
 * is ordered against allocation writes in the other projects (allocation-order.ts): the criteria
 * read the portfolio's allocations counter first (progressGate, decideApproval) and the pass
 * checks it unchanged.
 */
import { loadActiveAllocations, overAllocations } from '../capacity.js';
import { money, presentSections, type StandardStageType } from './stage-type.js';

/** The resourcing stage type. */
export const resourcing: StandardStageType = {
  key: 'resourcing',
  defaults: {
    name: 'Resource Allocation',
    exitCriteria:
      'every required role and skill is assigned, nobody is over-allocated, software/hardware/tools are listed with cost',
    approvers: [],
    rule: 'auto',
    approves: 'the resource plan',
  },
  // Over-allocation counts the same people's allocations in the other active projects (capacity.ts).
  criteriaDependOnlyOnProject: false,
  async unmetCriteria({ store, project, now }) {
    const [members, resources] = await Promise.all([
      store.list(project.id, 'member'),
      store.list(project.id, 'resource'),
    ]);
    const unmet: string[] = [];
    if (members.length === 0) unmet.push('No team member is assigned to the project.');
    const skills = new Set(members.flatMap((m) => m.skills.map((s) => s.trim().toLowerCase())));
    for (const skill of project.spec.requiredSkills ?? []) {
      if (!skills.has(skill.trim().toLowerCase()))
        unmet.push(`No team member has the required skill "${skill}".`);
    }
    const allocation = new Map<string, { name: string; percent: number }>();
    for (const m of members) {
      const key = m.email.toLowerCase();
      const entry = allocation.get(key) ?? { name: m.name, percent: 0 };
      entry.percent += m.allocation;
      allocation.set(key, entry);
    }
    for (const { name, percent } of allocation.values()) {
      if (percent > 100) unmet.push(`${name} is allocated ${percent}% of their time (more than 100%).`);
    }
    // Across projects: the same person's allocations in every active project that overlaps (capacity.ts).
    if (members.length > 0) {
      const others = await loadActiveAllocations(store);
      unmet.push(...overAllocations({ project, members }, others, now));
    }
    if (resources.length === 0)
      unmet.push('No software, hardware, tools or services are listed as resources.');
    for (const r of resources) {
      if (typeof r.cost !== 'number' || !Number.isFinite(r.cost) || r.cost < 0) {
        unmet.push(`Resource "${r.name}" has no cost.`);
      }
    }
    return unmet;
  },
  /** The allocations and the resources with their cost (shown when the spec gates the stage). */
  async approvalContent({ store, project, stage }) {
    const [members, resources] = await Promise.all([
      store.list(project.id, 'member'),
      store.list(project.id, 'resource'),
    ]);
    const currency = project.spec.budget.currency;
    const total = resources.reduce((sum, r) => sum + (Number.isFinite(r.cost) ? r.cost : 0), 0);
    return {
      approves: stage.gate.approves,
      sections: presentSections([
        {
          title: 'Allocations',
          items: members.map((m) => ({
            label: m.name,
            detail: [
              m.role,
              `${m.allocation}% of their time`,
              ...(m.skills.length ? [`Skills: ${m.skills.join(', ')}`] : []),
            ],
          })),
          empty: 'Nobody is allocated yet.',
        },
        {
          title: `Resources (total ${money(total, currency)})`,
          items: resources.map((r) => ({
            label: r.name,
            detail: [r.kind, `Quantity ${r.quantity}`, `Cost ${money(r.cost, currency)}`],
          })),
          empty: 'No resources are listed.',
        },
      ]),
    };
  },
};
