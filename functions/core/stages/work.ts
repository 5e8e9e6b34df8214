/**
 * The exit criterion shared by the stages whose work is recorded as tasks (execution, qa,
 * deployment, custom stages): every task and deliverable of the stage is done or waived with a
 * reason.
 */
import { isTaskClosed, type Task } from '../model.js';
import type { ProjectStore } from '../ports.js';
import {
  type ApprovalContent,
  type ApprovalContentInput,
  type ContentSection,
  type CriteriaInput,
  evidenceItems,
  presentSections,
  stageName,
} from './stage-type.js';

function describeTask(t: Task): string {
  const what = t.type === 'deliverable' ? 'Deliverable' : 'Task';
  const status =
    t.status === 'in_progress' ? 'in progress' : t.status === 'waived' ? 'waived without a reason' : 'to do';
  return `${what} "${t.name}" is not done (${status}).`;
}

/** Every task and deliverable of the stage is done or waived with a reason (and, when asked, there is at least one). */
export async function unmetStageWork(
  { store, project, stageKey }: CriteriaInput,
  options: { atLeastOne: boolean; noneMessage?: (stageName: string) => string },
): Promise<string[]> {
  const tasks = (await store.list(project.id, 'task')).filter((t) => t.stage === stageKey);
  const name = stageName(project, stageKey);
  if (options.atLeastOne && tasks.length === 0) {
    return [options.noneMessage?.(name) ?? `No tasks or deliverables are recorded for ${name}.`];
  }
  return tasks.filter((t) => !isTaskClosed(t)).map(describeTask);
}

/** A task's facts for the approver: status, hours, acceptance and evidence. */
function taskDetail(t: Task): string[] {
  const status =
    t.status === 'waived'
      ? `Waived: ${t.waiverReason ?? 'no reason given'}`
      : `Status: ${t.status.replace('_', ' ')}`;
  return [
    ...(t.acceptance ? [`Acceptance: ${t.acceptance}`] : []),
    ...evidenceItems(t.evidence),
    status,
    ...(t.actualHours > 0 ? [`${t.actualHours} h spent`] : []),
  ];
}

/** The approval content of a stage whose work is its tasks: the gate's `approves` and the work's sections. */
export async function stageWorkContent({
  store,
  project,
  stage,
}: ApprovalContentInput): Promise<ApprovalContent> {
  return { approves: stage.gate.approves, sections: await stageWorkSections(store, project.id, stage.key) };
}

/** The deliverables (with acceptance and evidence) and the other work done in a stage, for its approver. */
export async function stageWorkSections(
  store: ProjectStore,
  projectId: string,
  stageKey: string,
): Promise<ContentSection[]> {
  const tasks = (await store.list(projectId, 'task')).filter((t) => t.stage === stageKey);
  const toItem = (t: Task) => ({ label: t.name, detail: taskDetail(t) });
  return presentSections([
    { title: 'Deliverables', items: tasks.filter((t) => t.type === 'deliverable').map(toItem) },
    { title: 'Work done', items: tasks.filter((t) => t.type !== 'deliverable').map(toItem) },
  ]);
}
