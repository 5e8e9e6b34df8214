import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { StaffClient } from '../../cli/staff/client.js';
import { sigV4Signer } from '../../cli/staff/sign.js';
import { type Runtime, startRuntime } from '../../local/runtime.js';
import { projectSpecInput } from '../support/dynamo.js';
import { project, waitFor } from './helpers.js';

const ID = 'cli-check';
const SPONSOR = 'sponsor@acme.example';
const root = mkdtempSync(join(tmpdir(), 'milepost-cli-e2e-'));
let runtime: Runtime;

/**
 * Runs `milepost` as a user does (the executable shim, a separate process) against the runtime.
 * Asynchronous on purpose: the runtime answers from this process's event loop. No time limit of
 * its own: the test's limit applies, so a busy machine only makes it slower.
 */
function milepost(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['cli/bin.js', ...args],
      { env: { ...process.env, MILEPOST_ENDPOINT: runtime.url, MILEPOST_DEBUG: '', NO_COLOR: '1' } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  const projectsDir = join(root, 'projects');
  mkdirSync(projectsDir);
  writeFileSync(
    join(projectsDir, `${ID}.yaml`),
    stringify(
      projectSpecInput({
        id: ID,
        // The initiation gate waits for the PM to submit, as execution does by default.
        stages: [
          { key: 'initiation', gate: { approvers: ['sponsor'], rule: 'all', submit: true } },
          { key: 'execution' },
        ],
        deliverables: [{ id: 'tenant', name: 'Configured tenant', stage: 'execution', acceptance: 'CIS' }],
      }),
    ),
  );
  runtime = await startRuntime({
    projectsDir,
    port: 0,
    dataDir: join(root, 'data'),
    inMemory: true,
    schedules: false,
    notify: () => undefined,
  });
  await waitFor('the initiation gate', async () => {
    const g = (await project(runtime.url, ID)).gates.find((x) => x.stage === 'initiation');
    return g?.status === 'waiting';
  });
});

afterAll(async () => {
  await runtime?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('the staff CLI against the local runtime', () => {
  it('lists the project with projects --json', async () => {
    const r = await milepost('projects', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string; currentStage: string }[];
    expect(list).toContainEqual(expect.objectContaining({ id: ID, currentStage: 'initiation' }));
  }, 120_000);

  it('prints a table of projects by default, without colour in a pipe', async () => {
    const r = await milepost('projects');
    expect(r.code).toBe(0);
    const [heading, ...rows] = r.stdout.trimEnd().split('\n');
    expect(heading).toMatch(/^ID\s+NAME\s+CUSTOMER\s+STAGE\s+DONE\s+STATUS\s+RAG$/);
    expect(rows.find((l) => l.startsWith(`${ID} `))).toMatch(
      /initiation\s+0\/2\s+active\s+(green|amber|red)$/,
    );
    expect(r.stdout).not.toContain('\u001b');
  }, 120_000);

  it('creates a task, records work and completes it with milepost task', async () => {
    const created = await milepost('task', ID, 'kickoff', '--name', 'Kick-off workshop', '--estimate', '6');
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe(
      'task kickoff created (version 1): "Kick-off workshop", initiation, todo, estimate 6 h, actual 0 h\n',
    );
    const worked = await milepost('task', ID, 'kickoff', '--status', 'in_progress', '--hours', '2');
    expect(worked.stdout).toBe(
      'task kickoff updated (version 2): "Kick-off workshop", initiation, in_progress, estimate 6 h, actual 2 h\n',
    );
    const done = await milepost('task', ID, 'kickoff', '--status', 'done', '--hours', '5', '--json');
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({
      id: 'kickoff',
      status: 'done',
      actualHours: 5,
      estimateHours: 6,
      version: 3,
    });

    const shown = JSON.parse((await milepost('show', ID, '--json')).stdout) as {
      tasks: { id: string; status: string }[];
    };
    expect(shown.tasks).toContainEqual(expect.objectContaining({ id: 'kickoff', status: 'done' }));
    const events = await milepost('events', ID, '--order', 'desc', '--limit', '5');
    expect(events.stdout).toMatch(/^\S+\s+task_updated\s.*\blocal\b/m);
  }, 180_000);

  it('gives one line and exit 1 for a version conflict, and changes nothing', async () => {
    const r = await milepost('task', ID, 'kickoff', '--status', 'todo', '--version', '1');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('milepost: task kickoff: version conflict, read it again and retry\n');
    const shown = JSON.parse((await milepost('show', ID, '--json')).stdout) as {
      tasks: { id: string; status: string }[];
    };
    expect(shown.tasks).toContainEqual(
      expect.objectContaining({ id: 'kickoff', status: 'done', version: 3 }),
    );
  }, 120_000);

  it('gives one line and exit 1 for a bad task id', async () => {
    const invalid = await milepost('task', ID, 'no such/task!', '--status', 'done');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toBe(
      'milepost: task no such/task!: task id: must be 1-64 letters, digits, dots, dashes or underscores\n',
    );
    const unknown = await milepost('task', ID, 'nosuch', '--status', 'done');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      `milepost: task nosuch: no task nosuch in project ${ID}; to create it give --name\n`,
    );
    const badField = await milepost('task', ID, 'kickoff', '--stage', 'nowhere');
    expect(badField.stderr).toBe('milepost: task kickoff: --stage: unknown stage "nowhere"\n');
    const badProject = await milepost('show', 'no-such-project');
    expect(badProject.code).toBe(1);
    expect(badProject.stderr).toBe('milepost: show no-such-project: project no-such-project not found\n');
  }, 180_000);

  it('opens the gate with submit; the approval link is in the outbox and show --json has the gate waiting', async () => {
    const before = JSON.parse((await milepost('show', ID, '--json')).stdout) as {
      gates: { stage: string; status: string }[];
    };
    expect(before.gates.find((g) => g.stage === 'initiation')?.status).toBe('waiting');

    const r = await milepost('submit', ID, 'initiation');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`initiation submitted\ngate: pending_approval, waiting for ${SPONSOR}\n`);

    const outbox = await milepost('outbox', '--to', SPONSOR);
    expect(outbox.code).toBe(0);
    expect(outbox.stdout).toMatch(
      new RegExp(`^  ${runtime.url.replace(/[.]/g, '\\.')}/approve/[A-Za-z0-9_-]{40,}$`, 'm'),
    );

    const shown = JSON.parse((await milepost('show', ID, '--json')).stdout) as {
      gates: { stage: string; status: string; approvers: { email: string; decision?: string }[] }[];
    };
    const gate = shown.gates.find((g) => g.stage === 'initiation');
    expect(gate?.status).toBe('pending_approval');
    expect(gate?.approvers).toEqual([expect.objectContaining({ email: SPONSOR })]);
    expect(gate?.approvers[0]?.decision).toBeUndefined();

    const again = await milepost('submit', ID, 'execution');
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      'milepost: submit execution: stage execution is not the current stage (initiation)\n',
    );
  }, 180_000);

  it('says in one line when nothing listens at the endpoint', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const r = await milepost('projects', '--endpoint', `http://127.0.0.1:${port}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`milepost: cannot reach http://127.0.0.1:${port} (ECONNREFUSED)\n`);
  }, 120_000);

  it('prints help per command and the package version', async () => {
    const help = await milepost('task', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: milepost task [options] <id> <taskId>');
    expect(help.stdout).toContain('--stack [name]');
    const version = await milepost('--version');
    expect(version.stdout).toBe('0.1.0\n');
  }, 120_000);

  it('works with signed requests too: the local runtime ignores the signature', async () => {
    const client = new StaffClient({
      baseUrl: runtime.url,
      signer: sigV4Signer({
        region: 'eu-west-2',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      }),
    });
    const projects = await client.listProjects();
    expect(projects.map((p) => p.id)).toContain(ID);
    const saved = await client.putTask(ID, 'signed-task', { name: 'Signed', estimateHours: 1 });
    expect(saved.version).toBe(1);
  });
});
