/**
 * The lifecycle builder: a project's resolved stages -> the chain of a Standard state machine
 * (JSONPath only: the local engine runs neither JSONata nor `Assign`).
 *
 *   route to stage (Choice on $.startAt) -> the stage's enter
 *   per stage: [waits for a period: wait for hypercare end]
 *        -> gate (.waitForTaskToken, TimeoutSeconds = remindAfterDays, at most 6 hours)
 *             States.Timeout -> remind -> continue as new after reminder? -> gate
 *             GateRejected   -> rework -> gate
 *        -> complete (completes the stage and enters the next one; after the last stage it
 *           closes the project and is the end state)
 *   enter / complete fail with ContinueAsNew when the execution is old: caught -> continue as
 *   new -> continued as new.
 *
 * Happy path: 2 states per stage (gate, complete), plus the router, the first enter and the
 * hypercare wait: 2 x stages + 3.
 *
 * Every Task invokes the ONE lifecycle function with `{ action, projectId, stage, ... }`
 * (functions/core/workflow-contract.ts). Progress is driven by task tokens and timeouts: there
 * is no polling loop, so the transitions per stage stay a small constant.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { ResolvedStage } from '../functions/core/spec/schema.js';
import { DAY_SECONDS } from '../functions/core/time.js';
import { CONTINUE_AS_NEW, GATE_REJECTED, type LifecycleAction } from '../functions/core/workflow-contract.js';

export interface LifecycleDefinitionProps {
  /** The project the state machine drives (used for construct ids only: tasks read it from the execution input). */
  readonly projectId: string;
  /** The project's stages, in order (at least one). */
  readonly stages: ResolvedStage[];
  /** The lifecycle function every Task state invokes. */
  readonly lifecycleFunction: lambda.IFunction;
}

/** Names of the states of one stage; the local runtime and tests address Task states by name. */
export function stageStateNames(stage: string) {
  return {
    enter: `${stage}: enter`,
    continueAsNew: `${stage}: continue as new`,
    hypercareWait: `${stage}: wait for hypercare end`,
    gate: `${stage}: gate`,
    remind: `${stage}: remind`,
    remindChoice: `${stage}: continue as new after reminder?`,
    rework: `${stage}: rework`,
    /** Completes the stage and enters the next one (after the last: closes the project). */
    complete: `${stage}: complete`,
  } as const;
}

/** Names of the states that do not belong to one stage. */
export const STATE_NAMES = {
  router: 'route to stage',
  continued: 'continued as new',
} as const;

/**
 * Longest a gate task waits before the remind step looks again: reminders and the escalation each
 * have their own deadline (functions/core/gate-timeout.ts), met within this much.
 */
export const GATE_CHECK_SECONDS = 6 * 3600;

/**
 * The gate task's timeout: remindAfterDays in whole seconds (at least one), at most
 * GATE_CHECK_SECONDS, so an escalation comes within that of `timeoutDays` after the request and
 * not at the next reminder. A timeout with nothing due sends nothing.
 */
export function gateTimeoutSeconds(stage: ResolvedStage): number {
  return Math.max(1, Math.min(GATE_CHECK_SECONDS, Math.round(stage.gate.remindAfterDays * DAY_SECONDS)));
}

/** Backoff for Lambda service errors and failed invocations: 2 s, 4 s, 8 s, ... at most 5 attempts. */
const RETRY = {
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 5,
  maxDelay: Duration.minutes(1),
};
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

/** Builds the lifecycle of one project: the chain to pass to `DefinitionBody.fromChainable`. */
export function buildLifecycleDefinition(scope: Construct, props: LifecycleDefinitionProps): sfn.IChainable {
  const { stages, lifecycleFunction } = props;
  if (stages.length === 0)
    throw new Error(`project ${props.projectId}: a lifecycle needs at least one stage`);

  const payload = (action: LifecycleAction, stage: string | undefined, extra: Record<string, unknown> = {}) =>
    sfn.TaskInput.fromObject({
      action,
      'projectId.$': '$$.Execution.Input.projectId',
      ...(stage === undefined ? {} : { stage }),
      ...extra,
    });

  /** A plain (request/response) invocation of the lifecycle function, retried on any task failure. */
  const invoke = (
    id: string,
    action: LifecycleAction,
    stage: string | undefined,
    opts: { resultPath?: string; extra?: Record<string, unknown> } = {},
  ) => {
    const task = new tasks.LambdaInvoke(scope, id, {
      stateName: id,
      lambdaFunction: lifecycleFunction,
      payload: payload(action, stage, opts.extra),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: opts.resultPath ?? sfn.JsonPath.DISCARD,
    });
    task.addRetry({ errors: [...LAMBDA_SERVICE_ERRORS, sfn.Errors.TASKS_FAILED], ...RETRY });
    return task;
  };

  const continued = new sfn.Succeed(scope, STATE_NAMES.continued, { stateName: STATE_NAMES.continued });
  const startedAt = { 'executionStartedAt.$': '$$.Execution.StartTime' };
  // An enter (or advance) task fails with CONTINUE_AS_NEW when the execution should continue as
  // a new one: never retried (States.TaskFailed would match it otherwise), caught instead.
  const noRetryOfContinueAsNew = (task: tasks.LambdaInvoke) =>
    task.addRetry({ errors: [CONTINUE_AS_NEW], maxAttempts: 0 });

  interface StageStates {
    enter: tasks.LambdaInvoke;
    beforeGate: sfn.IChainable;
    continueAsNew: tasks.LambdaInvoke;
    gate: tasks.LambdaInvoke;
  }
  const built: StageStates[] = stages.map((stage) => {
    const names = stageStateNames(stage.key);
    const enter = new tasks.LambdaInvoke(scope, names.enter, {
      stateName: names.enter,
      lambdaFunction: lifecycleFunction,
      payload: payload('enterStage', stage.key, startedAt),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: '$.enter',
    });
    noRetryOfContinueAsNew(enter);
    enter.addRetry({ errors: [...LAMBDA_SERVICE_ERRORS, sfn.Errors.TASKS_FAILED], ...RETRY });
    const continueAsNew = invoke(names.continueAsNew, 'continueAsNew', stage.key);
    continueAsNew.next(continued);
    enter.addCatch(continueAsNew, { errors: [CONTINUE_AS_NEW], resultPath: sfn.JsonPath.DISCARD });

    const gate = new tasks.LambdaInvoke(scope, names.gate, {
      stateName: names.gate,
      lambdaFunction: lifecycleFunction,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: payload('openGate', stage.key, { taskToken: sfn.JsonPath.taskToken }),
      taskTimeout: sfn.Timeout.duration(Duration.seconds(gateTimeoutSeconds(stage))),
      retryOnServiceExceptions: false,
      resultPath: sfn.JsonPath.DISCARD,
    });
    // A rejection is a decision, not a fault: never retried (States.TaskFailed would match it otherwise).
    gate.addRetry({ errors: [GATE_REJECTED], maxAttempts: 0 });
    // A fault of the gate function (e.g. the store unavailable past the SDK's retries) is retried:
    // reopening a gate is idempotent (it only stores the new token). States.Timeout is not matched.
    gate.addRetry({ errors: [...LAMBDA_SERVICE_ERRORS, sfn.Errors.TASKS_FAILED], ...RETRY });

    const remind = invoke(names.remind, 'remindGate', stage.key, {
      resultPath: '$.remind',
      extra: startedAt,
    });
    const rework = invoke(names.rework, 'reworkStage', stage.key, { extra: { 'error.$': '$.error' } });
    gate.addCatch(rework, { errors: [GATE_REJECTED], resultPath: '$.error' });
    gate.addCatch(remind, { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
    rework.next(gate);
    remind.next(
      new sfn.Choice(scope, names.remindChoice, { stateName: names.remindChoice })
        .when(continueAsNewWhen('$.remind'), continueAsNew)
        .otherwise(gate),
    );

    let beforeGate: sfn.IChainable = gate;
    // A stage whose type waits for a period (support: hypercare) waits until the time its enter
    // step returned (always present for such a stage: now, when no period is left).
    if (stage.waitsFor === 'period') {
      const wait = new sfn.Wait(scope, names.hypercareWait, {
        stateName: names.hypercareWait,
        time: sfn.WaitTime.timestampPath('$.enter.waitUntil'),
      });
      wait.next(gate);
      beforeGate = wait;
    }
    enter.next(beforeGate);
    return { enter, beforeGate, continueAsNew, gate };
  });

  // After a gate: complete its stage and enter the next in one task (the last one closes the
  // project and ends the execution).
  stages.forEach((stage, i) => {
    const next = stages[i + 1];
    const following = built[i + 1];
    const names = stageStateNames(stage.key);
    const advance = new tasks.LambdaInvoke(scope, names.complete, {
      stateName: names.complete,
      lambdaFunction: lifecycleFunction,
      payload: payload('advanceStage', stage.key, { ...(next ? { next: next.key } : {}), ...startedAt }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: next ? '$.enter' : sfn.JsonPath.DISCARD,
    });
    noRetryOfContinueAsNew(advance);
    advance.addRetry({ errors: [...LAMBDA_SERVICE_ERRORS, sfn.Errors.TASKS_FAILED], ...RETRY });
    built[i]!.gate.next(advance);
    if (following) {
      advance.addCatch(following.continueAsNew, {
        errors: [CONTINUE_AS_NEW],
        resultPath: sfn.JsonPath.DISCARD,
      });
      advance.next(following.beforeGate);
    }
  });
  const enters = built.map((b) => b.enter);

  const router = new sfn.Choice(scope, STATE_NAMES.router, { stateName: STATE_NAMES.router });
  stages.forEach((stage, i) => {
    router.when(
      sfn.Condition.and(
        sfn.Condition.isPresent('$.startAt'),
        sfn.Condition.stringEquals('$.startAt', stage.key),
      ),
      enters[i]!,
    );
  });
  router.otherwise(enters[0]!);
  return sfn.Chain.start(router);
}

/** True when the result at `path` asks to continue as a new execution (absent counts as false). */
function continueAsNewWhen(path: string): sfn.Condition {
  return sfn.Condition.and(
    sfn.Condition.isPresent(`${path}.continueAsNew`),
    sfn.Condition.booleanEquals(`${path}.continueAsNew`, true),
  );
}
