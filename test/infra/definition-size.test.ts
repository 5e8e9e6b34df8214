/**
 * The definition size that `milepost validate` predicts (functions/core/spec/definition-size.ts)
 * against the definitions CDK really synthesizes from the lifecycle builder: the prediction must
 * never be below the real size (or a spec would pass validate and fail at deploy), and must not be
 * far above it (or specs that fit would be refused).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  estimateDefinitionBytes,
  LONGEST_FUNCTION_ARN_CHARS,
  MAX_DEFINITION_BYTES,
  MAX_STAGE_KEY_CHARS,
  maxStagesFor,
} from '../../functions/core/spec/definition-size.js';
import type { LoadedSpec } from '../../functions/core/spec/load.js';
import { checkSpec, type ProjectSpec, resolveStages } from '../../functions/core/spec/schema.js';
import { STANDARD_STAGE_KEYS } from '../../functions/core/stages/index.js';
import { synthesizeDefinitions } from '../../infra/definitions.js';
import { type AslDefinition, LOCAL_LIFECYCLE_FUNCTION } from '../../statemachines/definition.js';
import { makeProjectSpec, projectSpecInput } from '../support/dynamo.js';

/** Custom stage keys of exactly `chars` characters (at least 2), distinct for up to 100 stages. */
function keys(count: number, chars: number): string[] {
  return Array.from({ length: count }, (_, i) => `${String(i).padStart(2, '0')}${'k'.repeat(chars - 2)}`);
}

function specWith(id: string, stageKeys: string[]): ProjectSpec {
  return makeProjectSpec({
    id,
    stages: stageKeys.map((key) =>
      (STANDARD_STAGE_KEYS as readonly string[]).includes(key)
        ? { key }
        : { key, name: `Stage ${key}`, gate: { approvers: ['sponsor'] } },
    ),
    deliverables: [{ id: 'd', name: 'D', stage: stageKeys[0] as string, acceptance: 'ok' }],
  });
}

/** Bytes of the definition as deployed: compact JSON, with the longest function ARN a deploy can have. */
function deployedBytes(definition: AslDefinition): number {
  const text = JSON.stringify(definition).replaceAll(
    LOCAL_LIFECYCLE_FUNCTION,
    'a'.repeat(LONGEST_FUNCTION_ARN_CHARS),
  );
  return Buffer.byteLength(text, 'utf8');
}

const CASES: [string, string[]][] = [
  ['one-short', ['ab']],
  ['standard', [...STANDARD_STAGE_KEYS]],
  ['ten-long', keys(10, MAX_STAGE_KEY_CHARS)],
  ['twenty-mid', keys(20, 12)],
  ['hypercare-long', [...keys(5, MAX_STAGE_KEY_CHARS), 'support']],
];

describe('definition size', () => {
  let specs: LoadedSpec[];
  let definitions: Map<string, AslDefinition>;
  const atMax = maxStagesFor(MAX_STAGE_KEY_CHARS);

  beforeAll(() => {
    const all: [string, string[]][] = [...CASES, ['at-max', keys(atMax, MAX_STAGE_KEY_CHARS)]];
    specs = all.map(([id, stageKeys]) => {
      const spec = specWith(id, stageKeys);
      return { file: `${id}.yaml`, spec, stages: resolveStages(spec) };
    });
    definitions = synthesizeDefinitions(specs);
  }, 120_000);

  it.each(CASES.map(([id]) => id))('predicts %s at or above its real size, by at most 3%%', (id) => {
    const loaded = specs.find((s) => s.spec.id === id) as LoadedSpec;
    const real = deployedBytes(definitions.get(id) as AslDefinition);
    const predicted = estimateDefinitionBytes(loaded.stages);
    expect(predicted).toBeGreaterThanOrEqual(real);
    expect(predicted).toBeLessThanOrEqual(real * 1.03);
  });

  it('the named maximum of stages fits the limit when synthesized', () => {
    const real = deployedBytes(definitions.get('at-max') as AslDefinition);
    expect(real).toBeLessThanOrEqual(MAX_DEFINITION_BYTES);
    // ...and is the maximum: one more stage of the same size would pass it.
    const perStage = real / atMax;
    expect(real + perStage).toBeGreaterThan(MAX_DEFINITION_BYTES * 0.97);
    expect(checkSpec(specWith('at-max', keys(atMax, MAX_STAGE_KEY_CHARS)))).toEqual([]);
  });

  it('refuses one stage more, naming the maximum', () => {
    const issues = checkSpec(specWith('too-many', keys(atMax + 1, MAX_STAGE_KEY_CHARS)));
    expect(issues).toEqual([
      {
        path: ['stages'],
        message: expect.stringMatching(
          new RegExp(`^${atMax + 1} stages .* more than the 256 KB limit: at most ${atMax} stages`),
        ),
      },
    ]);
  });

  it('`milepost validate` refuses such a spec with a located line', () => {
    const input = projectSpecInput({
      id: 'too-many',
      stages: keys(atMax + 1, MAX_STAGE_KEY_CHARS).map((key) => ({
        key,
        name: key,
        gate: { approvers: ['sponsor'] },
      })),
      deliverables: [
        { id: 'd', name: 'D', stage: keys(1, MAX_STAGE_KEY_CHARS)[0] as string, acceptance: 'ok' },
      ],
    });
    const file = join(mkdtempSync(join(tmpdir(), 'milepost-size-')), 'too-many.yaml');
    writeFileSync(file, JSON.stringify(input, null, 1));
    const r = spawnSync(process.execPath, ['cli/bin.js', 'validate', file], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`too-many\\.yaml:\\d+ stages: ${atMax + 1} stages .*at most ${atMax} stages`),
    );
  });
});
