/**
 * The platform's daily portfolio digest and chat channel: the schedule in the platform's time zone,
 * the settings the functions get, read access to the channel's secret only, the alarm on its
 * dead letters, and cdk-nag.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, loadProjectSpecs, readSettings } from '../../infra/build-app.js';
import { actionsOf, allowStatements, resourcesOf, SETTINGS } from './support.js';

let app: App;
let t: Template;
beforeAll(async () => {
  app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const built = buildApp(app, await loadProjectSpecs('projects'), {
    ...SETTINGS,
    deliveryManagerEmail: 'dm@msp.example',
    timeZone: 'Europe/London',
    webhook: { kind: 'teams', secretName: 'milepost/teams-webhook' },
  });
  t = Template.fromStack(built.platform);
});

describe('the portfolio digest in AWS', () => {
  it('runs the schedule function daily at 07:00 in the platform’s time zone with the digest event', () => {
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 7 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/London',
      Target: Match.objectLike({
        Input: JSON.stringify({ kind: 'portfolio-digest' }),
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
        DeadLetterConfig: Match.anyValue(),
      }),
    });
  });

  it('raises an alarm to the alarms topic when a digest run lands in its dead-letter queue', () => {
    const [queueId] = Object.entries(t.findResources('AWS::SQS::Queue')).find(([id]) =>
      id.startsWith('DigestDeadLetters'),
    )!;
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).filter((a) =>
      JSON.stringify(a.Properties.Dimensions ?? []).includes(queueId),
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const [topicId] = Object.keys(t.findResources('AWS::SNS::Topic'));
    expect(JSON.stringify(alarms[0]!.Properties.AlarmActions)).toContain(topicId);
  });

  it('shows the digest queue in the dashboard\u2019s dead-letter depth', () => {
    const [queueId] = Object.keys(t.findResources('AWS::SQS::Queue')).filter((id) =>
      id.startsWith('DigestDeadLetters'),
    );
    const dashboards = Object.values(t.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    expect(body).toContain('Dead-letter depth');
    expect(body).toContain(queueId);
  });

  it('gives the functions the delivery manager, the time zone and the secret’s name, never a URL', () => {
    // Every function but the documents renderer, which reads no configuration at all; the
    // approval pages post to no chat channel, so they get no channel (nor its secret's name).
    const fns = Object.values(t.findResources('AWS::Lambda::Function')).filter(
      (f) =>
        String(f.Properties.Description ?? '').startsWith('milepost:') &&
        !String(f.Properties.Description).includes('renders project documents'),
    );
    expect(fns.length).toBeGreaterThan(0);
    for (const f of fns) {
      const env = f.Properties.Environment.Variables as Record<string, unknown>;
      expect(env).toMatchObject({
        DELIVERY_MANAGER_EMAIL: 'dm@msp.example',
        PLATFORM_TIMEZONE: 'Europe/London',
      });
      if (String(f.Properties.Description).includes('public approval pages')) {
        expect(env).not.toHaveProperty('WEBHOOK_KIND');
        expect(env).not.toHaveProperty('WEBHOOK_SECRET');
      } else expect(env).toMatchObject({ WEBHOOK_KIND: 'teams', WEBHOOK_SECRET: 'milepost/teams-webhook' });
      expect(env).not.toHaveProperty('WEBHOOK_URL');
    }
    expect(
      fns.filter((f) => String(f.Properties.Description).includes('public approval pages')),
    ).toHaveLength(1);
  });

  it('lets only the notifying functions read that one secret', () => {
    const reads = allowStatements(t).filter(
      (s) =>
        actionsOf(s).includes('secretsmanager:GetSecretValue') &&
        !JSON.stringify(resourcesOf(s)).includes('milepost/webhooks/*'),
    );
    expect(reads.length).toBe(3);
    for (const s of reads) {
      expect(JSON.stringify(resourcesOf(s))).toContain('secret:milepost/teams-webhook-??????');
      expect(actionsOf(s).some((a) => /Put|Create|Delete|Update/.test(a))).toBe(false);
    }
  });

  it('lets the notifying functions read the projects’ channel secrets under milepost/webhooks/ only', () => {
    const reads = allowStatements(t).filter((s) =>
      JSON.stringify(resourcesOf(s)).includes('secret:milepost/webhooks/*'),
    );
    expect(reads).toHaveLength(3);
    for (const s of reads) expect(actionsOf(s)).toEqual(['secretsmanager:GetSecretValue']);
  });

  it('passes cdk-nag AwsSolutions with the digest and the channel', () => {
    app.synth();
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources[0]?.constructPath}`)).toEqual(
      [],
    );
  });

  it('creates no digest schedule without a delivery manager or a channel', async () => {
    const plain = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const built = buildApp(plain, await loadProjectSpecs('projects'), SETTINGS);
    Template.fromStack(built.platform).resourceCountIs('AWS::Scheduler::Schedule', 0);
  });

  it('reads the settings from context, and refuses a malformed one with a sentence', () => {
    const ctx = (extra: Record<string, unknown>) =>
      new App({ context: { 'milepost:senderEmail': 'projects@msp.example', ...extra } });
    expect(
      readSettings(
        ctx({
          deliveryManagerEmail: 'dm@msp.example',
          'milepost:timeZone': 'Europe/London',
          'milepost:webhook': '{"kind":"slack","secretName":"milepost/slack"}',
        }),
        {},
      ),
    ).toMatchObject({
      deliveryManagerEmail: 'dm@msp.example',
      timeZone: 'Europe/London',
      webhook: { kind: 'slack', secretName: 'milepost/slack' },
    });
    expect(() => readSettings(ctx({ deliveryManagerEmail: 'not an email' }), {})).toThrow(
      /deliveryManagerEmail/,
    );
    expect(() => readSettings(ctx({ 'milepost:webhook': { kind: 'irc', secretName: 'x' } }), {})).toThrow(
      /milepost:webhook must be/,
    );
    expect(() => readSettings(ctx({ 'milepost:timeZone': 'Mars/Base' }), {})).toThrow(/time zone/);
  });
});
