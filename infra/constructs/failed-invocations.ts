/**
 * Where a function's asynchronous invocations go when they fail for good. EventBridge Scheduler and
 * EventBridge rules invoke their Lambda targets asynchronously: once Lambda has accepted the event,
 * their own dead-letter queues no longer see it. A handler that then fails is retried by Lambda
 * (`retryAttempts`) and would be dropped after that. This sets the function's asynchronous
 * invocation (EventInvokeConfig, unqualified: `$LATEST`, which the schedules and rules invoke) to
 * keep such an event in an SQS queue *with its error*: Lambda's on-failure record holds
 * `requestContext.condition` (`RetriesExhausted` or `EventAgeExceeded`), `requestPayload` (the
 * event, to run again) and `responsePayload` (`errorType`, `errorMessage`, the stack trace).
 * The queue is encrypted (SQS-managed keys), TLS-only and keeps a record 14 days; one waiting
 * raises the alarm.
 */
import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterAlarm } from './dead-letter-alarm.js';

/**
 * An SQS on-failure destination whose grant is `sqs:SendMessage` on that queue only: Lambda needs
 * nothing else to deliver the record (CDK's SqsDestination also grants GetQueueAttributes and
 * GetQueueUrl, which the function never uses).
 */
export class SendOnlyQueueDestination implements lambda.IDestination {
  constructor(private readonly queue: sqs.IQueue) {}

  bind(_scope: Construct, fn: lambda.IFunction): lambda.DestinationConfig {
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }),
    );
    return { destination: this.queue.queueArn };
  }
}

export interface FailedInvocationsProps {
  /** The function invoked asynchronously. */
  readonly function: lambda.Function;
  /** Lambda's retries after a handler error (0-2). */
  readonly retryAttempts: number;
  /** How long Lambda keeps trying an event (1 minute to 6 hours). */
  readonly maxEventAge: Duration;
  /** What the alarm says when a record waits (what failed, where to look). */
  readonly alarmDescription: string;
  /** Where the alarm notifies. */
  readonly alarmAction: cloudwatch.IAlarmAction;
}

/** A function's asynchronous invocation config with an SQS on-failure destination and its alarm. */
export class FailedInvocations extends Construct {
  /** The on-failure destination: Lambda's records of the invocations that failed for good. */
  public readonly queue: sqs.Queue;
  /** The asynchronous invocation config of the function's `$LATEST`. */
  public readonly invokeConfig: lambda.EventInvokeConfig;
  /** Raised while a record waits in the queue. */
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FailedInvocationsProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.invokeConfig = new lambda.EventInvokeConfig(this, 'InvokeConfig', {
      function: props.function,
      qualifier: '$LATEST',
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      onFailure: new SendOnlyQueueDestination(this.queue),
    });
    // Lambda checks the destination permission when the config is created: the role's policy first.
    const policy = props.function.role?.node.tryFindChild('DefaultPolicy');
    if (policy) this.invokeConfig.node.addDependency(policy);
    this.alarm = deadLetterAlarm(this, 'Depth', this.queue, props.alarmDescription, props.alarmAction);
  }
}
