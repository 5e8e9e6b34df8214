/**
 * Runs each synthesized definition in aws-local-stepfunctions with every Task overridden by a
 * recording fake of the lifecycle function, and checks the paths through the lifecycle.
 */
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CONTINUE_AS_NEW,
  type LifecycleAction,
  type LifecycleEvent,
  lifecycleEventSchema,
} from '../../functions/core/workflow-contract.js';
import { type AslDefinition, lifecyclePayload } from '../../statemachines/definition.js';
import { type Fixtures, loadFixtures, QUICK_PROJECT } from './support.js';

type Behavior = (event: LifecycleEvent, call: number) => unknown;

interface Run {
  /** `action:stage` (or just the action) in the order the fake saw them. */
  actions: string[];
  events: LifecycleEvent[];
  /** Names of the states entered, in order. */
  states: string[];
  output: unknown;
}

class GateRejected extends Error {
  constructor(comment: string) {
    super(comment);
    this.name = 'GateRejected';
  }
}

const defaults: Record<LifecycleAction, Behavior> = {
  enterStage: (e) =>
    'stage' in e && e.stage === 'support'
      ? { continueAsNew: false, waitUntil: new Date(Date.now() - 60_000).toISOString() }
      : { continueAsNew: false },
  openGate: (e) => ({ stage: 'stage' in e ? e.stage : '', round: 1, decision: 'approved' }),
  remindGate: () => ({ continueAsNew: false }),
  reworkStage: () => ({}),
  completeStage: () => ({}),
  advanceStage: () => {
    throw new Error('advanceStage is run as completeStage + enterStage / closeProject');
  },
  continueAsNew: () => ({}),
  closeProject: () => ({}),
};

/** Executes `definition` with every Task state calling the fake; `behaviors` replace the defaults. */
async function execute(
  definition: AslDefinition,
  input: Record<string, unknown>,
  behaviors: Partial<Record<LifecycleAction, Behavior>> = {},
): Promise<Run> {
  const actions: string[] = [];
  const events: LifecycleEvent[] = [];
  const calls = new Map<string, number>();
  const run = (event: LifecycleEvent) => {
    const key = 'stage' in event ? `${event.action}:${event.stage}` : event.action;
    const call = (calls.get(key) ?? 0) + 1;
    calls.set(key, call);
    actions.push(key);
    events.push(event);
    return (behaviors[event.action] ?? defaults[event.action])(event, call);
  };
  const fake = async (taskInput: unknown) => {
    const event = lifecycleEventSchema.parse(lifecyclePayload(taskInput));
    let result: unknown;
    if (event.action === 'advanceStage') {
      // As the handler's advanceStage: complete the stage, then enter the next or close.
      const { projectId, stage, next, executionStartedAt } = event;
      await run({ action: 'completeStage', projectId, stage });
      result = await (next === undefined
        ? run({ action: 'closeProject', projectId })
        : run({ action: 'enterStage', projectId, stage: next, executionStartedAt }));
    } else {
      result = await run(event);
    }
    // As the handler: an entered stage that should continue as new fails its task with ContinueAsNew.
    const entered = event.action === 'enterStage' || (event.action === 'advanceStage' && event.next);
    if (entered && (result as { continueAsNew?: boolean } | undefined)?.continueAsNew === true) {
      const error = new Error('continue as new');
      error.name = CONTINUE_AS_NEW;
      throw error;
    }
    return result;
  };
  const taskResourceLocalHandlers = Object.fromEntries(
    Object.entries(definition.States)
      .filter(([, state]) => state.Type === 'Task')
      .map(([name]) => [name, fake]),
  );
  const machine = new StateMachine(definition as never);
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never },
    context: {
      Task: {
        get Token() {
          return randomUUID();
        },
      },
    },
  });
  const states: string[] = [];
  const logging = (async () => {
    for await (const log of execution.eventLogs) if (log.type === 'StateEntered') states.push(log.state.name);
  })();
  const output = await execution.result;
  await logging;
  return { actions, events, states, output };
}

/** The actions of a stage passed at the first approval. */
const happyStage = (stage: string) => [`enterStage:${stage}`, `openGate:${stage}`, `completeStage:${stage}`];

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await loadFixtures();
});

const definitionOf = (projectId: string) => {
  const d = fixtures.definitions.get(projectId);
  if (!d) throw new Error(`no definition for ${projectId}`);
  return d;
};
const stagesOf = (projectId: string) =>
  fixtures.specs.find((s) => s.spec.id === projectId)!.stages.map((s) => s.key);

describe.each(['brightsmile-m365', 'harbor-law-network'])('the lifecycle of %s', (projectId) => {
  it('walks every stage in order and closes the project', async () => {
    const run = await execute(definitionOf(projectId), { projectId });

    expect(run.actions).toEqual([...stagesOf(projectId).flatMap(happyStage), 'closeProject']);
    for (const event of run.events) expect(event.projectId).toBe(projectId);
  });

  it('passes the execution start time to enter and a fresh task token to each gate', async () => {
    const run = await execute(definitionOf(projectId), { projectId });

    const enters = run.events.filter((e) => e.action === 'enterStage');
    for (const e of enters) expect(Number.isNaN(Date.parse(e.executionStartedAt))).toBe(false);
    const tokens = run.events.flatMap((e) => (e.action === 'openGate' ? [e.taskToken] : []));
    expect(tokens).toHaveLength(stagesOf(projectId).length);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('reworks a rejected stage and waits at its gate again until it is approved', async () => {
    const [, second] = stagesOf(projectId);
    const run = await execute(
      definitionOf(projectId),
      { projectId },
      {
        openGate: (e, call) => {
          if (e.action === 'openGate' && e.stage === second && call === 1) {
            throw new GateRejected('The budget line for licences is missing');
          }
          return defaults.openGate(e, call);
        },
      },
    );

    const from = run.actions.indexOf(`enterStage:${second}`);
    expect(run.actions.slice(from, from + 5)).toEqual([
      `enterStage:${second}`,
      `openGate:${second}`,
      `reworkStage:${second}`,
      `openGate:${second}`,
      `completeStage:${second}`,
    ]);
    const rework = run.events.find((e) => e.action === 'reworkStage');
    expect(rework).toMatchObject({ error: { Error: 'GateRejected' } });
    expect(JSON.stringify(rework)).toContain('The budget line for licences is missing');
    expect(run.actions.at(-1)).toBe('closeProject');
  });

  it('retries a gate whose function failed, and the stage goes on', async () => {
    const [first] = stagesOf(projectId);
    const run = await execute(
      definitionOf(projectId),
      { projectId },
      {
        openGate: (e, call) => {
          if (e.action === 'openGate' && e.stage === first && call === 1) {
            throw new Error('the store is unavailable');
          }
          return defaults.openGate(e, call);
        },
      },
    );

    expect(run.actions.slice(0, 4)).toEqual([
      `enterStage:${first}`,
      `openGate:${first}`,
      `openGate:${first}`,
      `completeStage:${first}`,
    ]);
    expect(run.actions).not.toContain(`reworkStage:${first}`);
    expect(run.actions.at(-1)).toBe('closeProject');
  });

  it('resumes at a middle stage given in startAt', async () => {
    const stages = stagesOf(projectId);
    const middle = stages[Math.floor(stages.length / 2)]!;
    const run = await execute(definitionOf(projectId), { projectId, startAt: middle });

    expect(run.actions).toEqual([
      ...stages.slice(stages.indexOf(middle)).flatMap(happyStage),
      'closeProject',
    ]);
  });

  it('starts at the first stage when startAt names no stage', async () => {
    const run = await execute(definitionOf(projectId), { projectId, startAt: 'no-such-stage' });

    expect(run.actions.slice(0, 3)).toEqual(happyStage(stagesOf(projectId)[0]!));
  });

  it('continues as new when entering a stage asks for it, and runs no later stage', async () => {
    const stages = stagesOf(projectId);
    const third = stages[2]!;
    const run = await execute(
      definitionOf(projectId),
      { projectId },
      {
        enterStage: (e, call) =>
          e.action === 'enterStage' && e.stage === third
            ? { continueAsNew: true }
            : defaults.enterStage(e, call),
      },
    );

    expect(run.actions).toEqual([
      ...stages.slice(0, 2).flatMap(happyStage),
      `enterStage:${third}`,
      `continueAsNew:${third}`,
    ]);
  });
});

describe('a gate that times out', () => {
  it('reminds the approvers and waits at the gate again until it is approved', async () => {
    const run = await execute(
      definitionOf(QUICK_PROJECT),
      { projectId: QUICK_PROJECT },
      {
        // The first gate task never answers: its one-second TimeoutSeconds fires.
        openGate: (e, call) =>
          e.action === 'openGate' && e.stage === 'initiation' && call === 1
            ? new Promise(() => {})
            : defaults.openGate(e, call),
      },
    );

    expect(run.actions.slice(0, 5)).toEqual([
      'enterStage:initiation',
      'openGate:initiation',
      'remindGate:initiation',
      'openGate:initiation',
      'completeStage:initiation',
    ]);
    expect(run.actions.at(-1)).toBe('closeProject');
  });

  it('continues as new when the reminder says the execution is old', async () => {
    const run = await execute(
      definitionOf(QUICK_PROJECT),
      { projectId: QUICK_PROJECT },
      {
        openGate: (e, call) =>
          e.action === 'openGate' && e.stage === 'initiation' && call === 1
            ? new Promise(() => {})
            : defaults.openGate(e, call),
        remindGate: () => ({ continueAsNew: true }),
      },
    );

    expect(run.actions).toEqual([
      'enterStage:initiation',
      'openGate:initiation',
      'remindGate:initiation',
      'continueAsNew:initiation',
    ]);
  });
});

describe('the support stage', () => {
  const projectId = 'brightsmile-m365';

  it('waits until the hypercare end that entering the stage returned before it opens the gate', async () => {
    const run = await execute(
      definitionOf(projectId),
      { projectId, startAt: 'support' },
      { enterStage: () => ({ continueAsNew: false, waitUntil: new Date(Date.now() + 200).toISOString() }) },
    );

    expect(run.actions).toEqual([...happyStage('support'), 'closeProject']);
    expect(run.states).toEqual([
      'route to stage',
      'support: enter',
      'support: wait for hypercare end',
      'support: gate',
      'support: complete',
    ]);
  });

  it('opens the gate at once when the hypercare end entering the stage returned has passed', async () => {
    const run = await execute(
      definitionOf(projectId),
      { projectId, startAt: 'support' },
      { enterStage: () => ({ continueAsNew: false, waitUntil: new Date(Date.now() - 1000).toISOString() }) },
    );

    expect(run.states.slice(2, 4)).toEqual(['support: wait for hypercare end', 'support: gate']);
    expect(run.actions).toEqual([...happyStage('support'), 'closeProject']);
  });
});

describe('state transitions', () => {
  it('stay a small constant per stage on the happy path (no polling)', async () => {
    const projectId = 'harbor-law-network';
    const run = await execute(definitionOf(projectId), { projectId });

    // per stage: gate and complete (which enters the next stage, or closes after the last);
    // per execution: the router, the first stage's enter and support's hypercare wait
    const stages = stagesOf(projectId).length;
    expect(run.states).toHaveLength(2 * stages + 3);
  });
});
