/**
 * One customer project: its state machine (from the lifecycle builder), its two schedules
 * (monitoring check, status report) in the customer's time zone, and the one-time, idempotent
 * registration + start of its execution on deploy. Permissions of the platform functions on this
 * project's state machine are granted here, scoped to it, so the platform never depends on a project.
 */
import { CustomResource, Duration, Fn, RemovalPolicy, Stack, type StackProps, TimeZone } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { type ProjectSchedule, projectSchedules } from '../functions/core/schedules.js';
import type { LoadedSpec } from '../functions/core/spec/load.js';
import { registrationProperties } from '../functions/core/spec/registration.js';
import { stateMachineName } from '../functions/core/workflow-contract.js';
import { buildLifecycleDefinition } from '../statemachines/lifecycle.js';
import { deadLetterAlarm } from './constructs/dead-letter-alarm.js';
import { acknowledgeProjectFindings } from './nag.js';
import { type ImportedPlatform, importPlatform } from './platform-stack.js';

export interface ProjectStackProps extends StackProps {
  /** The validated spec and its resolved stages. */
  readonly loaded: LoadedSpec;
  /** Name of the platform stack whose exports this stack imports (functions, roles, alarms topic, provider). */
  readonly platformStackName: string;
  /** @default one month */
  readonly logRetention?: logs.RetentionDays;
}

export type { RegistrationProperties } from '../functions/core/spec/registration.js';

export class ProjectStack extends Stack {
  public readonly projectId: string;
  public readonly stateMachine: sfn.StateMachine;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly monitoringSchedule: scheduler.Schedule;
  public readonly statusReportSchedule: scheduler.Schedule;
  public readonly registration: CustomResource;
  /** The platform resources this stack uses, imported by export name. */
  public readonly platform: ImportedPlatform;

  constructor(scope: Construct, id: string, props: ProjectStackProps) {
    super(scope, id, props);
    const { spec, stages } = props.loaded;
    const platform = importPlatform(this, props.platformStackName);
    this.platform = platform;
    this.projectId = spec.id;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    // --- State machine ----------------------------------------------------------------------------
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: stateMachineName(spec.id),
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: `milepost lifecycle of ${spec.id}`,
      definitionBody: sfn.DefinitionBody.fromChainable(
        buildLifecycleDefinition(this, {
          projectId: spec.id,
          stages,
          lifecycleFunction: platform.lifecycleFunction,
        }),
      ),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'ExecutionLogs', {
          // Step Functions lists every log group outside /aws/vendedlogs/ in the account's CloudWatch
          // Logs resource policy (5,120 characters: a few dozen state machines), then fails to create
          // more. The stack id's UUID keeps the name unique when a stack is created again (retained groups).
          logGroupName: `/aws/vendedlogs/states/${stateMachineName(spec.id)}-${Fn.select(2, Fn.split('/', this.stackId))}`,
          retention: logRetention,
          removalPolicy: RemovalPolicy.RETAIN,
        }),
        level: sfn.LogLevel.ALL,
        // Task inputs carry task tokens: keep execution data out of the logs.
        includeExecutionData: false,
      },
    });

    // The platform functions' permissions on this state machine come from the platform stack
    // (states:* on `milepost-*` state machines): this stack adds no policy to the platform's roles.

    // --- Schedules, in the customer's time zone ----------------------------------------------------
    this.deadLetterQueue = new sqs.Queue(this, 'ScheduleDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // The expressions come from the core, which also evaluates them for the local runtime.
    const schedule = (name: string, { kind, expression, timeZone, description }: ProjectSchedule) =>
      new scheduler.Schedule(this, name, {
        description: `milepost ${spec.id}: ${description}`,
        schedule: scheduler.ScheduleExpression.expression(expression, TimeZone.of(timeZone)),
        target: new targets.LambdaInvoke(platform.scheduleFunction, {
          input: scheduler.ScheduleTargetInput.fromObject({ kind, projectId: spec.id }),
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 3,
          maxEventAge: Duration.hours(2),
        }),
      });
    const schedules = projectSchedules(spec);
    this.monitoringSchedule = schedule('MonitoringSchedule', schedules.monitor);
    this.statusReportSchedule = schedule('StatusReportSchedule', schedules['status-report']);

    // --- Alarms -----------------------------------------------------------------------------------
    const alarmAction = new cwActions.SnsAction(platform.alarmTopic);
    new cloudwatch.Alarm(this, 'FailedExecutions', {
      alarmDescription: `milepost ${spec.id}: a lifecycle execution failed, timed out or was aborted`,
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ statistic: 'Sum' }),
          timedOut: this.stateMachine.metricTimedOut({ statistic: 'Sum' }),
          aborted: this.stateMachine.metricAborted({ statistic: 'Sum' }),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(alarmAction);
    deadLetterAlarm(
      this,
      'ScheduleDeadLettersDepth',
      this.deadLetterQueue,
      `milepost ${spec.id}: the scheduler could not invoke the schedule function (after its retries); those runs wait in this stack's ScheduleDeadLetters queue. A run the function took and failed is kept in the platform's ScheduleFailedRunsQueueUrl queue instead.`,
      alarmAction,
    );

    // --- Registration and start on deploy (idempotent: deterministic execution name) ---------------
    const properties = registrationProperties(spec);
    this.registration = new CustomResource(this, 'Registration', {
      serviceToken: platform.registerServiceToken,
      resourceType: 'Custom::MilepostProject',
      properties: { ...properties },
      // Project records are data: removing the stack leaves them (the handler does nothing on Delete).
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The execution starts only once the state machine exists (the platform grants the start).
    this.registration.node.addDependency(this.stateMachine);

    acknowledgeProjectFindings(this);
  }
}
