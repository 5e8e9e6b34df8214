/**
 * AWS error paths of a decision, with the real adapters over mocked SDK clients:
 * a cancelled DynamoDB transaction (a concurrent click) and a gate task that is gone in Step Functions.
 */
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoProjectStore } from '../../functions/adapters/dynamo-store.js';
import { SfnWorkflow } from '../../functions/adapters/sfn-workflow.js';
import { newApprovalLink } from '../../functions/core/approval-links.js';
import type { ApprovalLink } from '../../functions/core/model.js';
import { handleHttp } from '../../functions/http/app.js';
import { makeGate, makeProject, makeStage } from '../support/dynamo.js';
import { makeTestDeps } from '../support/fakes.js';

const TOKEN = 'tok-SECRET-123';
const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const meta = { $metadata: {} };

function setup() {
  const project = { ...makeProject({ currentStage: 'initiation' }), version: 1 };
  const made = newApprovalLink({
    projectId: project.id,
    stage: 'initiation',
    round: 1,
    approverEmail: 'sponsor@acme.example',
    approverName: 'Amara Okafor',
    now: new Date('2026-12-01T09:00:00Z'),
    linkTtlDays: 21,
  });
  const items: Record<string, object> = {
    [`LINK#${made.link.linkHash}|LINK`]: { ...made.link, version: 1 },
    [`PROJECT#${project.id}|PROJECT`]: project,
    [`PROJECT#${project.id}|STAGE#initiation`]: makeStage({ status: 'awaiting_approval', version: 2 }),
    [`PROJECT#${project.id}|GATE#initiation`]: makeGate({
      round: 1,
      status: 'pending_approval',
      taskToken: TOKEN,
      approvers: [{ email: 'sponsor@acme.example', name: 'Amara Okafor', linkHash: made.link.linkHash }],
      version: 3,
    }),
  };
  dynamo.on(GetCommand).callsFake((input: { Key: { PK: string; SK: string } }) => {
    const item = items[`${input.Key.PK}|${input.Key.SK}`];
    return { Item: item ? structuredClone(item) : undefined };
  });
  // Queries over the items above: a kind's list (`:prefix`) or the project's current records
  // from `GATE#` upward (`:from`, what the criteria of a passing decision read).
  dynamo
    .on(QueryCommand)
    .callsFake((input: { ExpressionAttributeValues: Record<string, string | undefined> }) => {
      const { ':pk': pk, ':prefix': prefix, ':from': from } = input.ExpressionAttributeValues;
      const Items = Object.entries(items)
        .map(([key, item]) => {
          const [PK = '', SK = ''] = key.split('|');
          return { ...structuredClone(item), PK, SK };
        })
        .filter((i) => i.PK === pk && (prefix ? i.SK.startsWith(prefix) : from ? i.SK >= from : true))
        .sort((a, b) => a.SK.localeCompare(b.SK));
      return { Items };
    });
  dynamo
    .on(BatchGetCommand)
    .callsFake((input: { RequestItems: Record<string, { Keys: { PK: string; SK: string }[] }> }) => ({
      Responses: Object.fromEntries(
        Object.entries(input.RequestItems).map(([table, { Keys }]) => [
          table,
          Keys.flatMap((k) => {
            const item = items[`${k.PK}|${k.SK}`];
            return item ? [{ ...structuredClone(item), PK: k.PK, SK: k.SK }] : [];
          }),
        ]),
      ),
    }));
  const store = new DynamoProjectStore(
    DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-2' })),
    'table',
  );
  const deps = makeTestDeps(store, {
    workflow: new SfnWorkflow(
      new SFNClient({ region: 'eu-west-2' }),
      'arn:aws:states:eu-west-2:1:stateMachine:',
    ) as never,
  });
  return { deps, items, linkId: made.id, linkKey: `LINK#${made.link.linkHash}|LINK` };
}

async function approve(
  deps: ReturnType<typeof setup>['deps'],
  linkId: string,
  decision = 'approve',
  comment = '',
) {
  const req = { method: 'GET', path: `/approve/${linkId}`, query: {}, headers: {}, body: '' };
  const page = await handleHttp(deps, req);
  // Every hidden field of the form, as a browser posts them (the CSRF nonce and the read hint).
  const hidden = Object.fromEntries(
    [...page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
  );
  expect(hidden['csrf']).toBeTruthy();
  return handleHttp(deps, {
    ...req,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...hidden, decision, comment }).toString(),
  });
}

describe('decide approval on AWS error paths', () => {
  beforeEach(() => {
    dynamo.reset();
    sfn.reset();
  });

  it('re-reads after a cancelled transaction and shows "already decided" when a concurrent click won', async () => {
    const { deps, items, linkId, linkKey } = setup();
    dynamo.on(TransactWriteCommand).callsFake(() => {
      // The other click committed first: the link is decided now, so this transaction is cancelled.
      items[linkKey] = {
        ...(items[linkKey] as unknown as ApprovalLink),
        status: 'decided',
        decision: 'approve',
        decidedAt: '2026-12-01T09:00:00.000Z',
        version: 2,
      };
      throw new TransactionCanceledException({
        message: 'Transaction cancelled',
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'ConditionalCheckFailed' }],
        ...meta,
      });
    });
    const res = await approve(deps, linkId);
    expect(res.status).toBe(200);
    expect(res.body).toContain('already decided by Amara Okafor');
    expect(dynamo).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it.each([
    ['TaskTimedOut', () => new TaskTimedOut({ message: 'Task Timed Out', ...meta })],
    ['InvalidToken', () => new InvalidToken({ message: 'Invalid Token', ...meta })],
  ])(
    'shows the thank-you page when SendTaskSuccess fails with %s and records it as an event',
    async (_n, make) => {
      const { deps, linkId } = setup();
      dynamo.on(TransactWriteCommand).resolves({});
      sfn.on(SendTaskSuccessCommand).rejects(make());
      const res = await approve(deps, linkId);
      expect(res.status).toBe(200);
      expect(res.body).toContain('Thank you, your approval is recorded');
      expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: TOKEN });
      // The decision, then the deferred-callback event on its own.
      expect(dynamo).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
      const last = dynamo.commandCalls(TransactWriteCommand)[1]?.args[0].input.TransactItems ?? [];
      expect(last.map((i) => i.Put?.Item?.type)).toEqual(['gate_callback_deferred']);
    },
  );

  it('shows the thank-you page when SendTaskFailure finds the task gone after a rejection', async () => {
    const { deps, linkId } = setup();
    dynamo.on(TransactWriteCommand).resolves({});
    sfn.on(SendTaskFailureCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', ...meta }));
    const res = await approve(deps, linkId, 'reject', 'Not ready');
    expect(res.status).toBe(200);
    expect(res.body).toContain('Thank you, your rejection is recorded');
    expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: TOKEN,
      error: 'GateRejected',
      cause: 'Not ready',
    });
  });

  it('shows a plain error page, without details, when DynamoDB fails otherwise', async () => {
    const { deps, linkId } = setup();
    dynamo.on(TransactWriteCommand).rejects(new Error('connect ECONNREFUSED 10.0.0.1:443'));
    const res = await approve(deps, linkId);
    expect(res.status).toBe(500);
    expect(res.body).toContain('Something went wrong');
    expect(res.body).not.toContain('ECONNREFUSED');
    expect(res.body).not.toMatch(/at .+\.ts:\d+/);
  });
});
