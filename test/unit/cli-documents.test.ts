/**
 * The `documents`, `document` and `lesson` commands against the real HTTP application over a
 * loopback server (in-memory store, in-process renderer): the list with versions and SHA-256, the
 * download to a file (latest and --version), one-line failures, and a lesson created and updated.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCharter } from '../../functions/core/use-cases/generate-charter.js';
import { type ApiServer, cliRunner, startApiServer } from '../support/cli-harness.js';
import { makeProject, makeProjectSpec, makeStages } from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

let deps: TestDeps;
let server: ApiServer;
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
  server = await startApiServer(deps);
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `milepost <args>`; its printed lines, or the error it fails with. */
const milepost = cliRunner(() => server.baseUrl);

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
