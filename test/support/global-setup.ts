/**
 * Starts one DynamoDB Local for the whole test run (integration and e2e tests use it through
 * process.env.DYNAMODB_ENDPOINT) and stops it afterwards.
 */
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb-local.js';

export default async function setup(project: TestProject) {
  const db = await startDynamoDbLocal({ inMemory: true });
  project.provide('dynamodbEndpoint', db.endpoint);
  return async () => {
    await db.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}
