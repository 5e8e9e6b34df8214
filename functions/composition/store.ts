/** The project store port on DynamoDB (every function). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Env } from '../adapters/config.js';
import { DynamoProjectStore } from '../adapters/dynamo-store.js';
import type { ProjectStore } from '../core/ports.js';
import { clientOptions, endpointOf } from './clients.js';

/** The store on the table TABLE_NAME. */
export function dynamoStore(env: Env): ProjectStore {
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...clientOptions(env), ...endpointOf(env.DYNAMODB_ENDPOINT) }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  return new DynamoProjectStore(dynamo, env.TABLE_NAME);
}
