/**
 * A fresh table on a DynamoDB Local started for one bench section (in memory, stopped after it),
 * with the store the use cases see. A machine without Java prints why the section is skipped.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoProjectStore } from '../functions/adapters/dynamo-store.js';
import { createTableInput } from '../functions/adapters/table-definition.js';
import { type DynamoDbLocal, startDynamoDbLocal } from '../local/dynamodb-local.js';

export interface LocalTable {
  db: DynamoDbLocal;
  /** The low-level client (add request counters to its middleware stack in `prepare`). */
  raw: DynamoDBClient;
  /** The document client the store uses (for reads the store does not offer). */
  client: DynamoDBDocumentClient;
  tableName: string;
  store: DynamoProjectStore;
}

/**
 * Runs `body` on a new table named `<prefix>-<time>`. `prepare` sees the low-level client before
 * the table is created; `skipped` starts the line printed when DynamoDB Local cannot start.
 */
export async function withLocalTable(
  options: { prefix: string; skipped?: string; prepare?: (raw: DynamoDBClient) => void },
  body: (table: LocalTable) => Promise<void>,
): Promise<void> {
  let db: DynamoDbLocal;
  try {
    db = await startDynamoDbLocal({ inMemory: true });
  } catch (e) {
    console.log(`${options.skipped ?? 'skipped'}: ${(e as Error).message}`);
    return;
  }
  try {
    const raw = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    options.prepare?.(raw);
    const tableName = `${options.prefix}-${Date.now().toString(36)}`;
    await raw.send(new CreateTableCommand(createTableInput(tableName)));
    const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    await body({ db, raw, client, tableName, store: new DynamoProjectStore(client, tableName) });
  } finally {
    await db.stop();
  }
}
