/**
 * Upgrading milepost while gates wait: an execution started on the previous definition keeps it
 * (Step Functions pins a running execution to the definition it started with) and its waiting
 * gate's task token still completes it after the state machine's definition was replaced; new
 * executions run the new definition. Runs the synthesized definition on the local Step Functions
 * endpoint, driven through the SDK as the lifecycle and HTTP functions drive Step Functions.
 */
import {
  DescribeExecutionCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { stageType } from '../../functions/core/stages/index.js';
import { loadProjectSpecs } from '../../infra/build-app.js';
import { synthesizeDefinitions } from '../../infra/definitions.js';
import { type SfnLocal, startSfnLocal, type TaskCall } from '../../local/sfn-local.js';
import { type AslDefinition, lifecyclePayload } from '../../statemachines/definition.js';

type Payload = { action: string; stage?: string; next?: string; taskToken?: string; release?: string };

/** Release B of the definition: every Task tells the lifecycle function it comes from B. */
function releaseB(a: AslDefinition): AslDefinition {
  const b = structuredClone(a);
  for (const state of Object.values(b.States)) {
    if (state.Type !== 'Task') continue;
    // The gate wraps the payload ({ FunctionName, Payload }); other tasks send it as it is.
    const params = (state as { Parameters?: Record<string, unknown> & { Payload?: unknown } }).Parameters;
    if (!params) continue;
    const payload =
      params.Payload && typeof params.Payload === 'object'
        ? (params.Payload as Record<string, unknown>)
        : params;
    payload.release = 'B';
  }
  return b;
}

let sfn: SfnLocal | undefined;
afterEach(async () => {
  await sfn?.stop();
  sfn = undefined;
});

async function until<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
): Promise<T> {
  // Bounded by attempts on a busy machine, not by a wall-clock budget per step.
  for (let i = 0; i < 2000; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('an upgrade while a gate waits', () => {
  it('completes the execution started on definition A with its waiting token after the definition became B', async () => {
    const [loaded] = (await loadProjectSpecs('projects')).filter((l) => l.spec.id === 'brightsmile-m365');
    const id = loaded!.spec.id;
    const a = synthesizeDefinitions([loaded!]).get(id)!;
    const b = releaseB(a);
    expect(JSON.stringify(b)).not.toEqual(JSON.stringify(a));

    const calls: { execution: string; payload: Payload }[] = [];
    const tokens: { execution: string; stage?: string; token: string }[] = [];
    sfn = await startSfnLocal({
      invokeTask: async (call: TaskCall) => {
        const payload = lifecyclePayload(call.input) as Payload;
        calls.push({ execution: call.execution.name, payload });
        if (call.waitForToken && payload.taskToken) {
          tokens.push({ execution: call.execution.name, stage: payload.stage, token: payload.taskToken });
        }
        // enterStage enters `stage`; advanceStage completes `stage` and enters `next` (none: closes).
        const entered =
          payload.action === 'enterStage'
            ? payload.stage
            : payload.action === 'advanceStage'
              ? payload.next
              : undefined;
        if (entered && stageType(entered).waitsFor === 'period') {
          return { continueAsNew: false, waitUntil: new Date(Date.now() - 60_000).toISOString() };
        }
        return entered ? { continueAsNew: false } : {};
      },
    });
    const arn = sfn.addStateMachine(`milepost-${id}`, a);
    const client = new SFNClient({
      endpoint: sfn.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const started = await client.send(
      new StartExecutionCommand({
        stateMachineArn: arn,
        name: `${id}-g0`,
        input: JSON.stringify({ projectId: id }),
      }),
    );
    const first = await until(() => tokens.find((t) => t.execution === `${id}-g0`), 'the initiation gate');
    expect(first.stage).toBe('initiation');

    // The upgrade: the same state machine now has definition B (a new lifecycle release).
    expect(sfn.addStateMachine(`milepost-${id}`, b)).toBe(arn);
    expect(sfn.definitionOf(`milepost-${id}`)?.given).toEqual(b);
    const callsBeforeUpgrade = calls.length;

    // Every gate of the old execution is approved with its own token, the first one issued before the upgrade.
    const approved = new Set<string>();
    for (let polls = 0; ; polls++) {
      if (polls > 5000)
        throw new Error(
          `execution still running after ${calls.map((c) => `${c.payload.action}:${c.payload.stage}`).join(' ')}`,
        );
      const done = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn! }));
      if (done.status !== 'RUNNING') {
        expect(done.status).toBe('SUCCEEDED');
        break;
      }
      const next = tokens.find((t) => t.execution === `${id}-g0` && !approved.has(t.token));
      if (!next) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      approved.add(next.token);
      await client.send(
        new SendTaskSuccessCommand({
          taskToken: next.token,
          output: JSON.stringify({ stage: next.stage, round: 1, decision: 'approved' }),
        }),
      );
    }
    expect(approved.has(first.token)).toBe(true);
    expect(approved.size).toBe(loaded!.stages.length);
    const afterUpgrade = calls.slice(callsBeforeUpgrade).filter((c) => c.execution === `${id}-g0`);
    expect(afterUpgrade.length).toBeGreaterThan(loaded!.stages.length);
    // Still definition A: no task of the old execution came from B.
    for (const c of afterUpgrade) expect(c.payload.release).toBeUndefined();
    // The last stage's complete closes the project.
    expect(afterUpgrade.at(-1)?.payload).toMatchObject({
      action: 'advanceStage',
      stage: loaded!.stages.at(-1)!.key,
    });
    expect(afterUpgrade.at(-1)?.payload.next).toBeUndefined();

    // A new execution (continue-as-new, a new project) runs definition B.
    await client.send(
      new StartExecutionCommand({
        stateMachineArn: arn,
        name: `${id}-g1`,
        input: JSON.stringify({ projectId: id }),
      }),
    );
    const fresh = await until(() => calls.find((c) => c.execution === `${id}-g1`), 'the new execution');
    expect(fresh.payload.release).toBe('B');
  });
});
