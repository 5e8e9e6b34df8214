/**
 * Once per test run: starts one DynamoDB Local (integration and e2e tests use it through
 * `inject('dynamodbEndpoint')`) and gives the run a folder for its one shared `cdk synth`
 * (`inject('synthDir')`, started by the first test that needs it, see shared-synth.ts). Stops
 * and removes both afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local.js';
import { stopSharedSynth } from './shared-synth.js';

export default async function setup(project: TestProject) {
  const synthDir = mkdtempSync(join(tmpdir(), 'milepost-synth-'));
  project.provide('synthDir', synthDir);
  const db = await startDynamoDbLocal({ inMemory: true });
  project.provide('dynamodbEndpoint', db.endpoint);
  return async () => {
    stopSharedSynth(synthDir);
    await db.stop();
    rmSync(synthDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    synthDir: string;
  }
}
