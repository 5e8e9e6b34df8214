/**
 * A bundle entry for test/infra/bundle-contents.test.ts: an SDK client built without credentials,
 * as the functions build theirs in AWS, so the bundle's credential chain has to find them.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/** Lists one table at `endpoint`; true when DynamoDB answered. */
export async function handler(endpoint: string): Promise<boolean> {
  const client = new DynamoDBClient({ region: 'eu-west-2', endpoint, maxAttempts: 1 });
  const out = await client.send(new ListTablesCommand({ Limit: 1 }));
  return Array.isArray(out.TableNames);
}
