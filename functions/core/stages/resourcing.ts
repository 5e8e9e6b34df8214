/**
 * Resource Allocation: every required skill is covered, nobody is over-allocated, the software,
 * hardware, tools and services are listed with their cost. The gate passes automatically.
 */
import { metadataOnlyContent, type StandardStageType } from './stage-type.js';

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
  async unmetCriteria({ store, project }) {
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
    if (resources.length === 0)
      unmet.push('No software, hardware, tools or services are listed as resources.');
    for (const r of resources) {
      if (typeof r.cost !== 'number' || !Number.isFinite(r.cost) || r.cost < 0) {
        unmet.push(`Resource "${r.name}" has no cost.`);
      }
    }
    return unmet;
  },
  approvalContent: metadataOnlyContent,
};
