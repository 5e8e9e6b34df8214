import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_STAGE_KEY_CHARS } from '../../functions/core/spec/definition-size.js';
import { parseSpec } from '../../functions/core/spec/load.js';
import { checkSpec, MAX_STORED_SPEC_BYTES, storedSpecBytes } from '../../functions/core/spec/schema.js';
import { makeProjectSpec, projectSpecInput } from '../support/dynamo.js';
import { VALID_SPEC } from './spec-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'milepost-limits-'));

describe('spec limits', () => {
  it('refuses a spec that cannot be stored in one item, naming the limit', () => {
    const big = makeProjectSpec({
      objectives: Array.from({ length: 400 }, (_, i) => `Objective ${i} ${'x'.repeat(900)}`),
    });
    expect(storedSpecBytes(big)).toBeGreaterThan(MAX_STORED_SPEC_BYTES);
    const issues = checkSpec(big);
    expect(issues).toEqual([
      {
        path: [],
        message: expect.stringMatching(/more than the 256 KB limit.*DynamoDB item \(at most 400 KB\)/),
      },
    ]);
    expect(checkSpec(makeProjectSpec())).toEqual([]);
  });

  it('is refused by `milepost validate` with a line naming the limit (a 1 MB spec)', () => {
    const objectives = Array.from({ length: 1100 }, (_, i) => `  - Objective ${i} ${'y'.repeat(900)}`).join(
      '\n',
    );
    const source = VALID_SPEC.replace(/^objectives:.*$/m, `objectives:\n${objectives}`);
    expect(source.length).toBeGreaterThan(1_000_000);
    const file = join(dir, 'big.yaml');
    writeFileSync(file, source);
    const r = spawnSync(process.execPath, ['cli/bin.js', 'validate', file], {
      encoding: 'utf8',
      env: { ...process.env, MILEPOST_DEBUG: '' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/big\.yaml:\d+:? .*more than the 256 KB limit/);
  });

  it('refuses a stage key too long for its state names, at `milepost validate` with its line', () => {
    const key = `${'k'.repeat(MAX_STAGE_KEY_CHARS)}x`;
    const input = projectSpecInput({
      id: 'long-key',
      stages: [{ key, name: 'Long', gate: { approvers: ['sponsor'] } }],
      deliverables: [{ id: 'd', name: 'D', stage: key, acceptance: 'ok' }],
    });
    const fits = projectSpecInput({
      stages: [{ key: key.slice(1), name: 'Long', gate: { approvers: ['sponsor'] } }],
      deliverables: [{ id: 'd', name: 'D', stage: key.slice(1), acceptance: 'ok' }],
    });
    expect(checkSpec(parseSpec(JSON.stringify(fits), 'fits.yaml').spec)).toEqual([]);
    const file = join(dir, 'long-key.yaml');
    writeFileSync(file, JSON.stringify(input, null, 1));
    const r = spawnSync(process.execPath, ['cli/bin.js', 'validate', file], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/long-key\.yaml:\d+:? stages\[0\]\.key: must be at most 47 characters/);
  });

  it.each(['javascript:alert(1)', 'http://example.com/logo.png', 'data:image/png;base64,AAAA'])(
    'refuses the logo URL %s (rendered URLs must be https:)',
    (logoUrl) => {
      const input = projectSpecInput({ msp: { name: 'MSP', logoUrl } });
      expect(() => parseSpec(JSON.stringify(input), 'logo.yaml')).toThrow(
        /msp\.logoUrl: must be an https: URL/,
      );
    },
  );

  it('accepts an https logo URL', () => {
    const input = projectSpecInput({ msp: { name: 'MSP', logoUrl: 'https://example.com/logo.png' } });
    expect(parseSpec(JSON.stringify(input), 'logo.yaml').spec.msp?.logoUrl).toBe(
      'https://example.com/logo.png',
    );
  });
});
