/**
 * Helpers of the lifecycle and gate integration tests: a project registered on a fresh table of
 * DynamoDB Local, with a recording Workflow, the email notifier over a recording transport, a settable clock, an in-memory document
 * store and a logger that keeps every line.
 */
import { EmailNotifier } from '../../functions/adapters/email-notifier.js';
import type { Gate, Stage } from '../../functions/core/model.js';
import type { EmailMessage } from '../../functions/core/notifications/email/render.js';
import type { Deps } from '../../functions/core/ports.js';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { decideApproval } from '../../functions/core/use-cases/decide-approval.js';
import { enterStage } from '../../functions/core/use-cases/enter-stage.js';
import { openGate } from '../../functions/core/use-cases/open-gate.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import { upsertTask } from '../../functions/core/use-cases/staff-upsert-task.js';
import { viewApproval } from '../../functions/core/use-cases/view-approval.js';
import { makeProjectSpec, makeTestStore } from '../support/dynamo.js';
import {
  CapturingLogger,
  MemoryDocuments,
  RecordingMailer,
  RecordingWorkflow,
  SettableClock,
  START,
  testRenderer,
} from '../support/fakes.js';

export {
  CapturingLogger,
  MemoryDocuments,
  RecordingMailer,
  RecordingWorkflow,
  SettableClock,
  START,
} from '../support/fakes.js';

export const BASE_URL = 'http://127.0.0.1:3999';

export interface LifecycleFixture {
  deps: Deps;
  projectId: string;
  workflow: RecordingWorkflow;
  mailer: RecordingMailer;
  clock: SettableClock;
  documents: MemoryDocuments;
  log: CapturingLogger;
  /** Every event of the project, oldest first. */
  events(): Promise<
    { type: string; at: string; stage?: string; data?: Record<string, unknown>; summary: string }[]
  >;
  gate(stage: string): Promise<Gate>;
  stage(stage: string): Promise<Stage>;
}

let counter = 0;

/** A project registered (not started) from a valid spec with `overrides`, on its own table. */
export async function lifecycleFixture(overrides: Partial<ProjectSpecInput> = {}): Promise<LifecycleFixture> {
  const { store } = await makeTestStore();
  const workflow = new RecordingWorkflow();
  const mailer = new RecordingMailer();
  const clock = new SettableClock();
  const documents = new MemoryDocuments();
  const log = new CapturingLogger();
  const deps: Deps = {
    store,
    workflow,
    notifier: new EmailNotifier(mailer),
    documents,
    renderer: testRenderer,
    clock,
    log,
    config: {
      publicBaseUrl: BASE_URL,
      senderEmail: 'pm@msp.example',
      mspName: 'Fallback MSP',
      linkTtlDays: 21,
    },
  };
  counter++;
  const spec = makeProjectSpec({ id: `life-${counter}-${Date.now().toString(36)}`, ...overrides });
  await registerProject(deps, { file: 'test.yaml', spec, stages: resolveStages(spec) }, { start: false });
  const projectId = spec.id;
  return {
    deps,
    projectId,
    workflow,
    mailer,
    clock,
    documents,
    log,
    async events() {
      const out = [];
      let cursor: string | undefined;
      do {
        const page = await store.listEvents(projectId, { ...(cursor ? { cursor } : {}), limit: 200 });
        out.push(...page.items);
        cursor = page.cursor;
      } while (cursor);
      return out;
    },
    async gate(stage: string) {
      const gate = await store.get(projectId, 'gate', stage);
      if (!gate) throw new Error(`no gate ${stage}`);
      return gate;
    },
    async stage(stage: string) {
      const record = await store.get(projectId, 'stage', stage);
      if (!record) throw new Error(`no stage ${stage}`);
      return record;
    },
  };
}

/** The link ids in the approval emails (the last path segment of each /approve/ URL in the text body). */
export function linkIds(messages: EmailMessage[]): string[] {
  // An email may show its link twice (the page, and the document it approves with `?document=`).
  return messages.flatMap((m) => [
    ...new Set([...m.text.matchAll(/\/approve\/([A-Za-z0-9_-]+)/g)].map((x) => x[1] ?? '')),
  ]);
}

/** Counts events of a type. */
export function countEvents(events: { type: string }[], type: string): number {
  return events.filter((e) => e.type === type).length;
}

/** Decides a link the way a stakeholder does: GET the page (for its CSRF nonce), then POST the form. */
export async function decideLink(
  deps: Deps,
  linkId: string,
  decision: 'approve' | 'reject',
  comment = '',
): Promise<string> {
  const page = await viewApproval(deps, linkId);
  if (page.kind !== 'confirm') return page.kind;
  const result = await decideApproval(deps, { linkId, form: { decision, comment, csrf: page.nonce } });
  return result.kind;
}

/**
 * A project at QA whose test case "login" passed (set done by the PM), so the gate's approval
 * request went out: the fixture and the approver's link. `token` is the gate task's token.
 */
export async function qaPendingApproval(token: string): Promise<{ f: LifecycleFixture; link: string }> {
  const f = await lifecycleFixture({
    stages: [{ key: 'qa', gate: { approvers: ['approver'], rule: 'all' } }, { key: 'deployment' }],
  });
  await enterStage(f.deps, { projectId: f.projectId, stage: 'qa', executionStartedAt: START });
  await openGate(f.deps, { projectId: f.projectId, stage: 'qa', taskToken: token });
  await upsertTask(
    f.deps,
    f.projectId,
    'login',
    { name: 'Login works', stage: 'qa', status: 'done' },
    'pm@msp.example',
  );
  if ((await f.gate('qa')).status !== 'pending_approval')
    throw new Error('the QA gate is not pending approval');
  return { f, link: linkIds(f.mailer.tagged('approval-request'))[0] ?? '' };
}
