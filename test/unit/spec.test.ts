import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  loadSpecFile,
  loadSpecFiles,
  loadSpecFolder,
  parseSpec,
  type SpecError,
  SpecFolderError,
  SpecValidationError,
  specFilesIn,
} from '../../functions/core/spec/load.js';
import { lineNumber, VALID_SPEC, withLine } from './spec-fixture.js';

const FILE = 'projects/acme-test.yaml';

function errorsOf(source: string): SpecError[] {
  try {
    parseSpec(source, FILE);
  } catch (e) {
    if (e instanceof SpecValidationError) return e.errors;
    throw e;
  }
  throw new Error('expected the spec to be invalid');
}

describe('example specs', () => {
  const files = readdirSync('projects')
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `projects/${f}`);

  it('has at least two examples', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('loads %s with its stages resolved', async (file) => {
    const loaded = await loadSpecFile(file);
    expect(loaded.spec.id).toMatch(/^[a-z0-9-]+$/);
    expect(loaded.stages.length).toBeGreaterThan(0);
    expect(loaded.stages.map((s) => s.order)).toEqual(loaded.stages.map((_, i) => i));
    for (const stage of loaded.stages) {
      if (stage.gate.rule !== 'auto') expect(stage.gate.approvers.length).toBeGreaterThan(0);
    }
  });

  it.each(files)('%s references the generated JSON Schema', async (file) => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./schema.json');
    expect((await loadSpecFile(file)).spec.$schema).toBe('./schema.json');
  });

  it('loads all examples together (project ids are unique)', async () => {
    const loaded = await loadSpecFiles(files);
    expect(new Set(loaded.map((l) => l.spec.id)).size).toBe(files.length);
  });

  it('declares different stages and gate rules in the two examples', async () => {
    const loaded = await loadSpecFiles(files);
    const shapes = loaded.map((l) => JSON.stringify(l.stages.map((s) => [s.key, s.gate.rule])));
    expect(new Set(shapes).size).toBe(loaded.length);
  });
});

describe('parseSpec', () => {
  it('accepts the valid fixture and applies defaults', () => {
    const { spec, stages } = parseSpec(VALID_SPEC, FILE);
    expect(spec.support.days).toBe(30);
    expect(spec.monitoring.thresholds).toEqual({ spi: 0.9, cpi: 0.9 });
    expect(stages.map((s) => s.key)).toEqual(['initiation', 'execution', 'support']);
    expect(stages[1]?.gate.approvers).toEqual(['sam@acme.example', 'alex@acme.example']);
  });

  // Each case: the line to change, its replacement, the field path and message the error must name.
  const cases: { name: string; from: string; to: string; field: string; message: RegExp }[] = [
    {
      name: 'a negative budget',
      from: '  amount: 10000',
      to: '  amount: -500',
      field: 'budget.amount',
      message: /more than 0/,
    },
    {
      name: 'a bad email',
      from: '    email: alex@acme.example',
      to: '    email: alex-at-acme',
      field: 'stakeholders[1].email',
      message: /invalid email/,
    },
    {
      name: 'a deliverable of an unknown stage',
      from: '    stage: support',
      to: '    stage: hypercare',
      field: 'deliverables[1].stage',
      message: /unknown stage "hypercare"/,
    },
    {
      name: 'a custom stage without a name',
      from: '  - key: initiation',
      to: '  - key: kickoff',
      field: 'stages[0].name',
      message: /custom stage "kickoff" needs a name/,
    },
    {
      name: 'a quorum larger than the approvers',
      from: '      rule: all',
      to: '      rule: { quorum: 3 }',
      field: 'stages[1].gate.rule.quorum',
      message: /quorum 3 is more than the 2 approver/,
    },
    {
      name: 'a due date outside the timeline',
      from: '    due: 2026-01-16',
      to: '    due: 2025-12-20',
      field: 'stages[0].due',
      message: /inside the timeline 2026-01-05\.\.2026-03-27/,
    },
    {
      name: 'a duplicate deliverable id',
      from: '  - id: runbook',
      to: '  - id: tenant',
      field: 'deliverables[1].id',
      message: /duplicate id/,
    },
    {
      name: 'an approver who is not a stakeholder',
      from: '      approvers: [sponsor, approver]',
      to: '      approvers: [sponsor, eve@elsewhere.example]',
      field: 'stages[1].gate.approvers[1]',
      message: /"eve@elsewhere.example" is not a stakeholder/,
    },
    {
      name: 'an unknown field',
      from: '  hours: 100',
      to: '  hours: 100\n  contingency: 10',
      field: 'budget.contingency',
      message: /unknown field/,
    },
    {
      name: 'a bad time zone',
      from: '  timezone: Europe/London',
      to: '  timezone: Mars/Olympus_Mons',
      field: 'customer.timezone',
      message: /IANA time zone/,
    },
    {
      name: 'a bad quantity type',
      from: '    likelihood: 2',
      to: '    likelihood: often',
      field: 'risks[0].likelihood',
      message: /number/,
    },
  ];

  it.each(cases)('reports $name with file, line and field', ({ from, to, field, message }) => {
    const source = withLine(from, to);
    const errors = errorsOf(source);
    const expectedLine = lineNumber(VALID_SPEC, from) + to.split('\n').length - 1;
    expect(errors).toContainEqual({
      file: FILE,
      line: expectedLine,
      field,
      message: expect.stringMatching(message),
    });
  });

  it('reports an end before the start at timeline.end', () => {
    const source = withLine('  end: 2026-03-27', '  end: 2025-12-31');
    const errors = errorsOf(source);
    expect(errors).toContainEqual({
      file: FILE,
      line: lineNumber(source, '  end: 2025-12-31'),
      field: 'timeline.end',
      message: 'must not be before timeline.start',
    });
  });

  it('reports a missing field at its parent with the field path', () => {
    const source = withLine('  hours: 100', '');
    const errors = errorsOf(source);
    expect(errors).toEqual([
      { file: FILE, line: lineNumber(source, 'budget:'), field: 'budget.hours', message: 'is required' },
    ]);
  });

  it('reports a YAML syntax error at its line, before any field check', () => {
    const source = withLine('  name: Acme Ltd', '  name: "Acme Ltd');
    const errors = errorsOf(source);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ file: FILE, line: lineNumber(source, '  name: "Acme Ltd'), field: '' });
    expect(errors[0]?.message).toMatch(/^YAML: /);
  });

  it('reports a duplicate key as a YAML error', () => {
    const source = withLine('  hours: 100', '  hours: 100\n  hours: 120');
    const errors = errorsOf(source);
    expect(errors[0]?.message).toMatch(/^YAML: .*unique/i);
    expect(errors[0]?.line).toBe(lineNumber(source, '  hours: 120'));
  });

  it('reports every error of a spec with several errors, each at its own line', () => {
    let source = withLine('  amount: 10000', '  amount: -1');
    source = withLine('    email: alex@acme.example', '    email: nope', source);
    source = withLine('  timezone: Europe/London', '  timezone: Nowhere/Land', source);
    source = withLine('name: Test project', 'name: Test project\nowner: someone', source);
    const errors = errorsOf(source);
    expect(errors.map((e) => [e.field, e.line])).toEqual(
      expect.arrayContaining([
        ['budget.amount', lineNumber(source, '  amount: -1')],
        ['stakeholders[1].email', lineNumber(source, '    email: nope')],
        ['customer.timezone', lineNumber(source, '  timezone: Nowhere/Land')],
        ['owner', lineNumber(source, 'owner: someone')],
      ]),
    );
    expect(errors).toHaveLength(4);
  });

  it('reports every cross-field error together', () => {
    let source = withLine('  - id: runbook', '  - id: tenant');
    source = withLine('      rule: all', '      rule: { quorum: 5 }', source);
    source = withLine('    due: 2026-03-27', '    due: 2026-04-30', source);
    const fields = errorsOf(source).map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['deliverables[1].id', 'stages[1].gate.rule.quorum', 'stages[2].due']),
    );
  });

  it('reports field errors and cross-field errors of one file together', () => {
    let source = withLine('  amount: 10000', '  amount: -1');
    source = withLine('    email: alex@acme.example', '    email: nope', source);
    source = withLine('    stage: execution', '    stage: nowhere', source);
    source = withLine('  end: 2026-03-27', '  end: 2025-12-31', source);
    const errors = errorsOf(source);
    expect(errors.map((e) => [e.field, e.line])).toEqual(
      expect.arrayContaining([
        ['budget.amount', lineNumber(source, '  amount: -1')],
        ['stakeholders[1].email', lineNumber(source, '    email: nope')],
        ['deliverables[0].stage', lineNumber(source, '    stage: nowhere')],
        ['timeline.end', lineNumber(source, '  end: 2025-12-31')],
      ]),
    );
  });

  it('formats each error as file:line field: message', () => {
    const source = withLine('    email: alex@acme.example', '    email: alex-at-acme');
    try {
      parseSpec(source, FILE);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SpecValidationError);
      expect((e as Error).message).toBe(
        `${FILE}:${lineNumber(source, '    email: alex-at-acme')} stakeholders[1].email: invalid email`,
      );
    }
  });

  it('rejects an empty file with the required fields named', () => {
    const fields = errorsOf('').map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['id', 'name', 'customer', 'stakeholders']));
  });
});

describe('README', () => {
  it('shows a spec example that is valid, with every top-level field of the schema', async () => {
    const { readFileSync } = await import('node:fs');
    const { projectSpecSchema } = await import('../../functions/core/spec/schema.js');
    const readme = readFileSync('README.md', 'utf8');
    const example = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => m[1] ?? '')
      .find((block) => block.startsWith('id:'));
    expect(example).toBeDefined();
    const { spec } = parseSpec(example ?? '', 'README.md');
    const documented = Object.keys(projectSpecSchema.shape).filter((k) => k !== '$schema');
    for (const field of documented) expect(example, field).toMatch(new RegExp(`^${field}:`, 'm'));
    expect(spec.stages?.map((s) => s.key)).toContain('design-review');
  });
});

describe('loadSpecFiles', () => {
  it('reports a project id used by two files', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'milepost-spec-'));
    await writeFile(join(dir, 'a.yaml'), VALID_SPEC);
    await writeFile(join(dir, 'b.yaml'), VALID_SPEC);
    await expect(loadSpecFiles([join(dir, 'a.yaml'), join(dir, 'b.yaml')])).rejects.toThrow(
      /id: project id "acme-test" is also used by/,
    );
  });
});

describe('spec discovery', () => {
  it('lists the yaml and yml files of a folder, sorted, and loads them', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'milepost-specs-'));
    await writeFile(join(dir, 'b.yml'), VALID_SPEC.replace('id: acme-test', 'id: acme-other'));
    await writeFile(join(dir, 'a.yaml'), VALID_SPEC);
    await writeFile(join(dir, 'README.md'), '# not a spec');
    expect(await specFilesIn(dir)).toEqual([join(dir, 'a.yaml'), join(dir, 'b.yml')]);
    const loaded = await loadSpecFolder(dir, (p) => `specs/${p.slice(dir.length + 1)}`);
    expect(loaded.map((l) => [l.file, l.spec.id])).toEqual([
      ['specs/a.yaml', 'acme-test'],
      ['specs/b.yml', 'acme-other'],
    ]);
  });

  it('names a missing folder', async () => {
    await expect(specFilesIn('no-such-folder')).rejects.toThrow(SpecFolderError);
    await expect(specFilesIn('no-such-folder')).rejects.toThrow('no projects folder at no-such-folder');
    await expect(specFilesIn('package.json')).rejects.toThrow(SpecFolderError);
  });
});

describe('notifications.webhook', () => {
  const withWebhook = (lines: string) => `${VALID_SPEC.trimEnd()}\nnotifications:\n  webhook:\n${lines}\n`;

  it('takes a channel by URL or by Secrets Manager secret', () => {
    const byUrl = parseSpec(
      withWebhook('    kind: slack\n    url: https://hooks.slack.com/services/T/B/X'),
      FILE,
    );
    expect(byUrl.spec.notifications?.webhook).toEqual({
      kind: 'slack',
      url: 'https://hooks.slack.com/services/T/B/X',
    });
    const bySecret = parseSpec(withWebhook('    kind: teams\n    secretName: milepost/webhooks/acme'), FILE);
    expect(bySecret.spec.notifications?.webhook).toEqual({
      kind: 'teams',
      secretName: 'milepost/webhooks/acme',
    });
  });

  it('names the field of a wrong channel', () => {
    const both = errorsOf(
      withWebhook('    kind: slack\n    url: https://hooks.slack.com/x\n    secretName: milepost/webhooks/a'),
    );
    expect(both.map((e) => [e.field, e.message])).toEqual([
      ['notifications.webhook', 'give the webhook either url or secretName'],
    ]);
    const plain = errorsOf(withWebhook('    kind: slack\n    url: http://hooks.slack.com/x'));
    expect(plain.map((e) => e.field)).toEqual(['notifications.webhook.url']);
    const outside = errorsOf(withWebhook('    kind: teams\n    secretName: prod/database-password'));
    expect(outside.map((e) => [e.field, e.message])).toEqual([
      ['notifications.webhook.secretName', 'must be a Secrets Manager secret name under milepost/webhooks/'],
    ]);
    expect(errorsOf(withWebhook('    kind: irc\n    url: https://x.example/h')).map((e) => e.field)).toEqual([
      'notifications.webhook.kind',
    ]);
  });
});
