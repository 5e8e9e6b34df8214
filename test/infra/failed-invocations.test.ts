/**
 * Asynchronous invocations that fail all of Lambda's retries are kept with their error: every
 * function a schedule or an EventBridge rule invokes (asynchronously) has an EventInvokeConfig
 * whose on-failure destination is an encrypted, TLS-only SQS queue with 14 days' retention, an
 * alarm on its depth to the alarms topic, a line in the dashboard and a stack output; the
 * function's role may only send to that one queue.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, allowStatements, type Built, buildExampleApp, resourcesOf } from './support.js';

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties: Json; DependsOn?: string | string[] };

let built: Built;
let resources: Record<string, Resource>;
let outputs: Record<string, { Value: unknown; Export?: { Name: string } }>;
beforeAll(async () => {
  built = await buildExampleApp({ deliveryManagerEmail: 'dm@msp.example' });
  const json = built.platformTemplate.toJSON();
  resources = json.Resources;
  outputs = json.Outputs;
});

const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  built.platform.getLogicalId(construct.node.defaultChild as never);

/** The platform function a target ARN names: `GetAtt <id>.Arn`, or an import of a platform output whose value is. */
function functionIdOf(arn: unknown): string | undefined {
  const a = arn as { 'Fn::GetAtt'?: [string, string]; 'Fn::ImportValue'?: string };
  if (a['Fn::GetAtt']?.[1] === 'Arn') return a['Fn::GetAtt'][0];
  if (typeof a['Fn::ImportValue'] === 'string') {
    const output = Object.values(outputs).find((o) => o.Export?.Name === a['Fn::ImportValue']);
    return output ? functionIdOf(output.Value) : undefined;
  }
  return undefined;
}

/** Logical ids of the platform functions that a schedule or an EventBridge rule (of any stack) invokes. */
function asyncTargets(): Set<string> {
  const templates = [built.platformTemplate, ...built.projectTemplates.values()].map((t) => t.toJSON());
  const arns: unknown[] = [];
  for (const t of templates) {
    for (const r of Object.values(t.Resources) as Resource[]) {
      if (r.Type === 'AWS::Scheduler::Schedule') arns.push((r.Properties.Target as Json).Arn);
      if (r.Type === 'AWS::Events::Rule')
        arns.push(...((r.Properties.Targets as Json[]) ?? []).map((x) => x.Arn));
    }
  }
  return new Set(
    arns
      .map(functionIdOf)
      .filter((id): id is string => !!id && resources[id]?.Type === 'AWS::Lambda::Function'),
  );
}

/** Descriptions of the alarms on a queue's depth. */
function alarmTexts(queueId: string): unknown[] {
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::CloudWatch::Alarm' &&
        JSON.stringify(r.Properties.Dimensions ?? []).includes(`"${queueId}"`),
    )
    .map((r) => r.Properties.AlarmDescription);
}

function invokeConfigOf(functionId: string): Resource {
  const configs = Object.values(resources).filter(
    (r) =>
      r.Type === 'AWS::Lambda::EventInvokeConfig' &&
      JSON.stringify(r.Properties.FunctionName) === JSON.stringify({ Ref: functionId }),
  );
  expect(configs, functionId).toHaveLength(1);
  return configs[0]!;
}

const CASES = [
  { name: 'schedule', output: 'ScheduleFailedRunsQueueUrl', maxEventAge: 3600 },
  { name: 'mailFeedback', output: 'MailFeedbackFailuresQueueUrl', maxEventAge: 21_600 },
] as const;

describe('asynchronous invocations that fail for good', () => {
  it('are configured for every function a schedule or an EventBridge rule invokes', () => {
    const targets = asyncTargets();
    expect([...targets].sort()).toEqual(
      [
        idOf(built.platform.functions.schedule.function),
        idOf(built.platform.functions.mailFeedback.function),
      ].sort(),
    );
    for (const id of targets) {
      const config = invokeConfigOf(id);
      expect(config.Properties.Qualifier, id).toBe('$LATEST');
      expect((config.Properties.DestinationConfig as Json).OnFailure, id).toBeDefined();
    }
    // Nothing else is configured: the other functions are invoked synchronously (API Gateway, Step
    // Functions, the documents renderer, the custom-resource provider's framework).
    const configured = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
    expect(configured).toHaveLength(targets.size);
  });

  for (const c of CASES) {
    describe(`the ${c.name} function`, () => {
      const fn = () => built.platform.functions[c.name];
      const queue = () => built.platform.failedInvocations[c.name].queue;

      it('retries twice within its event age, then sends the record to its own queue (no success destination)', () => {
        const config = invokeConfigOf(idOf(fn().function));
        expect(config.Properties).toEqual({
          FunctionName: { Ref: idOf(fn().function) },
          Qualifier: '$LATEST',
          MaximumRetryAttempts: 2,
          MaximumEventAgeInSeconds: c.maxEventAge,
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [idOf(queue()), 'Arn'] } } },
        });
        // Lambda checks the destination permission when the config is created.
        expect([config.DependsOn].flat()).toContain(
          built.platform.getLogicalId(fn().role.node.findChild('DefaultPolicy').node.defaultChild as never),
        );
      });

      it('keeps the records encrypted, over TLS only, for 14 days', () => {
        expect(resources[idOf(queue())]!.Properties).toEqual({
          SqsManagedSseEnabled: true,
          MessageRetentionPeriod: 14 * 24 * 3600,
        });
        const policies = Object.values(resources).filter(
          (r) =>
            r.Type === 'AWS::SQS::QueuePolicy' &&
            JSON.stringify(r.Properties.Queues) === JSON.stringify([{ Ref: idOf(queue()) }]),
        );
        expect(policies).toHaveLength(1);
        expect((policies[0]!.Properties.PolicyDocument as { Statement: Json[] }).Statement).toEqual([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]);
      });

      it('lets the function send to that queue and nothing more of SQS; nobody else may send to it', () => {
        const roleId = idOf(fn().role);
        const statements = Object.values(resources)
          .filter(
            (r) =>
              r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`),
          )
          .flatMap(
            (r) =>
              (r.Properties.PolicyDocument as { Statement: Parameters<typeof actionsOf>[0][] }).Statement,
          );
        const sqs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
        expect(sqs.map((s) => [s.Effect, actionsOf(s), resourcesOf(s)])).toEqual([
          ['Allow', ['sqs:SendMessage'], [{ 'Fn::GetAtt': [idOf(queue()), 'Arn'] }]],
        ]);
        const onQueue = allowStatements(built.platformTemplate).filter((s) =>
          JSON.stringify(resourcesOf(s)).includes(`"${idOf(queue())}"`),
        );
        expect(onQueue).toHaveLength(1);
      });

      it('raises an alarm to the alarms topic while a record waits', () => {
        const alarms = Object.values(resources).filter(
          (r) =>
            r.Type === 'AWS::CloudWatch::Alarm' &&
            JSON.stringify(r.Properties.Dimensions ?? []).includes(`"${idOf(queue())}"`),
        );
        expect(alarms).toHaveLength(1);
        expect(alarms[0]!.Properties).toMatchObject({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Statistic: 'Maximum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [{ Ref: idOf(built.platform.alarmTopic) }],
        });
        expect(alarms[0]!.Properties.AlarmDescription).toContain(c.output);
      });

      it('names the queue in an output, which the function’s errors alarm and the README point to', () => {
        expect(outputs[c.output]?.Value).toEqual({ Ref: idOf(queue()) });
        const errors = Object.values(resources).find(
          (r) =>
            r.Type === 'AWS::CloudWatch::Alarm' &&
            r.Properties.MetricName === 'Errors' &&
            JSON.stringify(r.Properties.Dimensions).includes(`"${idOf(fn().function)}"`),
        );
        expect(errors?.Properties.AlarmDescription).toContain(c.output);
        // The section the alarm texts name exists (CloudWatch caps a description at 1,024 characters).
        const section = 'A scheduled run or an SES event failed';
        expect(readFileSync('README.md', 'utf8').includes(`#### ${section}\n`), section).toBe(true);
        for (const text of [errors?.Properties.AlarmDescription, ...alarmTexts(idOf(queue()))]) {
          expect(String(text)).toContain(section);
          expect(String(text).length).toBeLessThanOrEqual(1024);
        }
        expect(readFileSync('README.md', 'utf8').includes(c.output), `README names ${c.output}`).toBe(true);
      });

      it('shows the queue in the dashboard’s dead-letter depth', () => {
        const [dashboard] = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
        const body = JSON.stringify(dashboard!.Properties.DashboardBody);
        expect(body).toContain('Dead-letter depth');
        expect(body).toContain(idOf(queue()));
      });
    });
  }

  it('keeps the errors alarm of the other functions as it was', () => {
    const descriptions = Object.values(resources)
      .filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === 'Errors')
      .map((r) => String(r.Properties.AlarmDescription));
    expect(descriptions).toHaveLength(Object.keys(built.platform.functions).length);
    expect(descriptions.filter((d) => d.includes('QueueUrl'))).toHaveLength(CASES.length);
  });
});
