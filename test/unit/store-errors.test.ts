import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoProjectStore } from '../../functions/adapters/dynamo-store.js';
import { ConflictError } from '../../functions/core/errors.js';
import { makeRisk } from '../support/dynamo.js';

const canceled = (codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('DynamoProjectStore write errors', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const store = new DynamoProjectStore(
    DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    'table',
    { now: () => new Date('2026-12-01T00:00:00.000Z') },
  );
  beforeEach(() => {
    ddb.reset();
  });

  it('maps a cancelled transaction with a failed condition to ConflictError naming the record', async () => {
    const cause = canceled(['ConditionalCheckFailed', 'None']);
    ddb.on(TransactWriteCommand).rejects(cause);
    const error = await store
      .commit(
        [{ ...makeRisk(), version: 2 }],
        [{ projectId: 'acme-m365', type: 't', actor: 'system', summary: 's' }],
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain('risk data-loss of project acme-m365');
    expect((error as Error).cause).toBe(cause);
  });

  it('maps a transaction conflict to ConflictError', async () => {
    ddb.on(TransactWriteCommand).rejects(canceled(['None', 'TransactionConflict']));
    await expect(store.commit([makeRisk()])).rejects.toBeInstanceOf(ConflictError);
  });

  it('maps ConditionalCheckFailedException to ConflictError', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    await expect(store.commit([makeRisk()])).rejects.toBeInstanceOf(ConflictError);
  });

  it('passes a cancellation for other reasons through unchanged', async () => {
    const cause = canceled(['ThrottlingError']);
    ddb.on(TransactWriteCommand).rejects(cause);
    await expect(store.commit([makeRisk()])).rejects.toBe(cause);
  });

  it('passes other errors through unchanged', async () => {
    const cause = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    ddb.on(TransactWriteCommand).rejects(cause);
    await expect(store.commit([makeRisk()])).rejects.toBe(cause);
  });

  it('writes versions and conditions: new records must not exist, others must still have the read version', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const stored = await store.commit(
      [makeRisk(), { ...makeRisk({ id: 'other' }), version: 4 }],
      [{ projectId: 'acme-m365', type: 't', actor: 'system', summary: 's' }],
    );
    expect(stored.map((s) => s.version)).toEqual([1, 5]);
    const items = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Put?.ConditionExpression).toBe('attribute_not_exists(#pk)');
    expect(items[0]?.Put?.Item).toMatchObject({ PK: 'PROJECT#acme-m365', SK: 'RISK#data-loss', version: 1 });
    expect(items[1]?.Put?.ConditionExpression).toBe('#v = :v');
    expect(items[1]?.Put?.ExpressionAttributeValues).toEqual({ ':v': 4 });
    expect(items[1]?.Put?.Item).toMatchObject({ version: 5 });
    expect(items[2]?.Put?.ConditionExpression).toBe('attribute_not_exists(#pk)');
    expect(String(items[2]?.Put?.Item?.SK)).toMatch(/^EVENT#2026-12-01T00:00:00\.000Z#/);
  });
});
