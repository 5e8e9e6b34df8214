/**
 * The executions the local Step Functions service knows: this run's and, when a file is given,
 * earlier runs' (a restarted runtime lists them, as AWS keeps an execution history). Writes are
 * serialized and atomic (temporary file + rename); a process that stopped took its running
 * executions with it, so they load as ABORTED.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from 'zod';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One execution as DescribeExecution shows it, plus the states it entered. */
export interface LocalExecution {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  /** Clock time (epoch ms). */
  startDate: number;
  stopDate?: number;
  /** States entered so far. */
  transitions: number;
}

const statusSchema = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
const persistedSchema = z.array(
  z.object({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    stateMachineName: z.string(),
    name: z.string(),
    status: statusSchema,
    input: z.string(),
    output: z.string().optional(),
    error: z.string().optional(),
    cause: z.string().optional(),
    startDate: z.number(),
    stopDate: z.number().optional(),
    transitions: z.number(),
  }),
);

/** Every execution by ARN, oldest first, optionally kept in a JSON file. */
export class ExecutionHistory {
  private readonly executions = new Map<string, LocalExecution>();
  private writing: Promise<void> = Promise.resolve();

  /** @param file keeps the history across runs (none: in memory only) */
  constructor(private readonly file?: string) {}

  /** Reads the file, if any; an unreadable or absent one starts the history empty. */
  async load(): Promise<void> {
    if (!this.file) return;
    try {
      const raw: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      for (const e of persistedSchema.parse(raw)) {
        // A process that stopped took its running executions with it.
        if (e.status === 'RUNNING') Object.assign(e, { status: 'ABORTED', stopDate: e.startDate });
        this.executions.set(e.executionArn, e);
      }
    } catch {
      // No history yet (or unreadable): start empty.
    }
  }

  get(executionArn: string): LocalExecution | undefined {
    return this.executions.get(executionArn);
  }

  add(execution: LocalExecution): void {
    this.executions.set(execution.executionArn, execution);
  }

  /** Every execution (of one state machine when named), oldest first. */
  list(stateMachineName?: string): LocalExecution[] {
    return [...this.executions.values()].filter(
      (e) => !stateMachineName || e.stateMachineName === stateMachineName,
    );
  }

  /** Writes a snapshot after the writes already queued (a no-op without a file). */
  save(): void {
    const file = this.file;
    if (!file) return;
    const snapshot = JSON.stringify([...this.executions.values()]);
    this.writing = this.writing
      .then(async () => {
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
        await writeFile(`${file}.tmp`, snapshot, { mode: 0o600 });
        await rename(`${file}.tmp`, file);
      })
      .catch(() => undefined);
  }

  /** Resolves once every queued write is done. */
  flushed(): Promise<void> {
    return this.writing;
  }
}
