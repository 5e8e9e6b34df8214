/**
 * Helpers of the lifecycle and gate integration tests: a project registered on a fresh table of
 * DynamoDB Local, with a recording Workflow, the email notifier over a recording transport, a settable clock, an in-memory document
 * store and a logger that keeps every line.
 */
import { EmailNotifier, type EmailTransport } from '../../functions/adapters/email-notifier.js';
import { TaskTokenGoneError } from '../../functions/core/errors.js';
import type { Gate, Stage } from '../../functions/core/model.js';
import type { EmailMessage } from '../../functions/core/notifications/email/render.js';
import type { Clock, Deps, DocumentStore, Logger, Workflow } from '../../functions/core/ports.js';
import type { ProjectSpecInput } from '../../functions/core/spec/schema.js';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { decideApproval } from '../../functions/core/use-cases/decide-approval.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import { viewApproval } from '../../functions/core/use-cases/view-approval.js';
import { makeProjectSpec, makeTestStore } from '../support/dynamo.js';

export const BASE_URL = 'http://127.0.0.1:3999';
export const START = '2026-12-01T09:00:00.000Z';

export class RecordingWorkflow implements Workflow {
  successes: { token: string; output: unknown }[] = [];
  failures: { token: string; error: string; cause: string }[] = [];
  starts: { projectId: string; name: string; input: unknown }[] = [];
  /** Tokens whose task is gone (timed out): callbacks to them throw TaskTokenGoneError. */
  gone = new Set<string>();
  /** When true, callbacks fail as if Step Functions could not be reached. */
  unreachable = false;

  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    if (this.unreachable) throw new Error('connect ECONNREFUSED');
    if (this.gone.has(token)) throw new TaskTokenGoneError('task timed out');
    this.successes.push({ token, output });
  }
  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    if (this.gone.has(token)) throw new TaskTokenGoneError('task timed out');
    this.failures.push({ token, error, cause });
  }
  async startExecution(projectId: string, name: string, input: unknown): Promise<void> {
    this.starts.push({ projectId, name, input });
  }
}

/** An email transport that records what the EmailNotifier rendered (or fails on demand). */
export class RecordingMailer implements EmailTransport {
  sent: EmailMessage[] = [];
  /** When set, sends for which it returns true throw (as the SES adapter does after its retries). */
  failWhen?: (m: EmailMessage) => boolean;

  async send(message: EmailMessage): Promise<{ messageId: string }> {
    if (this.failWhen?.(message)) throw new Error('SES throttled the send');
    this.sent.push(message);
    return { messageId: `m-${this.sent.length}` };
  }
  to(email: string): EmailMessage[] {
    return this.sent.filter((m) => m.to.includes(email));
  }
  tagged(tag: string): EmailMessage[] {
    return this.sent.filter((m) => m.tag === tag);
  }
}

export class SettableClock implements Clock {
  constructor(public at: Date = new Date(START)) {}
  now(): Date {
    return new Date(this.at);
  }
  advanceDays(days: number): void {
    this.at = new Date(this.at.getTime() + days * 86_400_000);
  }
}

export class MemoryDocuments implements DocumentStore {
  docs = new Map<string, { body: string; contentType: string }>();
  async put(key: string, body: string, contentType: string): Promise<void> {
    this.docs.set(key, { body, contentType });
  }
  async get(key: string): Promise<string | undefined> {
    return this.docs.get(key)?.body;
  }
}

export class CapturingLogger implements Logger {
  lines: string[] = [];
  info(message: string, fields?: Record<string, unknown>): void {
    this.lines.push(JSON.stringify({ level: 'info', message, ...fields }));
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.lines.push(JSON.stringify({ level: 'warn', message, ...fields }));
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.lines.push(JSON.stringify({ level: 'error', message, ...fields }));
  }
}

export interface LifecycleFixture {
  deps: Deps;
  projectId: string;
  workflow: RecordingWorkflow;
  mailer: RecordingMailer;
  clock: SettableClock;
  documents: MemoryDocuments;
  log: CapturingLogger;
  /** Every event of the project, oldest first. */
  events(): Promise<{ type: string; stage?: string; data?: Record<string, unknown>; summary: string }[]>;
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
  return messages.flatMap((m) => [...m.text.matchAll(/\/approve\/([A-Za-z0-9_-]+)/g)].map((x) => x[1] ?? ''));
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
