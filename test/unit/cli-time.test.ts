import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, cliRunner, startApiServer } from '../support/cli-harness.js';
import { makeGate, makeMember, makeProject, makeProjectSpec, makeStages } from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

let deps: TestDeps;
let server: ApiServer;

beforeAll(async () => {
  deps = makeTestDeps(new MemoryProjectStore());
  deps.clock.set('2026-12-10T09:00:00.000Z');
  const spec = makeProjectSpec({
    id: 'acme-m365',
    resources: [],
    budget: { currency: 'GBP', amount: 10000, hours: 100 },
    rateCard: [
      { role: 'engineer', costRate: 100, billingRate: 150 },
      { role: 'project manager', costRate: 80 },
    ],
  });
  const project = makeProject({ currentStage: 'initiation' }, spec);
  const stages = makeStages(project).map((s) =>
    s.key === 'initiation' ? { ...s, status: 'active' as const } : s,
  );
  await deps.store.commit([
    project,
    ...stages,
    makeGate({ stage: 'initiation', taskToken: 'token-SECRET' }),
    makeMember({ email: 'eng@msp.example', role: 'engineer' }),
  ]);
  server = await startApiServer(deps);
});

afterAll(() => {
  server.close();
});

/** Runs `milepost <args>`; its printed lines, or the error it fails with. */
const milepost = cliRunner(() => server.baseUrl);

describe('time and expense commands', () => {
  it('records time, then lists it with the budget burn', async () => {
    const recorded = await milepost(
      'time',
      'acme-m365',
      '--person',
      'eng@msp.example',
      '--date',
      '2026-12-09',
      '--hours',
      '7.5',
      '--note',
      'Tenant baseline',
    );
    expect(recorded).toEqual([
      'time recorded: 7.5 h by eng@msp.example on 2026-12-09',
      'budget burn: 750 of 10000 GBP (7.5%), 7.5 of 100 h (7.5%), EAC 10000 (budget (nothing done yet)), VAC 0',
    ]);
    const listed = await milepost('time', 'acme-m365');
    expect(listed[0]).toMatch(/^DATE\s+PERSON\s+HOURS\s+TASK\s+COST\s+NOTE/);
    expect(listed[1]).toMatch(/^2026-12-09\s+eng@msp\.example\s+7\.5\s+750\s+Tenant baseline/);
    expect(listed.at(-1)).toContain('budget burn: 750 of 10000 GBP');
    const shown = await milepost('show', 'acme-m365');
    expect(shown).toContain(
      'budget burn: 750 of 10000 GBP (7.5%), 7.5 of 100 h (7.5%), EAC 10000 (budget (nothing done yet)), VAC 0',
    );
  });

  it('records an expense', async () => {
    const lines = await milepost(
      'expense',
      'acme-m365',
      '--date',
      '2026-12-08',
      '--amount',
      '250',
      '--description',
      'Train fare',
      '--not-billable',
    );
    expect(lines[0]).toBe('expense recorded: 250 on 2026-12-08, Train fare');
  });

  it('fails in one line naming what is wrong', async () => {
    await expect(
      milepost('time', 'acme-m365', '--person', 'eng@msp.example', '--hours', '2'),
    ).rejects.toThrow('time acme-m365: to record time give --date');
    await expect(
      milepost('time', 'acme-m365', '--person', 'eng@msp.example', '--date', '2026-12-09', '--hours', '25'),
    ).rejects.toThrow('must be a number of hours, more than 0 and at most 24');
    await expect(
      milepost('time', 'acme-m365', '--person', 'who@msp.example', '--date', '2026-12-09', '--hours', '2'),
    ).rejects.toThrow(/person: who@msp\.example is not a team member/);
    await expect(
      milepost(
        'time',
        'acme-m365',
        '--person',
        'eng@msp.example',
        '--date',
        '2026-12-09',
        '--hours',
        '1',
        '--task',
        'nope',
      ),
    ).rejects.toThrow(/task: project acme-m365 has no task nope/);
  });
});
