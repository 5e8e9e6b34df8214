import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime.js';
import { scaleDefinition } from '../../local/sfn-local.js';
import { definitionFromTemplate } from '../../statemachines/definition.js';
import { sharedSynth } from '../support/shared-synth.js';

const ID = 'harbor-law-network';
const root = mkdtempSync(join(tmpdir(), 'milepost-definition-'));
let runtime: Runtime | undefined;
afterAll(async () => {
  await runtime?.stop();
  rmSync(root, { recursive: true, force: true });
});

type State = { Type: string; Resource?: string; TimeoutSeconds?: number };

describe('the definition executed locally', () => {
  it('is the one `cdk synth` writes for the same spec', async () => {
    const projectsDir = join(root, 'projects');
    mkdirSync(projectsDir);
    copyFileSync(resolve('projects', `${ID}.yaml`), join(projectsDir, `${ID}.yaml`));
    copyFileSync(resolve('projects', 'schema.json'), join(projectsDir, 'schema.json'));
    // The run's one `cdk synth` of the example projects (a project's stack depends only on its spec).
    const synth = await sharedSynth(inject('synthDir'));
    expect(synth.status, synth.stderr).toBe(0);
    const out = synth.outdir;
    const file = readdirSync(out).find((f) => f.endsWith(`${ID}.template.json`));
    expect(file, 'the project stack template').toBeDefined();
    const synthesized = definitionFromTemplate(JSON.parse(readFileSync(join(out, file!), 'utf8')));

    runtime = await startRuntime({
      projectsDir,
      port: 0,
      dataDir: join(root, 'data'),
      inMemory: true,
      schedules: false,
      notify: () => undefined,
    });
    const loaded = runtime.sfn.definitionOf(`milepost-${ID}`);
    expect(loaded?.given).toEqual(synthesized);
    // At real time the engine runs it unchanged (scaling only divides gate timeouts by the factor).
    expect(loaded?.executed).toEqual(scaleDefinition(synthesized, 1));
    expect(loaded?.executed).toEqual(synthesized);
    const gates = Object.values(synthesized.States as Record<string, State>).filter((s) =>
      s.Resource?.endsWith('.waitForTaskToken'),
    );
    expect(gates.length).toBe(8);
    for (const g of gates) expect(g.TimeoutSeconds).toBeGreaterThan(0);
    // And it is what runs: the project's first execution is on that state machine.
    const [execution] = runtime.sfn.listExecutions(`milepost-${ID}`);
    expect(execution?.status).toBe('RUNNING');
  }, 600_000);
});
