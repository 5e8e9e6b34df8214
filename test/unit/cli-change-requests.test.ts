import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveStages } from '../../functions/core/spec/schema.js';
import { registerProject } from '../../functions/core/use-cases/register-project.js';
import { type ApiServer, cliRunner, startApiServer } from '../support/cli-harness.js';
import { makeProjectSpec } from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

let deps: TestDeps;
let server: ApiServer;

beforeAll(async () => {
  deps = makeTestDeps(new MemoryProjectStore());
  const spec = makeProjectSpec({ id: 'acme-m365' });
  await registerProject(
    deps,
    { file: 'acme-m365.yaml', spec, stages: resolveStages(spec) },
    { start: false },
  );
  server = await startApiServer(deps);
});

afterAll(() => {
  server.close();
});

/** Runs `milepost <args>`; its printed lines, or the error it fails with. */
const milepost = cliRunner(() => server.baseUrl);

describe('change request commands', () => {
  it('change-request raises one from the options; change-requests lists it old -> new', async () => {
    expect(
      await milepost(
        'change-request',
        'acme-m365',
        '--budget',
        '20350',
        '--end',
        '2027-03-12',
        '--stage-due',
        'support=2027-03-12',
        '--scope-in',
        '12 mailboxes',
        '--scope-in',
        'Second site',
        '--deliverable',
        'tenant|execution|Configured tenant|CIS baseline applied',
        '--reason',
        'Second site',
        '--impact',
        '10% more',
      ),
    ).toEqual(['cr-1 raised (pending): the sponsor decides through the emailed link']);
    const stored = await deps.store.get('acme-m365', 'change_request', 'cr-1');
    expect(stored?.changes.map((c) => [c.field, c.old, c.new])).toEqual([
      ['scope.in', ['12 mailboxes'], ['12 mailboxes', 'Second site']],
      [
        'deliverables',
        stored?.changes[1]?.old,
        [{ id: 'tenant', stage: 'execution', name: 'Configured tenant', acceptance: 'CIS baseline applied' }],
      ],
      ['budget.amount', 18500, 20350],
      ['timeline.end', '2027-02-26', '2027-03-12'],
      ['stages.support.due', null, '2027-03-12'],
    ]);
    const lines = await milepost('change-requests', 'acme-m365');
    expect(lines[0]).toMatch(/^cr-1 {2}pending {2}raised by local at /);
    expect(lines).toContain('  Budget (money): 18500 -> 20350');
    expect(lines).toContain('  Timeline end: 2027-02-26 -> 2027-03-12');
    expect(lines).toContain('  Due date of Project Completion & Support: none -> 2027-03-12');
  });

  it('fails in one line naming the field or option at fault', async () => {
    await expect(
      milepost('change-request', 'acme-m365', '--budget', '18500', '--reason', 'r', '--impact', 'i'),
    ).rejects.toThrow('changes.budget.amount: is already 18500: nothing to change');
    await expect(
      milepost('change-request', 'acme-m365', '--budget', 'lots', '--reason', 'r', '--impact', 'i'),
    ).rejects.toThrow('must be a number more than 0');
    await expect(milepost('change-request', 'acme-m365', '--budget', '2')).rejects.toThrow(
      "'--reason <text>' not specified",
    );
  });

  it('baseline prints the current baseline as YAML the spec file can take', async () => {
    const lines = await milepost('baseline', 'acme-m365');
    expect(lines[0]).toBe(
      "# acme-m365: baseline 1 (the spec's fields below replace those in projects/acme-m365.yaml)",
    );
    const yaml = parse(lines.join('\n'));
    expect(yaml.budget).toEqual({ currency: 'GBP', amount: 18500, hours: 160 });
    expect(yaml.timeline).toEqual({ start: '2026-12-01', end: '2027-02-26' });
    expect(yaml.scope).toEqual({ in: ['12 mailboxes'], out: ['Phone system'] });
  });
});
