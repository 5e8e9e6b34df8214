import {
  ExecutionAlreadyExists,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { SfnWorkflow } from '../../functions/adapters/sfn-workflow.js';
import { TaskTokenGoneError } from '../../functions/core/errors.js';

const PREFIX = 'arn:aws:states:eu-west-2:123456789012:stateMachine:';
const sfn = mockClient(SFNClient);
const meta = { $metadata: {} };

describe('SfnWorkflow', () => {
  beforeEach(() => sfn.reset());
  const workflow = () => new SfnWorkflow(new SFNClient({ region: 'eu-west-2' }), PREFIX);

  it('sends task success with the output as JSON', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    await workflow().sendTaskSuccess('tok-1', { stage: 'risk', round: 2, decision: 'approved' });
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
      taskToken: 'tok-1',
      output: JSON.stringify({ stage: 'risk', round: 2, decision: 'approved' }),
    });
  });

  it.each([
    ['TaskTimedOut', () => new TaskTimedOut({ message: 'timed out', ...meta })],
    ['InvalidToken', () => new InvalidToken({ message: 'invalid', ...meta })],
    ['TaskDoesNotExist', () => new TaskDoesNotExist({ message: 'gone', ...meta })],
  ])('maps %s on success to TaskTokenGoneError without the token in the message', async (_n, make) => {
    sfn.on(SendTaskSuccessCommand).rejects(make());
    const err = await workflow()
      .sendTaskSuccess('secret-token-value', {})
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskTokenGoneError);
    expect((err as Error).message).not.toContain('secret-token-value');
  });

  it('maps TaskTimedOut on failure to TaskTokenGoneError', async () => {
    sfn.on(SendTaskFailureCommand).rejects(new TaskTimedOut({ message: 'timed out', ...meta }));
    await expect(workflow().sendTaskFailure('tok', 'GateRejected', 'no')).rejects.toBeInstanceOf(
      TaskTokenGoneError,
    );
  });

  it('sends task failure with the error name and cause', async () => {
    sfn.on(SendTaskFailureCommand).resolves({});
    await workflow().sendTaskFailure('tok-2', 'GateRejected', 'budget too high');
    expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
      taskToken: 'tok-2',
      error: 'GateRejected',
      cause: 'budget too high',
    });
  });

  it('rethrows other errors unchanged', async () => {
    const boom = new Error('network down');
    sfn.on(SendTaskSuccessCommand).rejects(boom);
    await expect(workflow().sendTaskSuccess('tok', {})).rejects.toBe(boom);
  });

  it('starts the execution on the project state machine', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'x', startDate: new Date() });
    await workflow().startExecution('acme', 'acme-g0', { projectId: 'acme' });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: `${PREFIX}milepost-acme`,
      name: 'acme-g0',
      input: JSON.stringify({ projectId: 'acme' }),
    });
  });

  it('treats ExecutionAlreadyExists as success', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', ...meta }));
    await expect(workflow().startExecution('acme', 'acme-g0', {})).resolves.toBeUndefined();
  });
});
