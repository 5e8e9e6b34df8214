import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineNumber, VALID_SPEC, withLine } from './spec-fixture.js';

/** Runs the CLI the way `npx milepost` does: through the executable shim. */
function milepost(...args: string[]) {
  return milepostIn({}, ...args);
}

function milepostIn(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, ['cli/bin.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, MILEPOST_DEBUG: '', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'milepost-cli-'));
function specFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('milepost validate', () => {
  it('prints ok for each valid file and exits 0', () => {
    const r = milepost('validate', 'projects/brightsmile-m365.yaml', 'projects/harbor-law-network.yaml');
    expect(r.stdout).toBe('projects/brightsmile-m365.yaml: ok\nprojects/harbor-law-network.yaml: ok\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('prints every error as file:line field: message and exits 1', () => {
    let source = withLine('  amount: 10000', '  amount: -5');
    source = withLine('    email: alex@acme.example', '    email: alex-at-acme', source);
    const bad = specFile('bad.yaml', source);
    const good = specFile('good.yaml', VALID_SPEC);
    const r = milepost('validate', bad, good);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(`${good}: ok\n`);
    expect(r.stderr.trim().split('\n').sort()).toEqual(
      [
        `${bad}:${lineNumber(source, '  amount: -5')} budget.amount: must be more than 0`,
        `${bad}:${lineNumber(source, '    email: alex-at-acme')} stakeholders[1].email: invalid email`,
      ].sort(),
    );
  });

  it('reports a missing file in one line and still checks the others', () => {
    const good = specFile('also-good.yaml', VALID_SPEC);
    const r = milepost('validate', join(dir, 'missing.yaml'), good);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${join(dir, 'missing.yaml')}: file not found\n`);
    expect(r.stdout).toBe(`${good}: ok\n`);
  });

  it('reports the same project id in two files', () => {
    const a = specFile('one.yaml', VALID_SPEC);
    const b = specFile('two.yaml', VALID_SPEC);
    const r = milepost('validate', a, b);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${b}:1 id: project id "acme-test" is also used by ${a}\n`);
  });

  it('checks every spec file of a folder, as cdk synth and the local runtime find them', () => {
    const folder = mkdtempSync(join(dir, 'folder-'));
    writeFileSync(join(folder, 'b.yml'), VALID_SPEC.replace('id: acme-test', 'id: acme-other'));
    writeFileSync(join(folder, 'a.yaml'), VALID_SPEC);
    writeFileSync(join(folder, 'notes.txt'), 'not a spec');
    const r = milepost('validate', folder);
    expect(r.stdout).toBe(`${join(folder, 'a.yaml')}: ok\n${join(folder, 'b.yml')}: ok\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('reports a YAML syntax error without a stack trace', () => {
    const bad = specFile('syntax.yaml', withLine('  name: Acme Ltd', '  name: "Acme Ltd'));
    const r = milepost('validate', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: YAML: `));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('milepost schema', () => {
  it('prints the JSON Schema', () => {
    const r = milepost('schema');
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { title: string; properties: Record<string, unknown> };
    expect(schema.title).toBe('milepost project spec');
    expect(Object.keys(schema.properties)).toContain('stakeholders');
  });
});

describe('milepost command line', () => {
  it('rejects a bad port in one line', () => {
    const r = milepost('dev', '--port', 'eighty');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--port.*must be a port number/);
  });

  it('refuses to start dev on an invalid spec: every error, then what to do', () => {
    const specs = mkdtempSync(join(dir, 'specs-'));
    writeFileSync(join(specs, 'bad.yaml'), withLine('  amount: 10000', '  amount: -5'));
    // `npm start -- --projects specs-x` runs in the package folder: the folder is the caller's (INIT_CWD).
    const r = milepostIn(
      { INIT_CWD: dir },
      'dev',
      '--projects',
      basename(specs),
      '--in-memory',
      '--port',
      '1',
    );
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      `${join(specs, 'bad.yaml')}:${lineNumber(withLine('  amount: 10000', '  amount: -5'), '  amount: -5')} budget.amount: must be more than 0`,
      expect.stringMatching(/^milepost: fix the spec errors above .* and start again$/),
    ]);
  });

  it('rejects an unknown command', () => {
    const r = milepost('deploy');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown command 'deploy'/);
  });
});
