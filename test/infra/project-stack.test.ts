/** One project stack per spec: its state machine, scoped grants, schedules, alarms and registration. */
import { createHash } from 'node:crypto';
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { monitoringExpression, statusReportExpression } from '../../functions/core/schedules.js';
import { stateMachineName } from '../../functions/core/workflow-contract.js';
import { PLATFORM_STACK_NAME, projectStackName } from '../../infra/build-app.js';
import { definitionFromTemplate } from '../../statemachines/definition.js';
import { gateTimeoutSeconds, stageStateNames } from '../../statemachines/lifecycle.js';
import { actionsOf, allowStatements, type Built, buildExampleApp, resourcesOf } from './support.js';

let built: Built;
beforeAll(async () => {
  built = await buildExampleApp();
});

const EXAMPLES = ['brightsmile-m365', 'harbor-law-network'];
const templateOf = (id: string) => built.projectTemplates.get(id)!;
const specOf = (id: string) => built.specs.find((s) => s.spec.id === id)!;
const stateMachineIdOf = (id: string) =>
  Object.keys(templateOf(id).findResources('AWS::StepFunctions::StateMachine'))[0]!;

describe('the app', () => {
  it('has the platform stack and exactly one project stack per spec', () => {
    const stacks = built.app.node.children
      .filter((c) => Stack.isStack(c))
      .map((c) => c.node.id)
      .sort();
    expect(stacks).toEqual([PLATFORM_STACK_NAME, ...EXAMPLES.map(projectStackName)].sort());
    expect([...built.projects.keys()].sort()).toEqual(EXAMPLES);
  });

  it('deploys every project after the platform, which refers to no project', () => {
    for (const stack of built.projects.values()) {
      expect(stack.dependencies).toContain(built.platform);
    }
    const platform = JSON.stringify(built.platformTemplate.toJSON());
    for (const id of EXAMPLES) expect(platform).not.toContain(stateMachineName(id));
  });
});

describe.each(EXAMPLES)('the project stack of %s', (projectId) => {
  it('has one state machine, named from the contract, logging all events and traced', () => {
    const t = templateOf(projectId);
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: stateMachineName(projectId),
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
    const logGroups = Object.values(t.findResources('AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(1);
    expect(logGroups[0]!.Properties.RetentionInDays).toBe(30);
  });

  it('gives every gated stage a .waitForTaskToken task with TimeoutSeconds from the spec', () => {
    const definition = definitionFromTemplate(templateOf(projectId).toJSON());
    const { stages } = specOf(projectId);
    for (const stage of stages) {
      const gate = definition.States[stageStateNames(stage.key).gate]!;
      expect(gate.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
      expect(gate.TimeoutSeconds).toBe(gateTimeoutSeconds(stage));
    }
  });

  it('invokes only the platform lifecycle function from the state machine', () => {
    const t = templateOf(projectId);
    const invokes = allowStatements(t).filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
    const resources = invokes.flatMap(resourcesOf).map((r) => JSON.stringify(r));
    const fromStateMachine = resources.filter((r) => r.includes('LifecycleFunctionArn'));
    expect(fromStateMachine.length).toBeGreaterThan(0);
    for (const r of resources) expect(r).toMatch(/Milepost-Platform-(Lifecycle|Schedule)FunctionArn/);
  });

  it('adds no policy to the platform roles (the platform grants access to every milepost-* state machine)', () => {
    const t = templateOf(projectId);
    const policies = Object.values(t.findResources('AWS::IAM::Policy'));
    for (const p of policies) expect(JSON.stringify(p.Properties.Roles)).not.toContain('Fn::ImportValue');
    const states = allowStatements(t).filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
    expect(states).toEqual([]);
  });

  it('uses no wildcard resource except for X-Ray and log delivery, and versions of its functions', () => {
    for (const s of allowStatements(templateOf(projectId))) {
      for (const r of resourcesOf(s)) {
        if (r === '*') {
          expect(actionsOf(s).every((a) => a.startsWith('xray:') || a.startsWith('logs:'))).toBe(true);
        } else if (JSON.stringify(r).includes('*')) {
          expect(JSON.stringify(r)).toMatch(/FunctionArn"\},":\*"\]/);
        }
      }
    }
  });

  it("runs the monitoring check and the status report in the customer's time zone, with retries and a DLQ", () => {
    const t = templateOf(projectId);
    const { spec } = specOf(projectId);
    const schedules = Object.values(t.findResources('AWS::Scheduler::Schedule'));
    expect(schedules).toHaveLength(2);
    const queueId = Object.keys(t.findResources('AWS::SQS::Queue'))[0]!;
    const byKind = new Map(schedules.map((s) => [JSON.parse(s.Properties.Target.Input).kind, s.Properties]));
    expect([...byKind.keys()].sort()).toEqual(['monitor', 'status-report']);
    for (const [kind, props] of byKind) {
      expect(props.ScheduleExpressionTimezone).toBe(spec.customer.timezone);
      expect(JSON.parse(props.Target.Input)).toEqual({ kind, projectId });
      expect(props.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 });
      expect(props.Target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
      expect(props.State).toBe('ENABLED');
    }
    expect(byKind.get('monitor')!.ScheduleExpression).toBe(monitoringExpression(spec));
    expect(byKind.get('status-report')!.ScheduleExpression).toBe(statusReportExpression(spec));
  });

  it('keeps failed scheduled runs in an encrypted, TLS-only dead-letter queue with an alarm on its depth', () => {
    const t = templateOf(projectId);
    t.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
    });
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      AlarmActions: [{ 'Fn::ImportValue': 'Milepost-Platform-AlarmTopicArn' }],
    });
  });

  it('raises an alarm when an execution fails, times out or is aborted', () => {
    const alarms = Object.values(templateOf(projectId).findResources('AWS::CloudWatch::Alarm'));
    const failed = alarms.find((a) =>
      JSON.stringify(a.Properties.Metrics ?? []).includes('ExecutionsFailed'),
    );
    expect(failed).toBeDefined();
    const metrics = JSON.stringify(failed!.Properties.Metrics);
    expect(metrics).toContain('ExecutionsTimedOut');
    expect(metrics).toContain('ExecutionsAborted');
    expect(failed!.Properties.AlarmActions).toEqual([
      { 'Fn::ImportValue': 'Milepost-Platform-AlarmTopicArn' },
    ]);
  });

  it('registers the project and starts it once the state machine exists', () => {
    const t = templateOf(projectId);
    const { spec } = specOf(projectId);
    const registrations = t.findResources('Custom::MilepostProject');
    expect(Object.keys(registrations)).toHaveLength(1);
    const registration = Object.values(registrations)[0]!;
    const props = registration.Properties;
    expect(props.ServiceToken).toEqual({ 'Fn::ImportValue': 'Milepost-Platform-RegisterServiceToken' });
    expect(props.projectId).toBe(projectId);
    expect(JSON.parse(props.spec)).toEqual(JSON.parse(JSON.stringify(spec)));
    expect(props.specHash).toBe(createHash('sha256').update(props.spec).digest('hex'));
    expect(registration.DeletionPolicy).toBe('Retain');
    expect(registration.DependsOn).toEqual(expect.arrayContaining([stateMachineIdOf(projectId)]));
  });
});

describe('schedule expressions', () => {
  const spec = (monitoring: object, statusReport: object) =>
    ({
      ...specOf('brightsmile-m365').spec,
      monitoring: { thresholds: { spi: 0.9, cpi: 0.9 }, ...monitoring },
      communication: { channels: ['email'], statusReport },
    }) as ReturnType<typeof specOf>['spec'];

  it('runs the monitoring check daily or on Mondays at the given time', () => {
    expect(monitoringExpression(spec({ every: 'day', at: '08:30' }, {}))).toBe('cron(30 8 * * ? *)');
    expect(monitoringExpression(spec({ every: 'week', at: '07:05' }, {}))).toBe('cron(5 7 ? * MON *)');
  });

  it('sends the status report weekly (also for a fortnight) or on the first given weekday of a month', () => {
    const at = (every: string) => spec({ every: 'day', at: '08:00' }, { every, day: 'friday', at: '16:00' });
    expect(statusReportExpression(at('week'))).toBe('cron(0 16 ? * FRI *)');
    expect(statusReportExpression(at('fortnight'))).toBe('cron(0 16 ? * FRI *)');
    expect(statusReportExpression(at('month'))).toBe('cron(0 16 ? * FRI#1 *)');
  });
});
