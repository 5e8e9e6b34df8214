/** The local runtime's DynamoDB table: created on DynamoDB Local with the same definition as in AWS. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../functions/adapters/table-definition.js';

/** Name of the table the local runtime uses. */
export const TABLE_NAME = 'milepost';

/** Creates `tableName` on the DynamoDB endpoint unless it exists (data kept on disk survives). */
export async function ensureTable(endpoint: string, tableName = TABLE_NAME): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } finally {
    client.destroy();
  }
}
