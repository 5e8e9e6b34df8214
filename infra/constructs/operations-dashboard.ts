/**
 * The operators' view of the platform: one CloudWatch dashboard with executions started, failed
 * and gates waiting (opened and decided), approvals decided per day, emails sent, delivered,
 * bounced and complained, function errors and throttles, HTTP API 4xx/5xx, and dead-letter depth
 * (with the asynchronous invocations that failed all of Lambda's retries);
 * and the alarms on the account's SES bounce and complaint rates, which decide whether SES lets
 * the MSP keep sending (SES reviews an account at 5% bounces or 0.1% complaints, and may pause
 * sending at 10% / 0.5%: the alarms fire at 80% of the review levels).
 *
 * Approvals and gates are counted by metric filters on the JSON log lines the functions already
 * write ("approval decided", "lifecycle action" openGate/completeStage): no code publishes metrics.
 * Project state machines and the projects' schedule dead-letter queues live in project stacks
 * created after the platform, so their graphs are CloudWatch SEARCH expressions by name.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterAlarm } from './dead-letter-alarm.js';
import type { MailFeedback } from './mail-feedback.js';

/** Namespace of the metrics milepost derives from its logs. */
export const METRIC_NAMESPACE = 'milepost';

export interface OperationsDashboardProps {
  /** The platform functions by name (errors and throttles). */
  readonly functions: Record<string, lambda.IFunction>;
  /** Log group of the approvals function ("approval decided" lines). */
  readonly approvalsLogGroup: logs.ILogGroup;
  /** Log group of the lifecycle function ("lifecycle action" lines). */
  readonly lifecycleLogGroup: logs.ILogGroup;
  /** SES feedback: email metrics and its dead-letter queue. */
  readonly mail: MailFeedback;
  /** Other platform dead-letter queues to graph. @default none */
  readonly deadLetterQueues?: sqs.IQueue[];
  /**
   * The on-failure destinations of functions invoked asynchronously (infra/constructs/failed-invocations.ts),
   * by the label their line gets. @default none
   */
  readonly failedInvocations?: Record<string, sqs.IQueue>;
  /** Id of the HTTP API (4xx, 5xx, count). */
  readonly httpApiId: string;
  /** Where the alarms notify. */
  readonly alarmTopic: sns.ITopic;
  /** Bounce rate (0..1) that raises the alarm. @default 0.04 */
  readonly bounceRateThreshold?: number;
  /** Complaint rate (0..1) that raises the alarm. @default 0.0008 */
  readonly complaintRateThreshold?: number;
  /** @default `milepost` */
  readonly dashboardName?: string;
}

const DAY = Duration.days(1);
const FIVE_MINUTES = Duration.minutes(5);

export class OperationsDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly bounceRateAlarm: cloudwatch.Alarm;
  public readonly complaintRateAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);

    // --- Metrics from log lines -----------------------------------------------------------------
    const fromLog = (name: string, logGroup: logs.ILogGroup, ...terms: string[]) =>
      new logs.MetricFilter(this, name, {
        logGroup,
        filterPattern: logs.FilterPattern.allTerms(...terms),
        metricNamespace: METRIC_NAMESPACE,
        metricName: name,
        metricValue: '1',
        defaultValue: 0,
      }).metric({ statistic: 'Sum', period: DAY });
    const decided = fromLog('ApprovalsDecided', props.approvalsLogGroup, 'approval decided');
    const rejected = fromLog('ApprovalsRejected', props.approvalsLogGroup, 'approval decided', 'reject');
    const gatesOpened = fromLog('GatesOpened', props.lifecycleLogGroup, 'lifecycle action', 'openGate');
    // A stage completes in `advanceStage` (current definitions: completes it and enters the next)
    // or in `completeStage` (executions still running a definition deployed before it).
    const stagesCompleted = new cloudwatch.MathExpression({
      expression: 'advanced + completed',
      usingMetrics: {
        advanced: fromLog('StagesAdvanced', props.lifecycleLogGroup, 'lifecycle action', 'advanceStage'),
        completed: fromLog('StagesCompleted', props.lifecycleLogGroup, 'lifecycle action', 'completeStage'),
      },
      period: DAY,
    });

    // --- Every project's state machine (milepost-<id>) ------------------------------------------
    const executions = (metricName: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SUM(SEARCH('{AWS/States,StateMachineArn} MetricName="${metricName}" milepost', 'Sum', 86400))`,
        usingMetrics: {},
        label,
        period: DAY,
      });
    const deadLetters = new cloudwatch.MathExpression({
      expression: `SUM(SEARCH('{AWS/SQS,QueueName} MetricName="ApproximateNumberOfMessagesVisible" ScheduleDeadLetters', 'Maximum', 300))`,
      usingMetrics: {},
      label: 'project schedules (all projects)',
      period: FIVE_MINUTES,
    });

    // --- SES reputation: account level, what SES enforces -----------------------------------------
    const alarmAction = new cwActions.SnsAction(props.alarmTopic);
    const rateAlarm = (name: string, metricName: string, threshold: number, what: string) => {
      const alarm = new cloudwatch.Alarm(this, name, {
        alarmDescription: `milepost: the account's SES ${what} rate reached ${(threshold * 100).toFixed(2)}%; SES reviews the account at ${what === 'bounce' ? '5%' : '0.1%'} and may pause sending. Check the email_${what === 'bounce' ? 'bounced' : 'complained'} events of the projects.`,
        metric: new cloudwatch.Metric({
          namespace: 'AWS/SES',
          metricName,
          statistic: 'Maximum',
          period: Duration.hours(1),
        }),
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(alarmAction);
      return alarm;
    };
    this.bounceRateAlarm = rateAlarm(
      'BounceRate',
      'Reputation.BounceRate',
      props.bounceRateThreshold ?? 0.04,
      'bounce',
    );
    this.complaintRateAlarm = rateAlarm(
      'ComplaintRate',
      'Reputation.ComplaintRate',
      props.complaintRateThreshold ?? 0.0008,
      'complaint',
    );
    deadLetterAlarm(
      this,
      'FeedbackDeadLetters',
      props.mail.deadLetterQueue,
      'milepost: EventBridge could not deliver SES bounce or complaint events to the mail feedback function (dead-letter queue)',
      alarmAction,
    );

    // --- The dashboard ------------------------------------------------------------------------------
    const fns = Object.entries(props.functions);
    const apiMetric = (metricName: string, statistic = 'Sum') =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: props.httpApiId },
        statistic,
        period: FIVE_MINUTES,
      });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? 'milepost',
      defaultInterval: Duration.days(14),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Executions per day (all projects)',
            left: [
              executions('ExecutionsStarted', 'started'),
              executions('ExecutionsFailed', 'failed'),
              executions('ExecutionsTimedOut', 'timed out'),
              executions('ExecutionsAborted', 'aborted'),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Gates per day: opened (waiting) and stages completed',
            left: [
              gatesOpened.with({ label: 'gates opened' }),
              stagesCompleted.with({ label: 'stages completed' }),
            ],
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Approvals decided per day',
            left: [decided.with({ label: 'decided' }), rejected.with({ label: 'rejected' })],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Emails per day',
            left: [
              props.mail.metric('Send').with({ label: 'sent' }),
              props.mail.metric('Delivery').with({ label: 'delivered' }),
              props.mail.metric('Bounce').with({ label: 'bounced' }),
              props.mail.metric('Complaint').with({ label: 'complained' }),
              props.mail.metric('Reject').with({ label: 'rejected by SES' }),
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'SES reputation (account): bounce and complaint rates',
            left: [this.bounceRateAlarm.metric],
            right: [this.complaintRateAlarm.metric],
            leftAnnotations: [{ value: props.bounceRateThreshold ?? 0.04, label: 'bounce alarm' }],
            rightAnnotations: [{ value: props.complaintRateThreshold ?? 0.0008, label: 'complaint alarm' }],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Function errors',
            left: fns.map(([name, f]) =>
              f.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }).with({ label: name }),
            ),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Function throttles',
            left: fns.map(([name, f]) =>
              f.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }).with({ label: name }),
            ),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'HTTP API: requests, 4xx (429 = throttled), 5xx',
            left: [apiMetric('Count').with({ label: 'requests' })],
            right: [apiMetric('4xx').with({ label: '4xx' }), apiMetric('5xx').with({ label: '5xx' })],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Dead-letter depth',
            left: [
              deadLetters,
              props.mail.deadLetterQueue
                .metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' })
                .with({ label: 'SES feedback' }),
              ...(props.deadLetterQueues ?? []).map((q) =>
                q.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
              ),
              ...Object.entries(props.failedInvocations ?? {}).map(([label, q]) =>
                q
                  .metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' })
                  .with({ label }),
              ),
            ],
            width: 12,
          }),
          new cloudwatch.AlarmStatusWidget({
            title: 'SES reputation alarms',
            alarms: [this.bounceRateAlarm, this.complaintRateAlarm],
            width: 12,
          }),
        ],
      ],
    });
  }
}
