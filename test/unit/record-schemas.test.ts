/**
 * The record schemas are built when first read (core/record-schemas.ts), once per kind: what the
 * store parses with is still the schema of each kind, kept between reads.
 */
import { describe, expect, it } from 'vitest';
import { recordSchemas } from '../../functions/core/record-schemas.js';
import { specSchemas } from '../../functions/core/spec/fields.js';
import { projectSpecSchema } from '../../functions/core/spec/schema.js';
import { makeProject } from '../support/dynamo.js';

describe('record schemas built on first use', () => {
  it('has a schema for every stored kind, built once and kept', () => {
    expect(Object.keys(recordSchemas)).toEqual([
      'project',
      'stage',
      'gate',
      'link',
      'digest',
      'stakeholder',
      'member',
      'resource',
      'risk',
      'task',
      'test_case',
      'deployment',
      'training_session',
      'time_entry',
      'expense',
      'ledger',
      'lesson',
      'document',
      'change_request',
      'event',
    ]);
    for (const kind of Object.keys(recordSchemas) as (keyof typeof recordSchemas)[]) {
      expect(recordSchemas[kind], kind).toBe(recordSchemas[kind]);
    }
    expect(specSchemas().projectSpecSchema).toBe(projectSpecSchema);
  });

  it('parses a stored project with the spec schema and rejects a malformed one, naming the field', () => {
    const project = makeProject();
    expect(recordSchemas.project.parse(project)).toEqual(project);
    const bad = recordSchemas.project.safeParse({ ...project, spec: { ...project.spec, name: 7 } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['spec.name', 'Invalid input: expected string, received number'],
    ]);
  });
});
