/**
 * The synthesized definitions: valid ASL, the gate/retry rules of the design, and the template
 * reader the local runtime relies on.
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { GATE_REJECTED, stateMachineName } from '../../functions/core/workflow-contract.js';
import {
  type AslDefinition,
  type AslState,
  definitionFromTemplate,
  LOCAL_LIFECYCLE_FUNCTION,
} from '../../statemachines/definition.js';
import { gateTimeoutSeconds, stageStateNames } from '../../statemachines/lifecycle.js';
import { type Fixtures, loadFixtures, QUICK_PROJECT } from './support.js';

type AslValidator = (definition: object) => { isValid: boolean; errorsText: (sep?: string) => string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

interface Retrier {
  ErrorEquals: string[];
  MaxAttempts?: number;
  IntervalSeconds?: number;
  BackoffRate?: number;
}

let fixtures: Fixtures;
beforeAll(async () => {
  fixtures = await loadFixtures();
});

const tasksOf = (d: AslDefinition) => Object.entries(d.States).filter(([, s]) => s.Type === 'Task');
const isGate = (s: AslState) => String(s.Resource).endsWith('.waitForTaskToken');

describe('the synthesized definitions', () => {
  it('exist for every spec', () => {
    expect([...fixtures.definitions.keys()].sort()).toEqual(fixtures.specs.map((s) => s.spec.id).sort());
  });

  it('pass asl-validator', () => {
    for (const [projectId, definition] of fixtures.definitions) {
      const result = aslValidator(definition);
      expect(result.errorsText('\n'), projectId).toBe('');
      expect(result.isValid).toBe(true);
    }
  });

  it('use JSONPath only (no JSONata, no Assign)', () => {
    for (const definition of fixtures.definitions.values()) {
      expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
      for (const [name, state] of Object.entries(definition.States)) {
        expect(state.QueryLanguage ?? 'JSONPath', name).toBe('JSONPath');
        expect(Object.keys(state), name).not.toContain('Assign');
      }
      expect(JSON.stringify(definition).includes('{%')).toBe(false);
    }
  });

  it('name every state readably in at most 80 characters', () => {
    for (const definition of fixtures.definitions.values()) {
      for (const name of Object.keys(definition.States)) expect(name.length).toBeLessThanOrEqual(80);
    }
  });

  it('give every stage a .waitForTaskToken gate with TimeoutSeconds from the spec', () => {
    for (const { spec, stages } of fixtures.specs) {
      const definition = fixtures.definitions.get(spec.id)!;
      expect(tasksOf(definition).filter(([, s]) => isGate(s))).toHaveLength(stages.length);
      for (const stage of stages) {
        const gate = definition.States[stageStateNames(stage.key).gate]!;
        expect(gate.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
        expect(gate.TimeoutSeconds).toBe(Math.min(6 * 3600, Math.round(stage.gate.remindAfterDays * 86_400)));
        expect(gate.TimeoutSeconds).toBe(gateTimeoutSeconds(stage));
        expect(gate.Parameters).toMatchObject({
          FunctionName: LOCAL_LIFECYCLE_FUNCTION,
          Payload: { action: 'openGate', stage: stage.key, 'taskToken.$': '$$.Task.Token' },
        });
      }
    }
    // The risk gate of brightsmile reminds after 2 days (checked every 6 hours); the quick spec's first gate after 1 second.
    expect(fixtures.definitions.get('brightsmile-m365')!.States['risk: gate']!.TimeoutSeconds).toBe(21_600);
    expect(fixtures.definitions.get(QUICK_PROJECT)!.States['initiation: gate']!.TimeoutSeconds).toBe(1);
  });

  it('catch a gate timeout with the reminder and a rejection with rework', () => {
    for (const { spec, stages } of fixtures.specs) {
      const definition = fixtures.definitions.get(spec.id)!;
      for (const stage of stages) {
        const names = stageStateNames(stage.key);
        const catchers = definition.States[names.gate]!.Catch as { ErrorEquals: string[]; Next: string }[];
        expect(catchers).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ ErrorEquals: [GATE_REJECTED], Next: names.rework }),
            expect.objectContaining({ ErrorEquals: ['States.Timeout'], Next: names.remind }),
          ]),
        );
        expect(definition.States[names.rework]!.Next).toBe(names.gate);
        expect(definition.States[names.remindChoice]!.Default).toBe(names.gate);
      }
    }
  });

  it('never retry a rejection or a timeout at the gate, and retry faults with backoff', () => {
    for (const definition of fixtures.definitions.values()) {
      for (const [name, gate] of tasksOf(definition).filter(([, s]) => isGate(s))) {
        const retriers = gate.Retry as Retrier[];
        // First match wins: GateRejected stops here (0 attempts) before States.TaskFailed could match it.
        expect(retriers[0], name).toEqual({ ErrorEquals: [GATE_REJECTED], MaxAttempts: 0 });
        const retried = retriers.slice(1).flatMap((r) => r.ErrorEquals);
        expect(retried).toEqual(expect.arrayContaining(['Lambda.ServiceException', 'States.TaskFailed']));
        for (const wildcard of ['States.ALL', 'States.Timeout']) {
          expect(retried).not.toContain(wildcard);
        }
        for (const r of retriers.slice(1)) expect(r.BackoffRate).toBeGreaterThan(1);
      }
    }
  });

  it('retry every other task on Lambda errors and task failures, with backoff', () => {
    for (const definition of fixtures.definitions.values()) {
      for (const [name, task] of tasksOf(definition).filter(([, s]) => !isGate(s))) {
        expect(task.Resource, name).toBe(LOCAL_LIFECYCLE_FUNCTION);
        const retriers = task.Retry as Retrier[];
        const retried = retriers.flatMap((r) => r.ErrorEquals);
        expect(retried, name).toEqual(
          expect.arrayContaining(['Lambda.ServiceException', 'States.TaskFailed']),
        );
        // ContinueAsNew is a decision of enter and complete, never retried (caught instead).
        const [first, ...rest] = retriers;
        if (name.endsWith(': enter') || name.endsWith(': complete')) {
          expect(first, name).toEqual({ ErrorEquals: ['ContinueAsNew'], MaxAttempts: 0 });
          for (const r of rest) expect(r.BackoffRate, name).toBeGreaterThan(1);
        } else {
          for (const r of retriers) expect(r.BackoffRate, name).toBeGreaterThan(1);
        }
      }
    }
  });

  it('read the project from the execution input in every task', () => {
    for (const definition of fixtures.definitions.values()) {
      for (const [name, task] of tasksOf(definition)) {
        const params = task.Parameters as Record<string, unknown>;
        const payload = (isGate(task) ? params.Payload : params) as Record<string, unknown>;
        expect(payload['projectId.$'], name).toBe('$$.Execution.Input.projectId');
      }
    }
  });

  it('keep only the enter (also of the next stage, by complete) and remind results in the state data', () => {
    for (const { spec, stages } of fixtures.specs) {
      const definition = fixtures.definitions.get(spec.id)!;
      const last = stageStateNames(stages.at(-1)!.key).complete;
      for (const [name, task] of tasksOf(definition)) {
        const expected =
          name.endsWith(': enter') || (name.endsWith(': complete') && name !== last)
            ? '$.enter'
            : name.endsWith(': remind')
              ? '$.remind'
              : null;
        expect(task.ResultPath, name).toBe(expected);
      }
      // The last stage's complete closes the project and ends the execution.
      expect(definition.States[last]!.End, last).toBe(true);
    }
  });

  it('route to each stage from startAt, testing presence first', () => {
    for (const { spec, stages } of fixtures.specs) {
      const definition = fixtures.definitions.get(spec.id)!;
      expect(definition.StartAt).toBe('route to stage');
      const router = definition.States['route to stage'] as unknown as {
        Choices: { And: object[]; Next: string }[];
        Default: string;
      };
      expect(router.Choices.map((c) => c.Next)).toEqual(stages.map((s) => stageStateNames(s.key).enter));
      for (const choice of router.Choices) {
        expect(choice.And[0]).toEqual({ Variable: '$.startAt', IsPresent: true });
      }
      expect(router.Default).toBe(stageStateNames(stages[0]!.key).enter);
    }
  });
});

describe('definitionFromTemplate', () => {
  const template = (functionArn: unknown) => ({
    Resources: {
      Other: { Type: 'AWS::SQS::Queue' },
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: stateMachineName('demo'),
          DefinitionString: {
            'Fn::Join': [
              '',
              [
                '{"StartAt":"a","States":{"a":{"Type":"Task","Resource":"arn:',
                { Ref: 'AWS::Partition' },
                ':states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"',
                functionArn,
                '"},"Next":"b"},"b":{"Type":"Task","Resource":"',
                functionArn,
                '","End":true}}}',
              ],
            ],
          },
        },
      },
    },
  });

  it.each([
    ['Fn::GetAtt', { 'Fn::GetAtt': ['LifecycleFunction1234', 'Arn'] }],
    ['Fn::ImportValue', { 'Fn::ImportValue': 'Milepost-Platform-LifecycleFunctionArn' }],
    ['Ref', { Ref: 'LifecycleFunctionArnParameter' }],
  ])('replaces the lifecycle function referenced by %s with the local ARN', (_kind, reference) => {
    const definition = definitionFromTemplate(template(reference));

    expect(definition.States.a).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: LOCAL_LIFECYCLE_FUNCTION },
    });
    expect(definition.States.b!.Resource).toBe(LOCAL_LIFECYCLE_FUNCTION);
  });

  it('rejects a definition that refers to two different resources', () => {
    const t = template({ 'Fn::GetAtt': ['LifecycleFunction1234', 'Arn'] });
    const parts = t.Resources.Machine.Properties.DefinitionString['Fn::Join'][1] as unknown[];
    parts[5] = { 'Fn::GetAtt': ['SomethingElse', 'Arn'] };

    expect(() => definitionFromTemplate(t)).toThrow(/refers to 2 resources/);
  });

  it('finds the state machine by logical id and says when there is none', () => {
    const t = template({ 'Fn::GetAtt': ['F', 'Arn'] });

    expect(definitionFromTemplate(t, 'Machine').StartAt).toBe('a');
    expect(() => definitionFromTemplate(t, 'Missing')).toThrow(/no state machine with logical id Missing/);
    expect(() => definitionFromTemplate({ Resources: {} })).toThrow(/no state machine/);
  });
});
