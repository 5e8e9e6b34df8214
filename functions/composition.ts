/**
 * Every port wired, from configuration read from the environment: the local runtime and the tests
 * use this (the local runtime passes its own endpoints through the same variables, so handlers do
 * not know where they run). A Lambda handler wires only the ports it uses
 * (functions/composition/deps.ts), which keeps the other SDK clients out of its bundle.
 */
import type { Env } from './adapters/config.js';
import { assembleDeps } from './composition/deps.js';
import { documentStore } from './composition/documents.js';
import { emailNotifier } from './composition/notifier.js';
import { lambdaRenderer } from './composition/renderer.js';
import { dynamoStore } from './composition/store.js';
import { sfnWorkflow } from './composition/workflow.js';
import type { Deps } from './core/ports.js';

/** Builds every dependency from `env`. `overrides` replace single ports (local runtime, tests). */
export function makeDeps(env: Env, overrides: Partial<Deps> = {}): Deps {
  return assembleDeps(
    env,
    {
      store: dynamoStore,
      workflow: sfnWorkflow,
      notifier: emailNotifier,
      documents: documentStore,
      renderer: lambdaRenderer,
    },
    overrides,
  );
}
