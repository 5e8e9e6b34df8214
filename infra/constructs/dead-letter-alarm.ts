/**
 * The alarm every dead-letter queue of milepost has: one message waiting is one run or event that
 * failed all its retries (a project's scheduled check or report, the portfolio digest, an SES
 * feedback event), which nobody would otherwise notice.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** Alarms on `queue` holding a message (its visible depth, the maximum of 5 minutes, at least 1). */
export function deadLetterAlarm(
  scope: Construct,
  id: string,
  queue: sqs.IQueue,
  alarmDescription: string,
  action: cloudwatch.IAlarmAction,
): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmDescription,
    metric: queue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5),
      statistic: 'Maximum',
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(action);
  return alarm;
}
