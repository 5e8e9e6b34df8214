/**
 * Fixtures of the state machine tests: the example specs, a test-only spec whose first gate
 * reminds after one second, and their definitions as CDK synthesizes them.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { type LoadedSpec, parseSpec } from '../../functions/core/spec/load.js';
import { loadProjectSpecs } from '../../infra/build-app.js';
import { synthesizeDefinitions } from '../../infra/definitions.js';
import type { AslDefinition } from '../../statemachines/definition.js';

/** Id of the test-only project whose `initiation` gate times out after one second. */
export const QUICK_PROJECT = 'quick-gates';

/** The brightsmile example with another id and a one-second reminder on the initiation gate. */
export function quickGatesSpec(): LoadedSpec {
  const doc = parseDocument(readFileSync('projects/brightsmile-m365.yaml', 'utf8'));
  doc.set('id', QUICK_PROJECT);
  doc.setIn(['stages', 0, 'gate'], {
    approvers: ['sponsor'],
    rule: 'all',
    remindAfterDays: 1 / 86_400,
    timeoutDays: 1,
  });
  return parseSpec(doc.toString(), 'test/quick-gates.yaml');
}

export interface Fixtures {
  specs: LoadedSpec[];
  definitions: Map<string, AslDefinition>;
}

/** The example specs plus the quick-gates spec, and the synthesized definition of each. */
export async function loadFixtures(): Promise<Fixtures> {
  const specs = [...(await loadProjectSpecs('projects')), quickGatesSpec()];
  return { specs, definitions: synthesizeDefinitions(specs) };
}
