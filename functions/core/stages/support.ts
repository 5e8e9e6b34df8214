/**
 * Project Completion & Support: entering the stage starts the hypercare period (`support.days`
 * of the spec); the workflow waits until it ends before the gate opens. The gate passes
 * automatically once the period has elapsed and no support issue (a task of the stage) is open;
 * the close-out report PDF is produced when the gate opens (a gated support stage's approvers
 * approve it) and its final version at close.
 */

import { CLOSEOUT_DOCUMENT_ID } from '../documents/closeout.js';
import { isTaskClosed } from '../model.js';
import { days, localDateTime } from '../time.js';
import {
  type ApprovalContent,
  type ApprovalDocument,
  documentUnderApproval,
  type StandardStageType,
} from './stage-type.js';

/**
 * The close-out report PDF: produced when the gate opens (documents.ts; its approvers, if any,
 * approve it) and again at close.
 */
const closeoutApproval: ApprovalDocument = { id: CLOSEOUT_DOCUMENT_ID, name: 'close-out report' };

/** The support stage type. */
export const support: StandardStageType = {
  key: 'support',
  defaults: {
    name: 'Project Completion & Support',
    exitCriteria: 'the support (hypercare) period has elapsed and no support issue is open',
    approvers: [],
    rule: 'auto',
    approves: 'project close-out',
  },
  waitsFor: 'period',
  approvalDocument: closeoutApproval,

  /** The hypercare period starts now and lasts the spec's `support.days`. */
  enter: ({ project, now }) => ({
    supportUntil: new Date(now.getTime() + days(project.spec.support.days)).toISOString(),
  }),

  criteriaDependOnlyOnProject: true,
  /** The hypercare period is over and no support issue is open. */
  async unmetCriteria({ store, project, stageKey, now }) {
    const [stage, tasks] = await Promise.all([
      store.get(project.id, 'stage', stageKey),
      store.list(project.id, 'task'),
    ]);
    const unmet: string[] = [];
    if (!stage?.supportUntil) {
      unmet.push('The support period has not started yet.');
    } else if (now.getTime() < Date.parse(stage.supportUntil)) {
      unmet.push(`The support period runs until ${formatDay(stage.supportUntil, project.timezone)}.`);
    }
    for (const t of tasks) {
      if (t.stage === stageKey && !isTaskClosed(t)) unmet.push(`Support issue "${t.name}" is still open.`);
    }
    return unmet;
  },

  async approvalContent({ store, project, stage, gate }): Promise<ApprovalContent> {
    const document = await documentUnderApproval(store, project, closeoutApproval, gate);
    return { approves: stage.gate.approves, ...(document ? { document } : {}) };
  },
};

/** YYYY-MM-DD HH:MM (zone) in the project's time zone. */
function formatDay(iso: string, timezone: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${localDateTime(date, timezone)} (${timezone})`;
}
