import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addStaffCommands } from '../../cli/staff/commands.js';
import { type ApiServer, cliRunner, startApiServer } from '../support/cli-harness.js';
import {
  makeDeployment,
  makeGate,
  makeMember,
  makeProject,
  makeProjectSpec,
  makeResource,
  makeStages,
  makeTestCase,
  makeTrainingSession,
} from '../support/dynamo.js';
import { makeTestDeps, type TestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';

let deps: TestDeps;
let server: ApiServer;

beforeAll(async () => {
  deps = makeTestDeps(new MemoryProjectStore());
  const project = makeProject({ currentStage: 'qa' }, makeProjectSpec({ id: 'acme-m365' }));
  const stages = makeStages(project).map((s) => (s.key === 'qa' ? { ...s, status: 'active' as const } : s));
  await deps.store.commit([project, ...stages, makeGate({ stage: 'qa', taskToken: 'token-SECRET' })]);
  server = await startApiServer(deps);
});

afterAll(() => {
  server.close();
});

/** Runs `milepost <args>`; its printed lines, or the error it fails with. */
const milepost = cliRunner(() => server.baseUrl);

describe('record commands', () => {
  it('test-case: creates with the required options, then updates the result with the version it read', async () => {
    await expect(milepost('test-case', 'acme-m365', 'mail', '--name', 'Mail flow')).rejects.toThrow(
      'test case mail: no test case mail in project acme-m365; to create it give --category, --expected',
    );
    expect(
      await milepost(
        'test-case',
        'acme-m365',
        'mail',
        '--name',
        'Mail flow',
        '--category',
        'functional',
        '--expected',
        'Arrives within a minute',
        '--step',
        'Send from outside',
        '--step',
        'Reply',
      ),
    ).toEqual(['test case mail created (version 1): "Mail flow", functional, not_run']);
    expect(
      await milepost(
        'test-case',
        'acme-m365',
        'mail',
        '--result',
        'passed',
        '--tester',
        'Marco',
        '--evidence',
        'log.txt',
      ),
    ).toEqual(['test case mail updated (version 2): "Mail flow", functional, passed, tested by Marco']);
    const stored = await deps.store.get('acme-m365', 'test_case', 'mail');
    expect(stored).toMatchObject({
      steps: ['Send from outside', 'Reply'],
      result: 'passed',
      evidence: 'log.txt',
    });
    await expect(milepost('test-case', 'acme-m365', 'mail', '--result', 'waived')).rejects.toThrow(
      'test case mail: --waiver-reason: a waived test case needs a reason',
    );
  });

  it('task: a deliverable takes its acceptance criteria, and an update keeps them', async () => {
    expect(
      await milepost(
        'task',
        'acme-m365',
        'runbook',
        '--type',
        'deliverable',
        '--name',
        'Support runbook',
        '--acceptance',
        'Practice manager signs the runbook',
      ),
    ).toEqual([expect.stringMatching(/^task runbook created \(version 1\): "Support runbook"/)]);
    await milepost('task', 'acme-m365', 'runbook', '--status', 'in_progress');
    expect(await deps.store.get('acme-m365', 'task', 'runbook')).toMatchObject({
      type: 'deliverable',
      acceptance: 'Practice manager signs the runbook',
      status: 'in_progress',
    });
  });

  it('deployment and training: record the go-live and a session; bad input names the option', async () => {
    await expect(
      milepost('deployment', 'acme-m365', 'cutover', '--name', 'Cut-over', '--window-start', 'tonight'),
    ).rejects.toThrow('must be a date and time with its offset');
    expect(
      await milepost(
        'deployment',
        'acme-m365',
        'cutover',
        '--name',
        'Cut-over',
        '--window-start',
        '2026-12-05T18:00:00Z',
        '--window-end',
        '2026-12-05T22:00:00Z',
        '--rollback-plan',
        'MX back',
        '--result',
        'succeeded',
      ),
    ).toEqual(['deployment cutover created (version 1): "Cut-over", succeeded, rollback plan recorded']);
    await expect(
      milepost('deployment', 'acme-m365', 'cutover', '--window-end', '2026-12-05T17:00:00Z'),
    ).rejects.toThrow('deployment cutover: --window-end: must be after windowStart');
    expect(
      await milepost(
        'training',
        'acme-m365',
        'staff',
        '--title',
        'Outlook basics',
        '--date',
        '2026-12-06',
        '--audience',
        'front desk',
        '--attendee',
        'Jo',
        '--attendee',
        'Ana',
      ),
    ).toEqual([
      'training session staff created (version 1): "Outlook basics", 2026-12-06, front desk, 2 attendees',
    ]);
    expect(await milepost('training', 'acme-m365', 'staff')).toEqual([
      'training session staff (version 1): "Outlook basics", 2026-12-06, front desk, 2 attendees',
    ]);
  });

  it('member: adds a team member by email (any case), prints them, updates one field and keeps the rest', async () => {
    await expect(
      milepost('member', 'acme-m365', 'Lee.Chan@MSP.example', '--name', 'Lee Chan'),
    ).rejects.toThrow(
      'team member Lee.Chan@MSP.example: no team member Lee.Chan@MSP.example in project acme-m365; to create it give --role, --allocation',
    );
    expect(await deps.store.get('acme-m365', 'member', 'lee.chan@msp.example')).toBeUndefined();
    expect(
      await milepost(
        'member',
        'acme-m365',
        'Lee.Chan@MSP.example',
        '--name',
        'Lee Chan',
        '--role',
        'engineer',
        '--allocation',
        '40',
        '--skill',
        'exchange',
        '--skill',
        'intune',
      ),
    ).toEqual([
      'team member Lee.Chan@MSP.example created (version 1): "Lee Chan", engineer, 40%, skills exchange, intune',
    ]);
    // Stored under the address in lower case (the API's key), and found by it in any case.
    expect(await milepost('member', 'acme-m365', 'lee.chan@msp.example')).toEqual([
      'team member lee.chan@msp.example (version 1): "Lee Chan", engineer, 40%, skills exchange, intune',
    ]);
    expect(await milepost('member', 'acme-m365', 'LEE.CHAN@msp.example', '--allocation', '60')).toEqual([
      'team member LEE.CHAN@msp.example updated (version 2): "Lee Chan", engineer, 60%, skills exchange, intune',
    ]);
    expect(await milepost('member', 'acme-m365', 'lee.chan@msp.example', '--skill', 'teams')).toEqual([
      'team member lee.chan@msp.example updated (version 3): "Lee Chan", engineer, 60%, skills teams',
    ]);
    expect(await deps.store.get('acme-m365', 'member', 'lee.chan@msp.example')).toMatchObject({
      email: 'lee.chan@msp.example',
      name: 'Lee Chan',
      role: 'engineer',
      allocation: 60,
      skills: ['teams'],
      version: 3,
    });
  });

  it('member: a stale --version, a bad email or allocation is refused in one line and changes nothing; --json prints the record', async () => {
    await milepost(
      'member',
      'acme-m365',
      'ana@msp.example',
      '--name',
      'Ana',
      '--role',
      'engineer',
      '--allocation',
      '20',
    );
    await milepost('member', 'acme-m365', 'ana@msp.example', '--allocation', '25');
    await expect(
      milepost('member', 'acme-m365', 'ana@msp.example', '--role', 'architect', '--version', '1'),
    ).rejects.toThrow('team member ana@msp.example: version conflict, read it again and retry');
    await expect(milepost('member', 'acme-m365', 'not-an-email', '--name', 'X')).rejects.toThrow(
      'team member not-an-email: team member id: invalid email',
    );
    await expect(milepost('member', 'acme-m365', 'ana@msp.example', '--allocation', '0')).rejects.toThrow(
      "option '--allocation <percent>' argument '0' is invalid. must be 1-100 (percent)",
    );
    await expect(
      milepost('member', 'acme-m365', 'ana@msp.example', '--skill', 'x'.repeat(101)),
    ).rejects.toThrow('team member ana@msp.example: --skill (item 1): at most 100 characters');
    expect(await deps.store.get('acme-m365', 'member', 'ana@msp.example')).toMatchObject({
      role: 'engineer',
      allocation: 25,
      skills: [],
      version: 2,
    });
    const saved = JSON.parse(
      (
        await milepost(
          'member',
          'acme-m365',
          'ANA@msp.example',
          '--role',
          'architect',
          '--version',
          '2',
          '--json',
        )
      ).join('\n'),
    );
    expect(saved).toMatchObject({
      email: 'ana@msp.example',
      name: 'Ana',
      role: 'architect',
      allocation: 25,
      version: 3,
    });
    expect(
      JSON.parse((await milepost('member', 'acme-m365', 'ana@msp.example', '--json')).join('\n')),
    ).toMatchObject(saved);
  });

  it('resource: creates with kind and name, prints it, updates one field and keeps the rest', async () => {
    await expect(
      milepost('resource', 'acme-m365', 'licences', '--name', 'M365 Business Premium'),
    ).rejects.toThrow(
      'resource licences: no resource licences in project acme-m365; to create it give --kind',
    );
    expect(await deps.store.get('acme-m365', 'resource', 'licences')).toBeUndefined();
    expect(
      await milepost(
        'resource',
        'acme-m365',
        'licences',
        '--kind',
        'software',
        '--name',
        'M365 Business Premium',
        '--quantity',
        '12',
        '--cost',
        '2640',
      ),
    ).toEqual([
      'resource licences created (version 1): "M365 Business Premium", software, quantity 12, cost 2640',
    ]);
    expect(await milepost('resource', 'acme-m365', 'licences')).toEqual([
      'resource licences (version 1): "M365 Business Premium", software, quantity 12, cost 2640',
    ]);
    expect(await milepost('resource', 'acme-m365', 'licences', '--quantity', '14')).toEqual([
      'resource licences updated (version 2): "M365 Business Premium", software, quantity 14, cost 2640',
    ]);
    expect(await deps.store.get('acme-m365', 'resource', 'licences')).toMatchObject({
      kind: 'software',
      name: 'M365 Business Premium',
      quantity: 14,
      cost: 2640,
      version: 2,
    });
    // The API's defaults on create: one of it, at no cost.
    expect(await milepost('resource', 'acme-m365', 'jira', '--kind', 'tool', '--name', 'Jira')).toEqual([
      'resource jira created (version 1): "Jira", tool, quantity 1, cost 0',
    ]);
  });

  it('resource: a stale --version or bad input is refused in one line and changes nothing; --json prints the record', async () => {
    await milepost(
      'resource',
      'acme-m365',
      'laptops',
      '--kind',
      'hardware',
      '--name',
      'Laptops',
      '--quantity',
      '3',
    );
    await expect(
      milepost('resource', 'acme-m365', 'laptops', '--cost', '3000', '--version', '4'),
    ).rejects.toThrow('resource laptops: version conflict, read it again and retry');
    await expect(milepost('resource', 'acme-m365', 'laptops', '--quantity', '1.5')).rejects.toThrow(
      "option '--quantity <n>' argument '1.5' is invalid. must be a whole number, more than 0",
    );
    await expect(milepost('resource', 'acme-m365', 'laptops', '--cost', '-1')).rejects.toThrow(
      "option '--cost <amount>' argument '-1' is invalid. must be a number, 0 or more",
    );
    await expect(milepost('resource', 'acme-m365', 'laptops', '--kind', 'licence')).rejects.toThrow(
      "option '--kind <kind>' argument 'licence' is invalid. Allowed choices are software, hardware, tool, service.",
    );
    await expect(milepost('resource', 'acme-m365', 'bad id!', '--name', 'X')).rejects.toThrow(
      'resource bad id!: resource id: must be 1-64 letters, digits, dots, dashes or underscores',
    );
    expect(await deps.store.get('acme-m365', 'resource', 'laptops')).toMatchObject({
      quantity: 3,
      cost: 0,
      version: 1,
    });
    const saved = JSON.parse(
      (await milepost('resource', 'acme-m365', 'laptops', '--cost', '3000', '--version', '1', '--json')).join(
        '\n',
      ),
    );
    expect(saved).toMatchObject({
      id: 'laptops',
      kind: 'hardware',
      name: 'Laptops',
      quantity: 3,
      cost: 3000,
      version: 2,
    });
    expect(
      JSON.parse((await milepost('resource', 'acme-m365', 'laptops', '--json')).join('\n')),
    ).toMatchObject(saved);
  });

  it('show: lists the test cases, deployments and training sessions in its tables, on one line each', async () => {
    const project = makeProject({ currentStage: 'qa' }, makeProjectSpec({ id: 'show-me' }));
    await deps.store.commit([
      project,
      ...makeStages(project),
      makeTestCase({ projectId: 'show-me', id: 'mail', name: 'Mail flow\u001b[2J\nreset' }),
      makeTestCase({
        projectId: 'show-me',
        id: 'load',
        name: 'Load test',
        category: 'performance',
        result: 'waived',
        waiverReason: 'Only 12 users',
        tester: undefined,
      }),
      makeDeployment({ projectId: 'show-me', id: 'cutover', name: 'Cut-over' }),
      makeTrainingSession({ projectId: 'show-me', id: 'staff', title: 'Outlook basics' }),
    ]);
    const lines = await milepost('show', 'show-me');
    const below = (title: string) => lines.slice(lines.indexOf(title) + 1, lines.indexOf(title) + 4);
    expect(below('Test cases')[0]).toMatch(/^ {2}ID +NAME +CATEGORY +RESULT +TESTER +VERSION$/);
    expect(below('Test cases').join('\n')).toMatch(
      /load +Load test +performance +waived: Only 12 users +1$/m,
    );
    expect(below('Test cases').join('\n')).toMatch(
      /mail +Mail flow \[2J reset +functional +passed +Marco Rossi +1$/m,
    );
    expect(below('Deployments')[0]).toMatch(/^ {2}ID +NAME +WINDOW +RESULT +ROLLBACK PLAN +BY +VERSION$/);
    expect(below('Deployments')[1]).toMatch(/^ {2}cutover +Cut-over +\S+ - \S+ +succeeded +\S/);
    expect(below('Training sessions')[0]).toMatch(/^ {2}ID +TITLE +DATE +AUDIENCE +ATTENDEES +VERSION$/);
    expect(below('Training sessions')[1]).toMatch(/^ {2}staff +Outlook basics +\d{4}-\d{2}-\d{2} /);
    // No control character reaches the terminal (the escape sequence and the newline are spaces).
    for (const line of lines) expect([...line].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);

    const empty = makeProject({}, makeProjectSpec({ id: 'show-empty' }));
    await deps.store.commit([empty, ...makeStages(empty)]);
    const none = await milepost('show', 'show-empty');
    for (const title of ['Test cases', 'Deployments', 'Training sessions'])
      expect(none[none.indexOf(title) + 1]).toBe('  none');
  });

  it('show: lists the team and the resources, one line each; none when there are none', async () => {
    const project = makeProject({}, makeProjectSpec({ id: 'show-team' }));
    await deps.store.commit([
      project,
      ...makeStages(project),
      makeMember({ projectId: 'show-team', name: 'Marco\u001b[2J\nRossi', skills: ['exchange', 'intune'] }),
      makeResource({ projectId: 'show-team' }),
    ]);
    const lines = await milepost('show', 'show-team');
    const below = (title: string) => lines.slice(lines.indexOf(title) + 1, lines.indexOf(title) + 3);
    expect(below('Team')).toEqual([
      expect.stringMatching(/^ {2}EMAIL +NAME +ROLE +ALLOCATION +SKILLS +VERSION$/),
      expect.stringMatching(/^ {2}eng@msp\.example +Marco \[2J Rossi +engineer +80% +exchange, intune +1$/),
    ]);
    expect(below('Resources')).toEqual([
      expect.stringMatching(/^ {2}ID +NAME +KIND +QUANTITY +COST +VERSION$/),
      expect.stringMatching(/^ {2}m365-business-premium +M365 Business Premium +software +12 +2640 +1$/),
    ]);
    for (const line of lines) expect([...line].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);

    const empty = makeProject({}, makeProjectSpec({ id: 'show-no-team' }));
    await deps.store.commit([empty, ...makeStages(empty)]);
    const none = await milepost('show', 'show-no-team');
    for (const title of ['Team', 'Resources']) expect(none[none.indexOf(title) + 1]).toBe('  none');
  });
});

describe('--clear', () => {
  it('empties optional fields named like their options, and the API refuses a wrong one naming the option', async () => {
    const created = await milepost(
      'task',
      'acme-m365',
      'dns-cutover',
      '--name',
      'Switch DNS',
      '--assignee',
      'marco@msp.example',
      '--due',
      '2026-12-10',
      '--status',
      'waived',
      '--waiver-reason',
      'Customer does it',
    );
    expect(created[0]).toMatch(/^task dns-cutover created \(version 1\)/);

    expect(
      await milepost('task', 'acme-m365', 'dns-cutover', '--clear', 'assignee', '--clear', 'due'),
    ).toEqual(['task dns-cutover updated (version 2): "Switch DNS", qa, waived, estimate 0 h, actual 0 h']);
    const stored = await deps.store.get('acme-m365', 'task', 'dns-cutover');
    expect(stored).toMatchObject({ name: 'Switch DNS', waiverReason: 'Customer does it', version: 2 });
    expect(stored).not.toHaveProperty('assignee');
    expect(stored).not.toHaveProperty('due');

    // A required field, an unknown one, a field also given a value: one line naming the --clear, nothing saved.
    await expect(milepost('task', 'acme-m365', 'dns-cutover', '--clear', 'name')).rejects.toThrow(
      'task dns-cutover: --clear name: name is required; it cannot be cleared',
    );
    await expect(milepost('task', 'acme-m365', 'dns-cutover', '--clear', 'estimate')).rejects.toThrow(
      'task dns-cutover: --clear estimate: estimate is required; it cannot be cleared',
    );
    await expect(milepost('task', 'acme-m365', 'dns-cutover', '--clear', 'owner')).rejects.toThrow(
      'task dns-cutover: --clear owner: must be one of: assignee, acceptance, due, waiver-reason, evidence',
    );
    await expect(
      milepost('task', 'acme-m365', 'dns-cutover', '--due', '2026-12-11', '--clear', 'due'),
    ).rejects.toThrow('task dns-cutover: --clear due: due is also given a value');
    // The kind's own rule: a waived task keeps a reason.
    await expect(milepost('task', 'acme-m365', 'dns-cutover', '--clear', 'waiver-reason')).rejects.toThrow(
      'task dns-cutover: --waiver-reason: a waived task needs a reason',
    );
    expect((await deps.store.get('acme-m365', 'task', 'dns-cutover'))?.version).toBe(2);

    expect(
      await milepost('task', 'acme-m365', 'dns-cutover', '--status', 'todo', '--clear', 'waiver-reason'),
    ).toEqual(['task dns-cutover updated (version 3): "Switch DNS", qa, todo, estimate 0 h, actual 0 h']);
    expect(await deps.store.get('acme-m365', 'task', 'dns-cutover')).not.toHaveProperty('waiverReason');
  });

  it('is an option of every record command (and only of them), and works on each kind', async () => {
    await milepost(
      'risk',
      'acme-m365',
      'late',
      '--title',
      'Late',
      '--likelihood',
      '2',
      '--impact',
      '3',
      '--owner',
      'Dana',
      '--review-by',
      '2026-12-01',
    );
    expect(await milepost('risk', 'acme-m365', 'late', '--clear', 'owner', '--clear', 'review-by')).toEqual([
      'risk late updated (version 2): "Late", score 6, open',
    ]);
    await milepost(
      'deployment',
      'acme-m365',
      'mx',
      '--name',
      'MX',
      '--deployed-by',
      'Dana',
      '--result',
      'failed',
    );
    await milepost('deployment', 'acme-m365', 'mx', '--step', 'Switch MX', '--step', 'Check');
    await milepost(
      'deployment',
      'acme-m365',
      'mx',
      '--clear',
      'deployed-by',
      '--clear',
      'result',
      '--clear',
      'step',
    );
    const deployment = await deps.store.get('acme-m365', 'deployment', 'mx');
    expect(deployment).not.toHaveProperty('deployedBy');
    expect(deployment).not.toHaveProperty('result');
    // A list option's --clear sends the empty list.
    expect(deployment).toMatchObject({ name: 'MX', steps: [], version: 3 });
    await expect(
      milepost('deployment', 'acme-m365', 'mx', '--step', 'Again', '--clear', 'step'),
    ).rejects.toThrow('--clear step: the list is also given; give one of them');

    const help = (command: string) => {
      const program = new Command();
      addStaffCommands(program, { out: () => undefined, color: false, userAgent: 'test' });
      return program.commands.find((c) => c.name() === command)?.helpInformation() ?? '';
    };
    for (const command of ['task', 'risk', 'test-case', 'deployment', 'training', 'lesson'])
      expect(help(command), command).toContain('--clear <field>');
    for (const command of ['projects', 'show', 'submit', 'time'])
      expect(help(command), command).not.toContain('--clear');
  });
});
