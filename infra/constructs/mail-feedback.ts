/**
 * SES feedback of the configuration set: bounces and complaints go to EventBridge (the account's
 * default bus, SES's event destination), a rule sends them to the mail feedback function, which
 * records them against the stakeholder or team member (functions/handlers/mail-feedback.ts).
 * Events the function could not take after EventBridge's retries land in a dead-letter queue.
 * The configuration set also publishes its send, delivery, bounce, complaint and reject counts to
 * CloudWatch (namespace AWS/SES, dimension `ses:configuration-set`), for the dashboard.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The dimension of the configuration set's CloudWatch metrics (an SES auto-tag). */
export const SES_DIMENSION = 'ses:configuration-set';

/** SES's EventBridge detail types of the events milepost records. */
export const FEEDBACK_DETAIL_TYPES = ['Email Bounced', 'Email Complaint Received'] as const;

export interface MailFeedbackProps {
  /** The configuration set every milepost email is sent with. */
  readonly configurationSet: ses.ConfigurationSet;
  /** The function that records bounces and complaints. */
  readonly feedbackFunction: lambda.IFunction;
}

export class MailFeedback extends Construct {
  /** The rule that sends this configuration set's bounces and complaints to the function. */
  public readonly rule: events.Rule;
  /** Feedback events the function could not take. */
  public readonly deadLetterQueue: sqs.Queue;
  /** SES email counts of the configuration set, by SES metric name (Send, Bounce, ...). */
  public readonly metric: (
    name: 'Send' | 'Delivery' | 'Bounce' | 'Complaint' | 'Reject',
  ) => cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: MailFeedbackProps) {
    super(scope, id);
    const configurationSetName = props.configurationSet.configurationSetName;
    props.configurationSet.addEventDestination('CloudWatch', {
      destination: ses.EventDestination.cloudWatchDimensions([
        { name: SES_DIMENSION, source: ses.CloudWatchDimensionSource.MESSAGE_TAG, defaultValue: 'none' },
      ]),
      events: [
        ses.EmailSendingEvent.SEND,
        ses.EmailSendingEvent.DELIVERY,
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.REJECT,
      ],
    });
    const defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    props.configurationSet.addEventDestination('EventBridge', {
      destination: ses.EventDestination.eventBus(defaultBus),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: 'milepost: SES bounces and complaints of the milepost configuration set',
      eventBus: defaultBus,
      eventPattern: {
        source: ['aws.ses'],
        detailType: [...FEEDBACK_DETAIL_TYPES],
        // Only this configuration set's emails: other senders of the account are not milepost's.
        detail: { mail: { tags: { [SES_DIMENSION]: [configurationSetName] } } },
      },
      targets: [
        new targets.LambdaFunction(props.feedbackFunction, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });
    this.metric = (name) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName: name,
        dimensionsMap: { [SES_DIMENSION]: configurationSetName },
        statistic: 'Sum',
        period: Duration.days(1),
      });
  }
}
