/**
 * The SDK floor of a function that reads and writes DynamoDB, and nothing else (the bench's
 * `bundle floor` lines, bench/bundles.ts): the DynamoDB document client as
 * functions/composition/store.ts builds it, with every command and error class
 * functions/adapters/dynamo-store.ts uses, and no milepost code. Bundled like a handler.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';

const region = process.env['AWS_REGION'];
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region, maxAttempts: 5 }), {
  marshallOptions: { removeUndefinedValues: true },
});

/** One call of each command; the error classes are matched as the store matches them. */
export const handler = async (event: {
  TableName: string;
  Key: Record<string, string>;
}): Promise<unknown> => {
  const { TableName, Key } = event;
  try {
    await db.send(new GetCommand({ TableName, Key }));
    await db.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: [Key] } } }));
    await db.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: Key } }] }));
    return await db.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'x' },
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException || err instanceof TransactionCanceledException)
      return err.name;
    throw err;
  }
};
