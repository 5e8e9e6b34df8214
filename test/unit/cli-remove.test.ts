/**
 * `milepost remove <id> <kind> <recordId>` against the staff API served over HTTP: it reads the
 * version (or takes --version), removes, and fails with one line naming the conflict, the refusal
 * or the id at fault.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import { type ApiServer, cliRunner, startApiServer } from '../support/cli-harness.js';
import { makeProjectSpec } from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

const P = 'acme-m365';
let deps: TestDeps;
let server: ApiServer;

beforeAll(async () => {
  deps = makeTestDeps(new MemoryProjectStore());
  const spec = makeProjectSpec({ id: P });
  await registerProject(deps, { file: 'acme.yaml', spec, stages: resolveStages(spec) }, { start: false });
  server = await startApiServer(deps);
});
afterAll(() => {
  server.close();
});

const milepost = cliRunner(() => server.baseUrl);

describe('milepost remove', () => {
  it('removes a risk with the version it read, and then finds none', async () => {
    expect(await milepost('remove', P, 'risk', 'mfa-lockout')).toEqual([
      "risk mfa-lockout removed (it was version 1); the project's event log keeps it",
    ]);
    expect(await deps.store.get(P, 'risk', 'mfa-lockout')).toBeUndefined();
    await expect(milepost('remove', P, 'risk', 'mfa-lockout')).rejects.toThrow(
      'risk mfa-lockout: no risk mfa-lockout in project acme-m365',
    );
  });

  it('says a stale --version is a version conflict, and a refusal what to do instead', async () => {
    await expect(milepost('remove', P, 'task', 'tenant', '--version', '4')).rejects.toThrow(
      'task tenant: version conflict, read it again and retry',
    );
    await expect(milepost('remove', P, 'task', 'tenant')).rejects.toThrow(
      /task tenant: .*deliverable of the agreed scope: raise a change request to drop it/,
    );
    await expect(milepost('remove', P, 'member', 'eng@msp.example')).rejects.toThrow(
      /owner of risk data-loss \(open\): reassign or close it first/,
    );
    expect(await deps.store.get(P, 'task', 'tenant')).toBeDefined();
    expect(await deps.store.get(P, 'member', 'eng@msp.example')).toBeDefined();
  });

  it('removes a team member by email (any case) and prints the JSON with --json', async () => {
    const out = await milepost('remove', P, 'member', 'PM@msp.example', '--json');
    expect(JSON.parse(out.join('\n'))).toMatchObject({
      email: 'pm@msp.example',
      name: 'Priya Shah',
      version: 1,
    });
    expect(await deps.store.get(P, 'member', 'pm@msp.example')).toBeUndefined();
  });

  it('names a bad kind, id or version before calling the API', async () => {
    await expect(milepost('remove', P, 'stakeholder', 'x')).rejects.toThrow(
      /command-argument value 'stakeholder' is invalid for argument 'kind'/,
    );
    await expect(milepost('remove', P, 'member', 'not-an-email')).rejects.toThrow(
      /team member not-an-email: team member id:/,
    );
    await expect(milepost('remove', P, 'risk', 'data-loss', '--version', '0')).rejects.toThrow(
      'risk data-loss: --version must be the version you read (1 or more)',
    );
    expect(await deps.store.get(P, 'risk', 'data-loss')).toBeDefined();
  });
});
