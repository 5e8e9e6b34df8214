import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { projectJsonSchema, projectJsonSchemaText } from '../../cli/schema.js';

type Node = {
  description?: string;
  properties?: Record<string, Node>;
  items?: Node;
  required?: string[];
  additionalProperties?: boolean;
  default?: unknown;
};

describe('projects/schema.json', () => {
  it('is the schema generated from the zod spec schema (run `npm run schema` when this fails)', () => {
    expect(readFileSync('projects/schema.json', 'utf8')).toBe(projectJsonSchemaText());
  });

  it('has a draft 2020-12 $schema, a title and a description', () => {
    const schema = projectJsonSchema() as Node & { $schema?: string; title?: string };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('milepost project spec');
    expect(schema.description).toMatch(/milepost validate/);
  });

  it('describes every top-level field', () => {
    const schema = projectJsonSchema() as Node;
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      expect(prop.description, name).toEqual(expect.any(String));
    }
  });

  it('leaves fields with defaults optional (input shape) and rejects unknown fields', () => {
    const schema = projectJsonSchema() as Node;
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'name', 'customer', 'stakeholders']));
    for (const optional of ['support', 'monitoring', 'risks', 'resources', 'stages', 'msp'])
      expect(schema.required).not.toContain(optional);
    expect(schema.properties?.['support']?.default).toEqual({ days: 30 });
    expect(schema.additionalProperties).toBe(false);
  });

  it('describes nested fields such as the gate rule', () => {
    const schema = projectJsonSchema() as Node;
    const gate = schema.properties?.['stages']?.items?.properties?.['gate'];
    expect(gate?.properties?.['rule']?.description).toMatch(/quorum/);
  });
});
