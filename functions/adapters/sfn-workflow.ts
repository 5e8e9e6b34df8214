/**
 * Workflow port on Step Functions: callbacks to waiting gate tasks, idempotent execution starts
 * and stops of a project's running executions.
 * The task token is passed to the SDK only; it is never logged or put into an error message.
 */
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { TaskTokenGoneError } from '../core/errors.js';
import type { Workflow } from '../core/ports.js';
import { stateMachineName } from '../core/workflow-contract.js';

/** SendTaskFailure limits (characters). */
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;

function isTokenGone(err: unknown): boolean {
  return err instanceof TaskTimedOut || err instanceof InvalidToken || err instanceof TaskDoesNotExist;
}

/** Rethrows a gone-task error as TaskTokenGoneError (without the token), anything else as is. */
function mapTaskError(err: unknown): never {
  if (isTokenGone(err)) {
    throw new TaskTokenGoneError(`the gate task is no longer waiting (${(err as Error).name})`, {
      cause: err,
    });
  }
  throw err;
}

export class SfnWorkflow implements Workflow {
  /**
   * @param client one SFN client per process
   * @param stateMachineArnPrefix e.g. `arn:aws:states:eu-west-2:123456789012:stateMachine:`; the
   *   project's state machine ARN is this prefix + `stateMachineName(projectId)`.
   */
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArnPrefix: string,
  ) {}

  /** The ARN of a project's state machine. */
  stateMachineArn(projectId: string): string {
    return this.stateMachineArnPrefix + stateMachineName(projectId);
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    try {
      await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output ?? {}) }));
    } catch (err) {
      mapTaskError(err);
    }
  }

  async sendTaskFailure(taskToken: string, error: string, cause: string): Promise<void> {
    try {
      await this.client.send(
        new SendTaskFailureCommand({
          taskToken,
          error: error.slice(0, MAX_ERROR),
          cause: cause.slice(0, MAX_CAUSE),
        }),
      );
    } catch (err) {
      mapTaskError(err);
    }
  }

  async startExecution(projectId: string, name: string, input: unknown): Promise<void> {
    try {
      await this.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn(projectId),
          name,
          input: JSON.stringify(input ?? {}),
        }),
      );
    } catch (err) {
      // Same name started before: the execution exists, which is what the caller wants.
      if (err instanceof ExecutionAlreadyExists) return;
      throw err;
    }
  }

  async stopExecutions(projectId: string, cause: string): Promise<number> {
    let stopped = 0;
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListExecutionsCommand({
          stateMachineArn: this.stateMachineArn(projectId),
          statusFilter: 'RUNNING',
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      for (const e of page.executions ?? []) {
        if (!e.executionArn) continue;
        try {
          await this.client.send(new StopExecutionCommand({ executionArn: e.executionArn, cause }));
          stopped++;
        } catch (err) {
          // Ended between the list and the stop: what the caller wanted.
          if (err instanceof ExecutionDoesNotExist) continue;
          throw err;
        }
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return stopped;
  }
}
