/**
 * Operating the platform: the public routes throttled apart from the staff API, reserved
 * concurrency for the HTTP function, the dashboard and the SES reputation alarms, SES feedback to
 * the mail feedback function, HSTS on the pages, and a platform synthesized against an existing
 * (restored) table.
 */
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { handleHttp } from '../../functions/http/app.js';
import { gatewayRoutes } from '../../functions/http/routes.js';
import { buildApp, loadProjectSpecs, readSettings } from '../../infra/build-app.js';
import { makeTestDeps } from '../support/fakes.js';
import { MemoryProjectStore } from '../support/memory-store.js';
import { allowStatements, type Built, buildExampleApp, SETTINGS } from './support.js';

let built: Built;
let t: Template;
beforeAll(async () => {
  built = await buildExampleApp();
  t = built.platformTemplate;
});

const routeKey = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

describe('public routes apart from the staff API', () => {
  it('gives every public route, /approve included, its own throttle on the stage', () => {
    const stage = Object.values(t.findResources('AWS::ApiGatewayV2::Stage'))[0]!;
    const settings = stage.Properties.RouteSettings as Record<string, Record<string, number>>;
    const publicKeys = gatewayRoutes()
      .filter((r) => r.auth === 'none')
      .map(routeKey);
    expect(publicKeys).toEqual(expect.arrayContaining(['GET /approve/{linkId}', 'POST /approve/{linkId}']));
    expect(Object.keys(settings).sort()).toEqual([...publicKeys].sort());
    // An even share of the public budget (40 per second, burst 80) for each public route.
    for (const key of publicKeys) {
      expect(settings[key]).toEqual({
        ThrottlingRateLimit: Math.floor(40 / publicKeys.length),
        ThrottlingBurstLimit: Math.floor(80 / publicKeys.length),
      });
    }
    const total = Object.values(settings).reduce((n, s) => n + (s.ThrottlingRateLimit ?? 0), 0);
    expect(total).toBeLessThanOrEqual(40);
  });

  it('leaves the staff API on the stage default, which an /approve flood does not draw from', () => {
    const stage = Object.values(t.findResources('AWS::ApiGatewayV2::Stage'))[0]!;
    const settings = stage.Properties.RouteSettings as Record<string, unknown>;
    const staffKeys = gatewayRoutes()
      .filter((r) => r.auth === 'iam')
      .map(routeKey);
    expect(staffKeys.length).toBeGreaterThan(0);
    for (const key of staffKeys) expect(settings[key], key).toBeUndefined();
    expect(stage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingBurstLimit: 100,
      ThrottlingRateLimit: 50,
    });
    // The public routes together stay below the staff budget, and below the HTTP function's
    // reserved concurrency at a 1 s worst-case latency: a flood is refused by API Gateway (429)
    // before it reaches the function that serves the staff too.
    const publicBurst = Object.values(
      stage.Properties.RouteSettings as Record<string, { ThrottlingBurstLimit: number }>,
    )
      .map((s) => s.ThrottlingBurstLimit)
      .reduce((a, b) => a + b, 0);
    expect(publicBurst).toBeLessThanOrEqual(100);
    const http = built.platform.getLogicalId(
      built.platform.functions.http.function.node.defaultChild as never,
    );
    const reserved = t.toJSON().Resources[http].Properties.ReservedConcurrentExecutions as number;
    expect(publicBurst).toBeLessThan(reserved + 100);
    // The approval routes' bursts together fit the approvals function's reservation: a burst at a
    // 1 s worst-case latency is still served, and whatever passes cannot take the staff's.
    const approvalsId = built.platform.getLogicalId(
      built.platform.functions.approvals.function.node.defaultChild as never,
    );
    const approvalsBurst = gatewayRoutes()
      .filter((r) => r.fn === 'approvals')
      .map(
        (r) =>
          (stage.Properties.RouteSettings as Record<string, { ThrottlingBurstLimit: number }>)[routeKey(r)]!,
      )
      .reduce((n, s) => n + s.ThrottlingBurstLimit, 0);
    expect(approvalsBurst).toBeGreaterThan(0);
    expect(approvalsBurst).toBeLessThanOrEqual(
      t.toJSON().Resources[approvalsId].Properties.ReservedConcurrentExecutions as number,
    );
  });

  it('updates the stage only once the routes its settings name exist', () => {
    const stage = Object.values(t.findResources('AWS::ApiGatewayV2::Stage'))[0]!;
    const routeIds = built.platform.publicRoutes.map((r) =>
      built.platform.getLogicalId(r.node.defaultChild as never),
    );
    expect(stage.DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('reserves concurrency for the approvals and HTTP functions only, so a flood cannot starve the lifecycle or the other', () => {
    const functions = built.platform.functions;
    const resources = t.toJSON().Resources;
    const reserved = (f: keyof typeof functions) =>
      resources[built.platform.getLogicalId(functions[f].function.node.defaultChild as never)].Properties
        .ReservedConcurrentExecutions;
    expect(reserved('http')).toBe(50);
    expect(reserved('approvals')).toBe(30);
    for (const f of ['lifecycle', 'schedule', 'register', 'mailFeedback'] as const)
      expect(reserved(f)).toBeUndefined();
  });

  it('takes the reserved concurrency from context (0: none, for a new account with a quota of 10)', async () => {
    const app = new App({
      context: { 'milepost:senderEmail': 'a@b.example', 'milepost:httpReservedConcurrency': 0 },
    });
    expect(readSettings(app).httpReservedConcurrency).toBe(0);
    const none = await buildExampleApp({ httpReservedConcurrency: 0 });
    const http = none.platform.getLogicalId(none.platform.functions.http.function.node.defaultChild as never);
    expect(
      none.platformTemplate.toJSON().Resources[http].Properties.ReservedConcurrentExecutions,
    ).toBeUndefined();
    const bad = new App({
      context: { 'milepost:senderEmail': 'a@b.example', 'milepost:httpReservedConcurrency': -1 },
    });
    expect(() => readSettings(bad)).toThrow(/httpReservedConcurrency/);
    // The approvals function's own, apart from the HTTP function's.
    const approvals = new App({
      context: { 'milepost:senderEmail': 'a@b.example', 'milepost:approvalsReservedConcurrency': 5 },
    });
    expect(readSettings(approvals).approvalsReservedConcurrency).toBe(5);
    const five = await buildExampleApp({ approvalsReservedConcurrency: 5 });
    const resources = five.platformTemplate.toJSON().Resources;
    const idOf = (f: 'approvals' | 'http') =>
      five.platform.getLogicalId(five.platform.functions[f].function.node.defaultChild as never);
    expect(resources[idOf('approvals')].Properties.ReservedConcurrentExecutions).toBe(5);
    expect(resources[idOf('http')].Properties.ReservedConcurrentExecutions).toBe(50);
    expect(() =>
      readSettings(
        new App({
          context: { 'milepost:senderEmail': 'a@b.example', 'milepost:approvalsReservedConcurrency': 1.5 },
        }),
      ),
    ).toThrow(/approvalsReservedConcurrency/);
  });

  it('sends HSTS with every page', async () => {
    const deps = makeTestDeps(new MemoryProjectStore());
    const page = await handleHttp(deps, {
      method: 'GET',
      path: '/approve/not-a-link',
      query: {},
      headers: {},
      body: '',
    });
    expect(page.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });
});

describe('the operations dashboard', () => {
  it('graphs executions, gates, approvals, emails, errors, throttles and dead letters', () => {
    const dashboards = Object.values(t.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    for (const needle of [
      'ExecutionsStarted',
      'ExecutionsFailed',
      'GatesOpened',
      'ApprovalsDecided',
      '\\"Send\\"',
      '\\"Bounce\\"',
      '\\"Complaint\\"',
      '\\"Errors\\"',
      '\\"Throttles\\"',
      'ApproximateNumberOfMessagesVisible',
      'Reputation.BounceRate',
    ]) {
      expect(body, needle).toContain(needle);
    }
  });

  it('counts approvals and gates from the log lines the functions write', () => {
    t.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '"approval decided"',
      MetricTransformations: [
        Match.objectLike({ MetricName: 'ApprovalsDecided', MetricNamespace: 'milepost', MetricValue: '1' }),
      ],
    });
    t.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '"lifecycle action" "openGate"',
      MetricTransformations: [Match.objectLike({ MetricName: 'GatesOpened' })],
    });
  });

  it('raises alarms on the SES bounce and complaint rates before SES reviews the account', () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const bounce = alarms.find((a) => a.MetricName === 'Reputation.BounceRate');
    const complaint = alarms.find((a) => a.MetricName === 'Reputation.ComplaintRate');
    expect(bounce).toMatchObject({ Namespace: 'AWS/SES', Threshold: 0.04 });
    expect(complaint).toMatchObject({ Namespace: 'AWS/SES', Threshold: 0.0008 });
    expect(bounce?.Threshold).toBeLessThan(0.05); // SES review level
    expect(complaint?.Threshold).toBeLessThan(0.001);
    for (const a of [bounce, complaint]) expect(a?.AlarmActions).toHaveLength(1);
  });
});

describe('SES feedback', () => {
  it('publishes email counts to CloudWatch and bounces and complaints to EventBridge', () => {
    t.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        MatchingEventTypes: Match.arrayWith(['send', 'delivery', 'bounce', 'complaint']),
        CloudWatchDestination: Match.anyValue(),
      }),
    });
    t.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        MatchingEventTypes: ['bounce', 'complaint'],
        EventBridgeDestination: Match.anyValue(),
      }),
    });
  });

  it("routes this configuration set's feedback to the mail feedback function, with a dead-letter queue", () => {
    const feedback = built.platform.getLogicalId(
      built.platform.functions.mailFeedback.function.node.defaultChild as never,
    );
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ses'],
        'detail-type': ['Email Bounced', 'Email Complaint Received'],
        detail: { mail: { tags: { 'ses:configuration-set': [Match.anyValue()] } } },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [feedback, 'Arn'] },
          DeadLetterConfig: Match.anyValue(),
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 8 }),
        }),
      ],
    });
  });
});

describe('an existing table (restore)', () => {
  it("creates no table and points every function's env and grants at the named one", async () => {
    const restored = await buildExampleApp({ tableName: 'milepost-restored-2027-01-15' });
    const rt = restored.platformTemplate;
    rt.resourceCountIs('AWS::DynamoDB::Table', 0);
    const functions = Object.values(
      rt.findResources('AWS::Lambda::Function', {
        // The documents function has no table.
        Properties: { Description: Match.stringLikeRegexp('^milepost: (?!renders project documents)') },
      }),
    );
    expect(functions).toHaveLength(6);
    for (const f of functions)
      expect(f.Properties.Environment.Variables.TABLE_NAME).toBe('milepost-restored-2027-01-15');
    const tableGrants = allowStatements(rt).filter((s) =>
      (Array.isArray(s.Action) ? s.Action : [s.Action]).includes('dynamodb:PutItem'),
    );
    expect(tableGrants.length).toBe(6);
    for (const s of tableGrants)
      expect(JSON.stringify(s.Resource)).toContain(':table/milepost-restored-2027-01-15');
  });

  it('reads the table name from context and passes cdk-nag with it', async () => {
    const app = new App({
      context: { 'milepost:senderEmail': 'a@b.example', 'milepost:tableName': 'milepost-restored' },
    });
    expect(readSettings(app).tableName).toBe('milepost-restored');
    const bad = new App({
      context: { 'milepost:senderEmail': 'a@b.example', 'milepost:tableName': 'no spaces' },
    });
    expect(() => readSettings(bad)).toThrow(/tableName/);

    const nagApp = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    buildApp(nagApp, await loadProjectSpecs('projects'), { ...SETTINGS, tableName: 'milepost-restored' });
    nagApp.synth();
    const report = new AwsSolutionsChecks(nagApp, { verbose: true }).validateScope(nagApp);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
