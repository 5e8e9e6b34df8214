/**
 * The one set of test fakes for the core's ports (everything but the store): a recording
 * workflow, a recording email transport behind the real EmailNotifier, documents in memory, a
 * settable clock and a logger that keeps its lines. Stores: `MemoryProjectStore`
 * (./memory-store.ts) for unit tests, DynamoDB Local (`makeTestStore` in ./dynamo.ts) for
 * integration tests. `makeTestDeps` puts them together.
 */
import { EmailNotifier, type EmailTransport } from '../../functions/adapters/email-notifier.js';
import { PdfKitRenderer } from '../../functions/adapters/pdf-renderer.js';
import { TaskTokenGoneError } from '../../functions/core/errors.js';
import type { EmailMessage } from '../../functions/core/notifications/email/render.js';
import type {
  Clock,
  Deps,
  DocumentStore,
  Logger,
  ProjectStore,
  StoredDocument,
  Workflow,
} from '../../functions/core/ports.js';

/** The time a fake clock starts at unless told otherwise. */
export const START = '2026-12-01T09:00:00.000Z';

/** A Workflow that records every call; callbacks can be made to fail like Step Functions' do. */
export class RecordingWorkflow implements Workflow {
  readonly successes: { taskToken: string; output: unknown }[] = [];
  readonly failures: { taskToken: string; error: string; cause: string }[] = [];
  readonly starts: { projectId: string; name: string; input: unknown }[] = [];
  /** Names started; starting one again is a no-op for Step Functions too. */
  readonly executions = new Set<string>();
  /** Tokens whose task is gone (timed out): callbacks to them throw TaskTokenGoneError. */
  readonly gone = new Set<string>();
  /** When true, callbacks fail as if Step Functions could not be reached. */
  unreachable = false;

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    if (this.unreachable) throw new Error('connect ECONNREFUSED');
    if (this.gone.has(taskToken)) throw new TaskTokenGoneError('task timed out');
    this.successes.push({ taskToken, output });
  }
  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    if (this.unreachable) throw new Error('connect ECONNREFUSED');
    if (this.gone.has(taskToken)) throw new TaskTokenGoneError('task timed out');
    this.failures.push({ taskToken, error, cause });
  }
  async startExecution(projectId: string, name: string, input: unknown): Promise<void> {
    this.starts.push({ projectId, name, input });
    this.executions.add(name);
  }
  readonly stops: { projectId: string; cause: string }[] = [];
  async stopExecutions(projectId: string, cause: string): Promise<number> {
    this.stops.push({ projectId, cause });
    return 0;
  }
}

/** An email transport that keeps what the EmailNotifier rendered, or fails on demand. */
export class RecordingMailer implements EmailTransport {
  sent: EmailMessage[] = [];
  /** When set, sends for which it returns true throw (as the SES adapter does after its retries). */
  failWhen?: (m: EmailMessage) => boolean;

  async send(message: EmailMessage): Promise<{ messageId: string }> {
    if (this.failWhen?.(message)) throw new Error('SES throttled the send');
    this.sent.push(message);
    return { messageId: `m-${this.sent.length}` };
  }
  /** The messages sent to `email`. */
  to(email: string): EmailMessage[] {
    return this.sent.filter((m) => m.to.includes(email));
  }
  /** The messages with `tag` (the notification's kind). */
  tagged(tag: string): EmailMessage[] {
    return this.sent.filter((m) => m.tag === tag);
  }
}

/** Documents in memory, versioned like the real stores: `docs` holds each key's latest write. */
export class MemoryDocuments implements DocumentStore {
  readonly docs = new Map<string, { body: Uint8Array; contentType: string }>();
  /** Every write, by `<key>#<versionId>`. */
  readonly versions = new Map<string, Uint8Array>();
  private writes = 0;
  async put(key: string, body: Uint8Array, contentType: string): Promise<StoredDocument> {
    const versionId = `m${++this.writes}`;
    this.docs.set(key, { body, contentType });
    this.versions.set(`${key}#${versionId}`, body);
    return { versionId };
  }
  async get(key: string, versionId?: string): Promise<Uint8Array | undefined> {
    return versionId === undefined ? this.docs.get(key)?.body : this.versions.get(`${key}#${versionId}`);
  }
}

/**
 * The renderer tests use: the real pdfkit adapter without compression, so `pdfText` can read the
 * text back.
 */
export const testRenderer = new PdfKitRenderer({ compress: false });

/** WinAnsi's characters at 0x80-0x9F (the five bytes it leaves unassigned stay as they are). */
const WIN_ANSI_80_9F = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/** One WinAnsi byte as its character: ASCII and Latin-1 are the byte itself. */
const winAnsi = (byte: number) =>
  byte >= 0x80 && byte <= 0x9f ? WIN_ANSI_80_9F[byte - 0x80]! : String.fromCharCode(byte);

/**
 * The text of an uncompressed PDF, in drawing order: pdfkit writes each run as hex strings in a
 * TJ array, in WinAnsi (decoded here: byte 0x8A is Š). Runs are joined by one space.
 */
export function pdfText(pdf: Uint8Array): string {
  const raw = Buffer.from(pdf).toString('latin1');
  const runs: string[] = [];
  for (const m of raw.matchAll(/\[((?:<[0-9a-fA-F]*>|-?[\d.]+|\s)*)\]\s*TJ/g)) {
    const parts = [...(m[1] ?? '').matchAll(/<([0-9a-fA-F]*)>/g)].map((h) =>
      [...Buffer.from(h[1] ?? '', 'hex')].map(winAnsi).join(''),
    );
    runs.push(parts.join(''));
  }
  // A wrapped line keeps its trailing space: collapse runs of spaces.
  return runs.join(' ').replace(/\s+/g, ' ');
}

/** How many pages a PDF has. */
export function pdfPageCount(pdf: Uint8Array): number {
  return (
    Buffer.from(pdf)
      .toString('latin1')
      .match(/\/Type \/Page\b/g) ?? []
  ).length;
}

/** A clock that stays where it is set. */
export class SettableClock implements Clock {
  constructor(public at: Date = new Date(START)) {}
  now(): Date {
    return new Date(this.at);
  }
  set(iso: string): void {
    this.at = new Date(iso);
  }
  advanceDays(days: number): void {
    this.at = new Date(this.at.getTime() + days * 86_400_000);
  }
}

/** A logger that keeps every line as the JSON logger would write it. */
export class CapturingLogger implements Logger {
  readonly lines: string[] = [];
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

export interface TestDeps extends Deps {
  workflow: RecordingWorkflow;
  /** The transport under `notifier`: the emails as rendered. */
  mailer: RecordingMailer;
  documents: MemoryDocuments;
  clock: SettableClock;
}

/** Deps over `store` with a fake for every other port (replace any with `overrides`). */
export function makeTestDeps(store: ProjectStore, overrides: Partial<TestDeps> = {}): TestDeps {
  const mailer = overrides.mailer ?? new RecordingMailer();
  return {
    store,
    workflow: new RecordingWorkflow(),
    mailer,
    notifier: new EmailNotifier(mailer),
    documents: new MemoryDocuments(),
    renderer: testRenderer,
    clock: new SettableClock(),
    log: new CapturingLogger(),
    config: {
      publicBaseUrl: 'http://127.0.0.1:9999',
      senderEmail: 'milepost@msp.example',
      mspName: 'Test MSP',
      linkTtlDays: 21,
    },
    ...overrides,
  };
}
