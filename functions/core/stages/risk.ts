/**
 * Risk Assessment & Mitigation: every risk is scored, every high risk has an owner and a
 * mitigation, and the project plan document is generated and current. The sponsor approves the
 * plan document in one exact version: the plan is generated before approvals are requested and
 * its version is recorded on the gate, shown in the approval request and linked from the page.
 */
import { contentSha256 } from '../documents/model.js';
import { loadPlanInput, PLAN_DOCUMENT_ID, planDocument, riskScore } from '../documents/plan.js';
import { HIGH_RISK_SCORE } from '../spec/lifecycle.js';
import {
  type ApprovalContent,
  type ApprovalDocument,
  documentUnderApproval,
  type StandardStageType,
} from './stage-type.js';

const scored = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 5;
const present = (s: string | undefined) => Boolean(s?.trim());

/**
 * The project plan document, generated before approvals are requested (documents.ts) and approved
 * in the version current then.
 */
const planApproval: ApprovalDocument = { id: PLAN_DOCUMENT_ID, name: 'project plan document' };

/** The risk stage type. */
export const risk: StandardStageType = {
  key: 'risk',
  defaults: {
    name: 'Risk Assessment & Mitigation',
    exitCriteria:
      'every risk is scored, every high risk has an owner and a mitigation, the project plan document is generated',
    approvers: ['sponsor'],
    rule: 'all',
    approves: 'the project plan document',
  },
  approvalDocument: planApproval,

  criteriaDependOnlyOnProject: true,
  /** Risks scored, high risks owned and mitigated, the plan document generated and current. */
  async unmetCriteria({ store, project }) {
    const input = await loadPlanInput(store, project);
    const unmet: string[] = [];
    for (const r of input.risks) {
      if (r.status === 'closed') continue;
      if (!scored(r.likelihood) || !scored(r.impact)) {
        unmet.push(`Risk "${r.title}" is not scored (likelihood and impact 1-5).`);
        continue;
      }
      const score = riskScore(r);
      if (score < HIGH_RISK_SCORE) continue;
      if (!present(r.owner)) unmet.push(`High risk "${r.title}" (score ${score}) has no owner.`);
      if (!present(r.mitigation)) unmet.push(`High risk "${r.title}" (score ${score}) has no mitigation.`);
    }
    const plan = await store.get(project.id, 'document', PLAN_DOCUMENT_ID);
    if (!plan) {
      unmet.push('The project plan document has not been generated yet.');
    } else if (plan.contentSha256 !== contentSha256(planDocument(input))) {
      unmet.push(
        `The project plan document (v${plan.docVersion}) is out of date: risks, resources, team or stakeholders changed since; generate it again.`,
      );
    }
    return unmet;
  },

  async approvalContent({ store, project, stage, gate }): Promise<ApprovalContent> {
    const document = await documentUnderApproval(store, project, planApproval, gate);
    return { approves: stage.gate.approves, ...(document ? { document } : {}) };
  },
};
