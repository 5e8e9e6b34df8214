/**
 * The `documents`, `document` and `lesson` commands against the real HTTP application over a
 * loopback server (in-memory store, in-process renderer): the list with versions and SHA-256, the
 * download to a file (latest and --version), one-line failures, and a lesson created and updated.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStaffCommands } from '../../cli/staff/commands.js';
import { generateCharter } from '../../functions/core/use-cases/generate-charter.js';
import { handleHttp } from '../../functions/http/app.js';
import { makeProject, makeProjectSpec, makeStages } from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

let deps: TestDeps;
let server: ReturnType<typeof createServer>;
let baseUrl: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'milepost-cli-docs-'));
  deps = makeTestDeps(new MemoryProjectStore());
  const project = makeProject({}, makeProjectSpec({ id: 'acme-m365' }));
  await deps.store.commit([project, ...makeStages(project)]);
  await generateCharter(deps, 'acme-m365', 'pm@msp.example');
  const changed = (await deps.store.getProject('acme-m365'))!;
  await deps.store.commit([{ ...changed, spec: { ...changed.spec, objectives: ['Changed objective'] } }]);
  await generateCharter(deps, 'acme-m365', 'pm@msp.example');
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const out = await handleHttp(deps, {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body,
        caller: 'local',
      });
      res
        .writeHead(out.status, out.headers)
        .end(out.isBase64Encoded ? Buffer.from(out.body, 'base64') : out.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function milepost(...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  addStaffCommands(program, {
    out: (l) => lines.push(l),
    color: false,
    userAgent: 'test',
    endpoint: async () => ({ baseUrl }),
  });
  await program.parseAsync(['node', 'milepost', ...args]);
  return lines;
}

describe('document commands', () => {
  it('documents: lists each document with its versions and SHA-256', async () => {
    const record = await deps.store.get('acme-m365', 'document', 'charter');
    const lines = await milepost('documents', 'acme-m365');
    expect(lines[0]).toMatch(/^ID\s+KIND\s+VERSION\s+CREATED\s+SIZE\s+SHA-256\s+TITLE/);
    expect(lines[1]).toContain('charter');
    expect(lines[1]).toContain('2 (of 1,2)');
    expect(lines[1]).toContain(record!.sha256);
  });

  it('document: downloads the latest and an older version to files only the user reads', async () => {
    const latest = join(dir, 'latest.pdf');
    const [line] = await milepost('document', 'acme-m365', 'charter', '-o', latest);
    const bytes = readFileSync(latest);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(line).toBe(`${latest}: ${bytes.length} bytes, version 2, SHA-256 ${sha}`);
    expect(statSync(latest).mode & 0o777).toBe(0o600);
    const older = join(dir, 'v1.pdf');
    await milepost('document', 'acme-m365', 'charter', '--version', '1', '-o', older);
    const record = await deps.store.get('acme-m365', 'document', 'charter');
    expect(createHash('sha256').update(readFileSync(older)).digest('hex')).toBe(record!.versions![0]!.sha256);
  });

  it('document: fails in one line naming what is missing', async () => {
    await expect(
      milepost('document', 'acme-m365', 'charter', '--version', '9', '-o', join(dir, 'x.pdf')),
    ).rejects.toThrow(/document charter: .*no version 9 \(versions: 1, 2\)/);
    await expect(milepost('document', 'acme-m365', 'bad id!')).rejects.toThrow(
      /document bad id!: document id: must be/,
    );
  });

  it('lesson: creates with the required options, then updates with the version it read', async () => {
    await expect(milepost('lesson', 'acme-m365', 'pilot', '--title', 'Pilot first')).rejects.toThrow(
      'lesson pilot: no lesson pilot in project acme-m365; to create it give --what-happened, --kind, --recommendation',
    );
    expect(
      await milepost(
        'lesson',
        'acme-m365',
        'pilot',
        '--title',
        'Pilot first',
        '--what-happened',
        'The pilot found the MFA issue',
        '--kind',
        'repeat',
        '--recommendation',
        'Start with five mailboxes',
      ),
    ).toEqual(['lesson pilot created (version 1): "Pilot first", repeat: Start with five mailboxes']);
    expect(await milepost('lesson', 'acme-m365', 'pilot', '--kind', 'change')).toEqual([
      'lesson pilot updated (version 2): "Pilot first", change: Start with five mailboxes',
    ]);
  });
});
