/**
 * The SDK floor of a function that uses all three clients (the bench's `bundle floor` lines,
 * bench/bundles.ts): DynamoDB as in ./dynamodb.ts, Step Functions and SESv2 as
 * functions/composition/{workflow,notifier}.ts build them, with every command and error class
 * functions/adapters/{sfn-workflow,ses-mailer}.ts use, and no milepost code. register, lifecycle,
 * schedule, approvals and http all hold these three clients.
 */

import {
  LimitExceededException,
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { handler as dynamodb } from './dynamodb.js';

const region = process.env['AWS_REGION'];
const sfn = new SFNClient({ region, maxAttempts: 5 });
const ses = new SESv2Client({ region, maxAttempts: 5 });
const SFN_ERRORS = [
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  TaskDoesNotExist,
  TaskTimedOut,
];
const SES_ERRORS = [LimitExceededException, TooManyRequestsException];

/** One call of each command; the error classes are matched as the adapters match them. */
export const handler = async (event: {
  TableName: string;
  Key: Record<string, string>;
  stateMachineArn: string;
  taskToken: string;
  from: string;
}): Promise<unknown> => {
  try {
    await dynamodb(event);
    const { stateMachineArn, taskToken } = event;
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));
    await sfn.send(new SendTaskFailureCommand({ taskToken }));
    await sfn.send(new StopExecutionCommand({ executionArn }));
    return await ses.send(
      new SendEmailCommand({
        FromEmailAddress: event.from,
        Destination: { ToAddresses: [event.from] },
        Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } },
      }),
    );
  } catch (err) {
    if ([...SFN_ERRORS, ...SES_ERRORS].some((E) => err instanceof E)) return (err as Error).name;
    throw err;
  }
};
