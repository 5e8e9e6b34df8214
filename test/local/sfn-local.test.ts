import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { AcceleratedClock } from '../../functions/adapters/system-clock.js';
import { selectReferencePath } from '../../local/sfn/json-path.js';
import { type SfnLocal, scaleDefinition, startSfnLocal, type TaskCall } from '../../local/sfn-local.js';

/** A tiny lifecycle: enter -> gate (token, timeout 1 day) -> done; rejection -> rework -> gate; timeout -> remind -> gate. */
const definition = {
  StartAt: 'Enter',
  States: {
    Enter: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'local-fn', Payload: { action: 'enter', 'projectId.$': '$.projectId' } },
      ResultSelector: { 'entered.$': '$.Payload.entered' },
      ResultPath: '$.enter',
      Next: 'Gate',
    },
    Gate: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: 'local-fn',
        Payload: { action: 'gate', 'projectId.$': '$.projectId', 'taskToken.$': '$$.Task.Token' },
      },
      TimeoutSeconds: 86_400,
      ResultPath: '$.gate',
      // As the lifecycle: faults are retried, rejections never, timeouts are caught (not retried).
      Retry: [
        { ErrorEquals: ['GateRejected'], MaxAttempts: 0 },
        { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 2 },
      ],
      Catch: [
        { ErrorEquals: ['GateRejected'], ResultPath: '$.error', Next: 'Rework' },
        { ErrorEquals: ['States.Timeout'], ResultPath: null, Next: 'Remind' },
      ],
      Next: 'Done',
    },
    Rework: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'local-fn', Payload: { action: 'rework', 'error.$': '$.error' } },
      ResultPath: null,
      Next: 'Gate',
    },
    Remind: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'local-fn', Payload: { action: 'remind' } },
      ResultPath: null,
      Next: 'Pause',
    },
    Pause: { Type: 'Wait', Seconds: 3600, Next: 'Gate' },
    Done: { Type: 'Succeed' },
  },
};

type Payload = { action: string; taskToken?: string; error?: { Error?: string; Cause?: string } };

let sfn: SfnLocal | undefined;
afterEach(async () => {
  await sfn?.stop();
  sfn = undefined;
});

async function setup(factor = 1) {
  const calls: Payload[] = [];
  const tokens: string[] = [];
  const clock = new AcceleratedClock(new Date('2027-01-04T09:00:00Z'), factor);
  sfn = await startSfnLocal({
    clock,
    factor,
    invokeTask: async (call: TaskCall) => {
      const payload = (call.input as { Payload: Payload }).Payload;
      calls.push(payload);
      if (payload.taskToken) tokens.push(payload.taskToken);
      return { entered: true };
    },
  });
  const arn = sfn.addStateMachine('milepost-demo', definition);
  const client = new SFNClient({
    endpoint: sfn.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return { calls, tokens, arn, client, sfn };
}

async function until<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function status(client: SFNClient, executionArn: string) {
  return client.send(new DescribeExecutionCommand({ executionArn }));
}

describe('local Step Functions endpoint', () => {
  it('runs an execution to success when the gate token gets SendTaskSuccess', async () => {
    const { client, arn, tokens, calls } = await setup();
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'p-g0', input: '{"projectId":"p"}' }),
    );
    const token = await until(() => tokens[0], 'gate token');
    expect((await status(client, started.executionArn!)).status).toBe('RUNNING');
    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"decision":"approved"}' }));
    const done = await until(async () => {
      const d = await status(client, started.executionArn!);
      return d.status !== 'RUNNING' && d;
    }, 'end');
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({
      projectId: 'p',
      enter: { entered: true },
      gate: { decision: 'approved' },
    });
    expect(calls.map((c) => c.action)).toEqual(['enter', 'gate']);
    expect(sfn!.listExecutions()[0]!.transitions).toBe(3);
  });

  it('routes SendTaskFailure by its error name to the matching Catch and reopens the gate with a new token', async () => {
    const { client, arn, tokens, calls } = await setup();
    await client.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'p-g0', input: '{"projectId":"p"}' }),
    );
    const first = await until(() => tokens[0], 'first token');
    await client.send(
      new SendTaskFailureCommand({ taskToken: first, error: 'GateRejected', cause: 'not yet' }),
    );
    const second = await until(() => tokens[1], 'second token');
    expect(second).not.toBe(first);
    expect(calls.map((c) => c.action)).toEqual(['enter', 'gate', 'rework', 'gate']);
    expect(calls[2]!.error).toEqual({ Error: 'GateRejected', Cause: 'not yet' });
  });

  it('answers InvalidToken for an unknown token and for a token already used', async () => {
    const { client, arn, tokens } = await setup();
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: 'forged', output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);
    await client.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'p-g0', input: '{"projectId":"p"}' }),
    );
    const token = await until(() => tokens[0], 'token');
    await client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);
  });

  it('times the gate out in clock time and answers TaskTimedOut to a late callback', async () => {
    // One clock day per real second: the gate's 86400 s timeout fires after about a second.
    const { client, arn, tokens, calls } = await setup(86_400);
    await client.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'p-g0', input: '{"projectId":"p"}' }),
    );
    const first = await until(() => tokens[0], 'token');
    await until(() => calls.some((c) => c.action === 'remind'), 'reminder after the timeout');
    // The timeout goes to its Catch at once: a States.TaskFailed retrier does not match it.
    expect(calls.map((c) => c.action).slice(0, 3)).toEqual(['enter', 'gate', 'remind']);
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: first, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
    // The Wait state (one clock hour) is scaled too: the gate opens again.
    const second = await until(() => tokens[1], 'reopened gate');
    expect(second).not.toBe(first);
  });

  it('starts an execution once per name and refuses the name with another input', async () => {
    const { client, arn } = await setup();
    const input = '{"projectId":"p"}';
    const a = await client.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'p-g0', input }));
    const b = await client.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'p-g0', input }));
    expect(b.executionArn).toBe(a.executionArn);
    await expect(
      client.send(
        new StartExecutionCommand({ stateMachineArn: arn, name: 'p-g0', input: '{"projectId":"q"}' }),
      ),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    const list = await client.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    expect(list.executions?.map((e) => e.name)).toEqual(['p-g0']);
    // Start dates are clock time (the handlers' clock), not real time.
    expect(list.executions?.[0]?.startDate?.toISOString().slice(0, 13)).toBe('2027-01-04T09');
  });

  it('fails the execution with the error a task throws', async () => {
    const clock = new AcceleratedClock(new Date('2027-01-04T09:00:00Z'), 1);
    sfn = await startSfnLocal({
      clock,
      invokeTask: async () => {
        const e = new Error('project p is not registered');
        e.name = 'NotFoundError';
        throw e;
      },
    });
    const arn = sfn.addStateMachine('milepost-p', definition);
    const e = sfn.startExecution(arn, 'p-g0', '{"projectId":"p"}');
    const ended = await until(() => e.status !== 'RUNNING' && e, 'failure');
    expect(ended).toMatchObject({
      status: 'FAILED',
      error: 'NotFoundError',
      cause: 'project p is not registered',
    });
  });
});

describe('Wait states on a path', () => {
  /** A task reports a time; a Wait reads it from its own input, wherever the definition put it. */
  const waiting = (wait: Record<string, unknown>) => ({
    StartAt: 'Plan',
    States: {
      Plan: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: 'local-fn', Payload: { action: 'plan' } },
        ResultSelector: { 'until.$': '$.Payload.holdUntil', 'seconds.$': '$.Payload.holdSeconds' },
        ResultPath: '$.hold',
        Next: 'Hold',
      },
      Hold: { Type: 'Wait', ...wait, Next: 'Done' },
      Done: { Type: 'Succeed' },
    },
  });

  async function runWait(wait: Record<string, unknown>, input = '{}') {
    // One clock hour per real second.
    const clock = new AcceleratedClock(new Date('2027-01-04T09:00:00Z'), 3600);
    const holdUntil = new Date('2027-01-04T11:00:00Z');
    sfn = await startSfnLocal({
      clock,
      factor: 3600,
      invokeTask: async () => ({ holdUntil: holdUntil.toISOString(), holdSeconds: 7200 }),
    });
    const arn = sfn.addStateMachine('milepost-wait', waiting(wait));
    const e = sfn.startExecution(arn, 'w-1', input);
    const ended = await until(() => e.status !== 'RUNNING' && e, 'the wait to end');
    return { ended, clock, holdUntil };
  }

  it('waits until the TimestampPath of its input, in clock time', async () => {
    const { ended, clock, holdUntil } = await runWait({ TimestampPath: '$.hold.until' });
    expect(ended.status).toBe('SUCCEEDED');
    // Two clock hours took about two real seconds (the engine alone would wait until 2027).
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(holdUntil.getTime() - 60_000);
    expect(ended.transitions).toBe(3);
  });

  it('applies its InputPath first, and reads SecondsPath the same way', async () => {
    const { ended, clock, holdUntil } = await runWait({ InputPath: '$.hold', SecondsPath: '$.seconds' });
    expect(ended.status).toBe('SUCCEEDED');
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(holdUntil.getTime() - 60_000);
  });

  it('reads a path into the execution input', async () => {
    const { ended } = await runWait(
      { TimestampPath: '$$.Execution.Input.resumeAt' },
      '{"resumeAt":"2027-01-04T10:00:00Z"}',
    );
    expect(ended.status).toBe('SUCCEEDED');
  });
});

describe('selectReferencePath', () => {
  const data = { a: { 'b c': [1, { d: 'x' }] }, e: null };

  it('selects one node by dot, bracket and index steps', () => {
    expect(selectReferencePath('$', data)).toBe(data);
    expect(selectReferencePath('$.a', data)).toBe(data.a);
    expect(selectReferencePath("$.a['b c'][1].d", data)).toBe('x');
    expect(selectReferencePath('$.e', data)).toBeNull();
    expect(selectReferencePath('$$.Execution.Input.id', {}, { Execution: { Input: { id: 'p' } } })).toBe('p');
  });

  it('answers undefined for a missing node or a path that selects many', () => {
    expect(selectReferencePath('$.a.missing', data)).toBeUndefined();
    expect(selectReferencePath("$.a['b c'][5]", data)).toBeUndefined();
    expect(selectReferencePath('$.a.*', data)).toBeUndefined();
    expect(selectReferencePath('a.b', data)).toBeUndefined();
  });
});

describe('scaleDefinition', () => {
  it('divides only the timeouts of token tasks and leaves the rest of the definition as it was', () => {
    const scaled = scaleDefinition(definition, 3600);
    expect(scaled.States.Gate.TimeoutSeconds).toBe(24);
    const { Gate: g1, ...rest1 } = scaled.States;
    const { Gate: g0, ...rest0 } = definition.States;
    expect(rest1).toEqual(rest0);
    expect({ ...g1, TimeoutSeconds: 0 }).toEqual({ ...g0, TimeoutSeconds: 0 });
    expect(definition.States.Gate.TimeoutSeconds).toBe(86_400);
  });

  it('clamps timeouts to the longest Node timer', () => {
    const long = structuredClone(definition);
    long.States.Gate.TimeoutSeconds = 365 * 86_400;
    expect(scaleDefinition(long, 1).States.Gate.TimeoutSeconds).toBe(2_147_483);
  });
});
