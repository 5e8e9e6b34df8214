/**
 * Staff writes on one project at once (`BENCH_ONLY=contention`): while a project's current gate
 * is open, every write of a record the exit criteria read commits that gate too (gate-guard.ts),
 * so concurrent writes to one project serialise on the gate item and the losers retry (bounded,
 * jittered). This measures what that costs: N writes at once (new tasks and time entries, half
 * each; N = 1, 5, 20), a few rounds each, through the real use cases on DynamoDB Local, once with
 * the initiation gate open (`pending_approval`) and once with it decided (no gate is written),
 * the comparison. Per N: p50 and p99 latency of the writes that landed, the commits that
 * conflicted (counted by a wrapper around the store's commit; the use case retries each, except
 * the last attempt of a write that gave up) and the writes that failed (gave up after their last
 * attempt, or any other error), named in the line.
 *
 * Time entries also share the project's ledger (its running totals), so they conflict with each
 * other whatever the gate; new tasks conflict only on the gate. A last line: new tasks that are
 * assigned to someone, at once, gate decided: each bumps the project's assignments counter
 * (staff-remove-record.ts), so they conflict with each other on that item and retry.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseDocument } from 'yaml';
import { EmailNotifier } from '../functions/adapters/email-notifier.js';
import { PdfKitRenderer } from '../functions/adapters/pdf-renderer.js';
import { ConflictError } from '../functions/core/errors.js';
import type { Deps, ProjectStore } from '../functions/core/ports.js';
import { parseSpec } from '../functions/core/spec/load.js';
import { localDate } from '../functions/core/time.js';
import { enterStage } from '../functions/core/use-cases/enter-stage.js';
import { openGate } from '../functions/core/use-cases/open-gate.js';
import { recordTimeEntry } from '../functions/core/use-cases/record-time-entry.js';
import { registerProject } from '../functions/core/use-cases/register-project.js';
import { upsertTask } from '../functions/core/use-cases/staff-upsert-task.js';
import { withLocalTable } from './local-table.js';
import { MemoryDocuments, percentile } from './support.js';

const SPEC = 'projects/brightsmile-m365.yaml';
/** A team member of the spec (an engineer, priced by its rate card): who records the time. */
const PERSON = 'marco.rossi@northwind.example';
const CONCURRENCY = [1, 5, 20];
/** Writes measured per N (at least 3 rounds): enough for a p99 at c=1 without a long run. */
const WRITES_PER_N = 40;

/** Figures of one N in one setting (gate open or decided). */
interface Figures {
  latencies: number[];
  /** Commits that conflicted, by the kind of write. */
  conflicts: { task: number; time: number };
  failed: number;
  /** The failed writes, counted by kind of write and error name (e.g. `task ConflictError`). */
  failures: Map<string, number>;
}

/** Prints the contention lines (see the module doc). */
export async function benchContention(): Promise<void> {
  console.log(
    '\n## Staff writes on one project at once (new tasks and time entries, half each), gate open vs decided, on DynamoDB Local',
  );
  await withLocalTable({ prefix: 'contend' }, async ({ store: real }) => {
    // The store the use cases see: the real one, with every commit that conflicted counted
    // by the kind of write that made it (the write runs in a context that names it).
    const conflicts = { task: 0, time: 0, assign: 0 };
    const kindOfWrite = new AsyncLocalStorage<keyof typeof conflicts>();
    const store = Object.create(real) as ProjectStore;
    store.commit = async (changes, events, removals, options) => {
      try {
        return await real.commit(changes, events, removals, options);
      } catch (error) {
        const kind = kindOfWrite.getStore();
        if (error instanceof ConflictError && kind) conflicts[kind]++;
        throw error;
      }
    };
    const deps: Deps = {
      store,
      workflow: {
        sendTaskSuccess: async () => {},
        sendTaskFailure: async () => {},
        startExecution: async () => {},
        stopExecutions: async () => 0,
      },
      notifier: new EmailNotifier({ send: async () => ({ messageId: randomUUID() }) }),
      documents: new MemoryDocuments(),
      renderer: new PdfKitRenderer(),
      clock: { now: () => new Date() },
      log: { info: () => {}, warn: () => {}, error: () => {} },
      config: {
        publicBaseUrl: 'http://127.0.0.1:8080',
        senderEmail: 'projects@msp.example',
        mspName: 'Bench MSP',
        linkTtlDays: 21,
      },
    };
    const base = readFileSync(SPEC, 'utf8');
    /** A project at its initiation gate with the approval requests out (`pending_approval`). */
    const projectWithOpenGate = async (projectId: string) => {
      const doc = parseDocument(base);
      doc.set('id', projectId);
      await registerProject(deps, parseSpec(doc.toString(), `${projectId}.yaml`), { start: false });
      await enterStage(deps, {
        projectId,
        stage: 'initiation',
        executionStartedAt: new Date().toISOString(),
      });
      await openGate(deps, { projectId, stage: 'initiation', taskToken: `token-${projectId}` });
      const gate = await real.get(projectId, 'gate', 'initiation');
      if (gate?.status !== 'pending_approval')
        throw new Error(`the initiation gate is ${gate?.status ?? 'missing'}, not pending_approval`);
      return gate;
    };
    const open = 'contend-open';
    await projectWithOpenGate(open);
    // The comparison: the same project with its gate decided (approved), so no write commits it.
    const decided = 'contend-decided';
    const gate = await projectWithOpenGate(decided);
    await real.commit([{ ...gate, status: 'approved' }]);

    // Today where the project is (a time entry may not be dated later), read once, outside the timings.
    const spec = await real.getProject(open);
    const date = localDate(new Date(), spec?.timezone ?? 'UTC');
    let writes = 0;
    /** One staff write, alternately a new task (of a later stage: the gate's criteria stay met) and a time entry. */
    const write = async (projectId: string): Promise<number> => {
      const n = writes++;
      const start = performance.now();
      const kind = n % 2 === 0 ? 'task' : 'time';
      try {
        if (kind === 'task') {
          await kindOfWrite.run('task', () =>
            upsertTask(deps, projectId, `bench-${n}`, { name: `Bench task ${n}`, stage: 'support' }, PERSON),
          );
        } else {
          await kindOfWrite.run('time', () =>
            recordTimeEntry(deps, projectId, { person: PERSON, date, hours: 0.1 }, PERSON),
          );
        }
      } catch (error) {
        // Named by the kind of write, for the line: e.g. "2 time entry ConflictError".
        throw new Error(
          `${kind === 'task' ? 'task' : 'time entry'} ${error instanceof Error ? error.name : 'error'}`,
        );
      }
      return performance.now() - start;
    };
    const measure = async (projectId: string, c: number): Promise<Figures> => {
      const figures: Figures = {
        latencies: [],
        conflicts: { task: 0, time: 0 },
        failed: 0,
        failures: new Map(),
      };
      const rounds = Math.max(3, Math.ceil(WRITES_PER_N / c));
      for (let round = 0; round < rounds; round++) {
        const before = { ...conflicts };
        const settled = await Promise.allSettled(Array.from({ length: c }, () => write(projectId)));
        figures.conflicts.task += conflicts.task - before.task;
        figures.conflicts.time += conflicts.time - before.time;
        for (const s of settled) {
          if (s.status === 'fulfilled') figures.latencies.push(s.value);
          else {
            figures.failed++;
            const name = s.reason instanceof Error ? s.reason.message : 'unknown';
            figures.failures.set(name, (figures.failures.get(name) ?? 0) + 1);
          }
        }
      }
      return figures;
    };
    // Warm-up (clients, connections, the JVM's JIT), not counted.
    for (let i = 0; i < 3; i++) await Promise.allSettled(Array.from({ length: 5 }, () => write(decided)));

    const f1 = (n: number) => n.toFixed(1);
    const retries = (f: Figures) =>
      `${f.conflicts.task + f.conflicts.time} retries (tasks ${f.conflicts.task}, time entries ${f.conflicts.time})`;
    const failedWords = (f: Figures) =>
      f.failed === 0
        ? '0 failed'
        : `${f.failed} failed (${[...f.failures].map(([name, k]) => `${k} ${name}`).join(', ')})`;
    for (const c of CONCURRENCY) {
      const withGate = await measure(open, c);
      const without = await measure(decided, c);
      console.log(
        `staff writes on one project, gate open, c=${c}: p50 ${f1(percentile(withGate.latencies, 0.5))} ms, ` +
          `p99 ${f1(percentile(withGate.latencies, 0.99))} ms, ${retries(withGate)}, ${failedWords(withGate)} ` +
          `(gate decided: p50 ${f1(percentile(without.latencies, 0.5))} ms, p99 ${f1(percentile(without.latencies, 0.99))} ms, ` +
          `${retries(without)}${without.failed ? `, ${failedWords(without)}` : ''}); ` +
          `${withGate.latencies.length + withGate.failed} writes each`,
      );
    }
    // New tasks assigned to someone, at once, gate decided: they share the assignments counter.
    for (const c of [5, 20]) {
      const latencies: number[] = [];
      const before = conflicts.assign;
      let failed = 0;
      const rounds = Math.max(3, Math.ceil(WRITES_PER_N / c));
      for (let round = 0; round < rounds; round++) {
        const settled = await Promise.allSettled(
          Array.from({ length: c }, async () => {
            const n = writes++;
            const start = performance.now();
            await kindOfWrite.run('assign', () =>
              upsertTask(
                deps,
                decided,
                `bench-${n}`,
                { name: `Bench task ${n}`, stage: 'support', assignee: PERSON },
                PERSON,
              ),
            );
            return performance.now() - start;
          }),
        );
        for (const s of settled) {
          if (s.status === 'fulfilled') latencies.push(s.value);
          else failed++;
        }
      }
      console.log(
        `assigned new tasks on one project, gate decided, c=${c}: p50 ${f1(percentile(latencies, 0.5))} ms, ` +
          `p99 ${f1(percentile(latencies, 0.99))} ms, ${conflicts.assign - before} retries, ${failed} failed; ` +
          `${latencies.length + failed} writes`,
      );
    }
    // The open gate must still be open: otherwise the figures measured something else.
    const after = await real.get(open, 'gate', 'initiation');
    if (after?.status !== 'pending_approval')
      console.log(`note: the open gate ended ${after?.status ?? 'missing'}, not pending_approval`);
  });
}
