/**
 * Deployability checks that only AWS would otherwise report: each function role has the actions
 * its code calls (derived from the adapters' SDK commands) on scoped resources and stays under
 * IAM's inline-policy size limit; schedules are valid EventBridge Scheduler cron expressions;
 * the HTTP API's integration, stage and authorization; the state machine's limits and role; and
 * the templates form no dependency cycle and import only what the platform exports.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { monitoringExpression, statusReportExpression } from '../../functions/core/schedules.js';
import type { ProjectSpec } from '../../functions/core/spec/schema.js';
import { gatewayRoutes } from '../../functions/http/routes.js';
import { TABLE_ACTIONS } from '../../infra/constructs/milepost-function.js';
import type { PlatformFunctions } from '../../infra/platform-stack.js';
import { definitionFromTemplate } from '../../statemachines/definition.js';
import { gateTimeoutSeconds } from '../../statemachines/lifecycle.js';
import { actionsOf, type allowStatements, type Built, buildExampleApp, resourcesOf } from './support.js';

type Json = Record<string, unknown>;
type Resources = Record<string, { Type: string; Properties?: Json; DependsOn?: string | string[] }>;
type Name = keyof PlatformFunctions;

let built: Built;
beforeAll(async () => {
  built = await buildExampleApp();
});

const ONE_YEAR_SECONDS = 365 * 86_400;
const EXAMPLES = ['brightsmile-m365', 'harbor-law-network'];

/** SDK command -> IAM actions (a transaction is authorized per item, see TRANSACT_ITEMS). */
const COMMAND_ACTIONS: Record<string, string[]> = {
  GetCommand: ['dynamodb:GetItem'],
  GetItemCommand: ['dynamodb:GetItem'],
  QueryCommand: ['dynamodb:Query'],
  PutCommand: ['dynamodb:PutItem'],
  PutItemCommand: ['dynamodb:PutItem'],
  UpdateCommand: ['dynamodb:UpdateItem'],
  DeleteCommand: ['dynamodb:DeleteItem'],
  ScanCommand: ['dynamodb:Scan'],
  BatchGetCommand: ['dynamodb:BatchGetItem'],
  BatchWriteCommand: ['dynamodb:BatchWriteItem'],
  TransactGetCommand: ['dynamodb:GetItem'],
  TransactWriteCommand: [],
  SendEmailCommand: ['ses:SendEmail'],
  SendTaskSuccessCommand: ['states:SendTaskSuccess'],
  SendTaskFailureCommand: ['states:SendTaskFailure'],
  StartExecutionCommand: ['states:StartExecution'],
  ListExecutionsCommand: ['states:ListExecutions'],
  StopExecutionCommand: ['states:StopExecution'],
};
/** Operation of a signed REST request (functions/adapters/aws-request.ts) -> IAM actions. */
const REST_OPERATION_ACTIONS: Record<string, string[]> = {
  GetObject: ['s3:GetObject'],
  PutObject: ['s3:PutObject'],
  Invoke: ['lambda:InvokeFunction'],
};
const TRANSACT_ITEMS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};
const ADAPTERS = {
  dynamo: 'functions/adapters/dynamo-store.ts',
  s3: 'functions/adapters/documents.ts',
  ses: 'functions/adapters/ses-mailer.ts',
  sfn: 'functions/adapters/sfn-workflow.ts',
  lambda: 'functions/adapters/lambda-renderer.ts',
};

/** The IAM actions an adapter's code calls, from its SDK commands and its signed REST requests' operations. */
function actionsCalledBy(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const out = new Set<string>();
  for (const [, command] of source.matchAll(/new (\w+Command)\(/g)) {
    const actions = COMMAND_ACTIONS[command!];
    if (!actions) throw new Error(`${file}: map ${command} to its IAM actions here and grant them in infra/`);
    for (const a of actions) out.add(a);
  }
  for (const [, operation] of source.matchAll(/operation: '(\w+)'/g)) {
    const actions = REST_OPERATION_ACTIONS[operation!];
    if (!actions)
      throw new Error(`${file}: map ${operation} to its IAM actions here and grant them in infra/`);
    for (const a of actions) out.add(a);
  }
  if (source.includes('TransactWriteCommand')) {
    for (const [kind, action] of Object.entries(TRANSACT_ITEMS)) {
      if (new RegExp(`\\b${kind}: \\{`).test(source)) out.add(action);
    }
  }
  return [...out].sort();
}

/**
 * What each function's code paths reach (handlers -> use cases -> ports): lifecycle opens gates
 * (token store, approval emails, plan document, auto-pass), continues as new and closes with a
 * report; approvals decides (task success/failure, withdrawal emails) and serves the gate's
 * document (read only: below); http submits and upserts (plan, approval emails, auto-pass: task
 * success only) and serves the documents; schedule checks (auto-pass, emails, plan) and writes
 * status reports; register writes the records, starts the first execution, emails a new approval round and
 * passes another project's resourcing gate that a deploy or an archive freed (task success); mailFeedback
 * records bounces and complaints on the people's records (no email, no workflow).
 */
const USES: Record<Name, (keyof typeof ADAPTERS)[]> = {
  lifecycle: ['dynamo', 's3', 'ses', 'sfn', 'lambda'],
  http: ['dynamo', 's3', 'ses', 'sfn', 'lambda'],
  approvals: ['dynamo', 'ses', 'sfn'],
  schedule: ['dynamo', 's3', 'ses', 'sfn', 'lambda'],
  register: ['dynamo', 'ses'],
  mailFeedback: ['dynamo'],
  documents: [],
};
/** The functions whose code paths remove a project record (staff-remove-record.ts): a conditional Delete. */
const REMOVES: Name[] = ['http'];
const SFN_ACTIONS: Record<Name, string[]> = {
  lifecycle: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:StartExecution'],
  http: ['states:SendTaskSuccess'],
  approvals: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
  schedule: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
  register: ['states:StartExecution', 'states:SendTaskSuccess'],
  mailFeedback: [],
  documents: [],
};

type Statement = ReturnType<typeof allowStatements>[number] & { Condition?: unknown };

/** Allow statements of the platform policies attached to one function's role. */
function roleStatements(name: Name): Statement[] {
  const roleId = built.platform.getLogicalId(built.platform.functions[name].role.node.defaultChild as never);
  const policies = Object.values(built.platformTemplate.findResources('AWS::IAM::Policy')).filter((p) =>
    JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`),
  );
  return policies.flatMap((p) =>
    (p.Properties.PolicyDocument.Statement as Statement[]).filter((s) => s.Effect === 'Allow'),
  );
}

/** Replaces every intrinsic in `value` by a string as long as a long real value (for size checks). */
function withLongTokens(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withLongTokens);
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) return 'x'.repeat(120);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withLongTokens(v)]));
  }
  return value;
}

describe('IAM of the platform functions', () => {
  const NAMES: Name[] = [
    'lifecycle',
    'http',
    'approvals',
    'schedule',
    'register',
    'mailFeedback',
    'documents',
  ];

  it('grants each function every action its code paths call', () => {
    for (const name of NAMES) {
      const granted = new Set(roleStatements(name).flatMap(actionsOf));
      const needed = [
        ...USES[name].filter((a) => a !== 'sfn').flatMap((a) => actionsCalledBy(ADAPTERS[a])),
        ...SFN_ACTIONS[name],
      ].filter((action) => action !== 'dynamodb:DeleteItem' || REMOVES.includes(name));
      for (const action of needed) expect(granted.has(action), `${name} needs ${action}`).toBe(true);
      for (const action of SFN_ACTIONS[name])
        expect(actionsCalledBy(ADAPTERS.sfn), `${name} ${action}`).toContain(action);
    }
  });

  it('reads the S3 and Lambda actions from the REST adapters', () => {
    expect(actionsCalledBy(ADAPTERS.s3)).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(actionsCalledBy(ADAPTERS.lambda)).toEqual(['lambda:InvokeFunction']);
  });

  it('grants the table actions the store adapter calls and nothing destructive', () => {
    const called = actionsCalledBy(ADAPTERS.dynamo);
    expect(called).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']),
    );
    for (const action of called)
      expect([...TABLE_ACTIONS.map((a) => `dynamodb:${a}`), 'dynamodb:DeleteItem']).toContain(action);
    for (const name of NAMES) {
      const actions = roleStatements(name).flatMap(actionsOf);
      for (const forbidden of [
        'dynamodb:Scan',
        ...(REMOVES.includes(name) ? [] : ['dynamodb:DeleteItem']),
        'dynamodb:*',
        's3:DeleteObject',
        's3:*',
      ])
        expect(actions, `${name} ${forbidden}`).not.toContain(forbidden);
    }
  });

  it('lets only the http function delete, and only items of the project partitions (staff record removal)', () => {
    const deletes = roleStatements('http').filter((s) => actionsOf(s).includes('dynamodb:DeleteItem'));
    expect(deletes).toHaveLength(1);
    expect(actionsOf(deletes[0]!)).toEqual(['dynamodb:DeleteItem']);
    expect(deletes[0]!.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PROJECT#*'] },
    });
    expect(JSON.stringify(resourcesOf(deletes[0]!))).not.toContain('/index/');
  });

  it('gives registration email (a spec change can start an approval round), document puts but no reads, and task success (a deploy or archive can pass the resourcing gate of another project) but no task failure', () => {
    const actions = roleStatements('register').flatMap(actionsOf);
    expect(actions.filter((a) => /^ses:/.test(a))).toEqual(['ses:SendEmail']);
    // A spec edit that changes the document a waiting round approves publishes it again.
    expect(actions.filter((a) => /^s3:/.test(a))).toEqual(['s3:PutObject']);
    expect(actions.filter((a) => /^states:SendTask/.test(a))).toEqual(['states:SendTaskSuccess']);
  });

  it('gives the documents function nothing but its logs and traces: no table, bucket, email or workflow', () => {
    const actions = roleStatements('documents').flatMap(actionsOf);
    expect(actions.filter((a) => !/^(logs|xray):/.test(a))).toEqual([]);
    const fn = built.platformTemplate.findResources('AWS::Lambda::Function');
    const documentsId = built.platform.getLogicalId(
      built.platform.functions.documents.function.node.defaultChild as never,
    );
    expect(Object.keys(fn[documentsId]?.Properties?.Environment?.Variables ?? {}).sort()).toEqual([
      'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
    ]);
  });

  it('lets lifecycle, http, schedule, approvals and register invoke the documents function and only it; nobody else invokes', () => {
    const documentsId = built.platform.getLogicalId(
      built.platform.functions.documents.function.node.defaultChild as never,
    );
    for (const name of NAMES) {
      const invokes = roleStatements(name).filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
      if (['lifecycle', 'http', 'schedule', 'approvals', 'register'].includes(name)) {
        expect(invokes.flatMap(actionsOf), name).toEqual(['lambda:InvokeFunction']);
        expect(invokes.flatMap(resourcesOf), name).toEqual([{ 'Fn::GetAtt': [documentsId, 'Arn'] }]);
      } else {
        expect(invokes, name).toEqual([]);
      }
    }
  });

  it('gives the approvals function the documents bucket, and none of the staff or workflow-starting actions', () => {
    const actions = roleStatements('approvals').flatMap(actionsOf);
    // Writes too: a change request approved through its link re-publishes a waiting gate's document.
    expect(actions.filter((a) => a.startsWith('s3:')).sort()).toEqual([
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
      's3:PutObject',
    ]);
    expect(actions.filter((a) => a.startsWith('states:')).sort()).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskSuccess',
    ]);
    expect(actions.filter((a) => /^(secretsmanager|cognito-idp):/.test(a))).toEqual([]);
  });

  it('gives the http function task success only: rejections come from the approval pages', () => {
    const actions = roleStatements('http').flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('states:'))).toEqual(['states:SendTaskSuccess']);
  });

  it('gives the mail feedback function the table only: no email, documents or workflow', () => {
    const actions = roleStatements('mailFeedback').flatMap(actionsOf);
    expect(actions.filter((a) => /^(ses|s3|states):/.test(a))).toEqual([]);
    expect(actions).toContain('dynamodb:UpdateItem');
  });

  it('scopes every resource: the table, the documents bucket, the sender, milepost-* state machines', () => {
    const tableId = built.platform.getLogicalId(built.platform.table.node.defaultChild as never);
    const bucketId = built.platform.getLogicalId(built.platform.documentsBucket.node.defaultChild as never);
    for (const name of NAMES) {
      for (const s of roleStatements(name)) {
        const resources = JSON.stringify(resourcesOf(s));
        const actions = actionsOf(s);
        if (actions.every((a) => a.startsWith('xray:'))) expect(resourcesOf(s)).toEqual(['*']);
        else expect(resourcesOf(s), `${name} ${actions.join(',')}`).not.toContain('*');
        if (actions.some((a) => a.startsWith('dynamodb:'))) expect(resources).toContain(tableId);
        if (actions.some((a) => a.startsWith('s3:'))) expect(resources).toContain(bucketId);
        if (actions.includes('states:StopExecution')) {
          // Stopping acts on executions: those of the milepost-* state machines only.
          expect(resources).toMatch(/:states:eu-west-2:123456789012:execution:milepost-\*:\*"\]\]\}\]$/);
        } else if (actions.some((a) => a.startsWith('states:'))) {
          expect(resources).toMatch(/:states:eu-west-2:123456789012:stateMachine:milepost-\*"\]\]\}\]$/);
        }
        if (actions.includes('ses:SendEmail')) {
          expect(s.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'projects@msp.example.com' } });
        }
      }
    }
  });

  it('keeps each role under the 10,240-character limit of inline policies, however many projects', () => {
    for (const name of NAMES) {
      const size = JSON.stringify(withLongTokens(roleStatements(name))).length + 40;
      expect(size, name).toBeLessThan(10_240 / 2);
    }
    // Project stacks attach nothing to the platform roles, so the size does not grow with projects.
    for (const t of built.projectTemplates.values()) {
      for (const p of Object.values(t.findResources('AWS::IAM::Policy')))
        expect(JSON.stringify(p.Properties.Roles)).not.toContain('Fn::ImportValue');
    }
  });
});

/** EventBridge Scheduler cron: minutes hours day-of-month month day-of-week year, one of the days `?`. */
function assertSchedulerCron(expression: string): void {
  const m = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  expect(m, expression).not.toBeNull();
  const [, minute, hour, dom, month, dow, year] = m!;
  expect(Number(minute)).toBeGreaterThanOrEqual(0);
  expect(Number(minute)).toBeLessThanOrEqual(59);
  expect(Number.isInteger(Number(minute)), expression).toBe(true);
  expect(Number(hour)).toBeGreaterThanOrEqual(0);
  expect(Number(hour)).toBeLessThanOrEqual(23);
  expect(Number.isInteger(Number(hour)), expression).toBe(true);
  expect(
    [dom, dow].filter((f) => f === '?'),
    expression,
  ).toHaveLength(1);
  if (dom !== '?') expect(dom).toBe('*');
  if (dow !== '?') expect(dow).toMatch(/^(MON|TUE|WED|THU|FRI|SAT|SUN)(#[1-5])?$/);
  expect(month).toBe('*');
  expect(year).toBe('*');
}

describe('EventBridge Scheduler', () => {
  it('gets valid cron expressions for every cadence, day and time a spec allows', () => {
    const base = built.specs[0]!.spec;
    const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
    for (const at of ['00:00', '07:05', '23:59']) {
      for (const every of ['day', 'week'] as const) {
        assertSchedulerCron(monitoringExpression({ ...base, monitoring: { ...base.monitoring, every, at } }));
      }
      for (const every of ['week', 'fortnight', 'month'] as const) {
        for (const day of days) {
          const spec = {
            ...base,
            communication: { ...base.communication, statusReport: { every, day, at } },
          } as ProjectSpec;
          const cron = statusReportExpression(spec);
          assertSchedulerCron(cron);
          if (every === 'month') expect(cron).toMatch(/#1 \*\)$/);
        }
      }
    }
  });

  it('lets the scheduler role invoke only the schedule function and send only to the dead-letter queue', () => {
    for (const id of EXAMPLES) {
      const t = built.projectTemplates.get(id)!;
      const schedules = Object.values(t.findResources('AWS::Scheduler::Schedule'));
      const roleIds = new Set(schedules.map((s) => JSON.stringify(s.Properties.Target.RoleArn)));
      expect(roleIds.size).toBe(1);
      const roleId = (schedules[0]!.Properties.Target.RoleArn as { 'Fn::GetAtt': [string, string] })[
        'Fn::GetAtt'
      ][0];
      const role = t.toJSON().Resources[roleId];
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: expect.objectContaining({
            StringEquals: expect.objectContaining({ 'aws:SourceAccount': expect.anything() }),
          }),
        }),
      ]);
      const statements = Object.values(t.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
      const queueId = Object.keys(t.findResources('AWS::SQS::Queue'))[0]!;
      expect(statements.map((s) => [actionsOf(s), JSON.stringify(resourcesOf(s))])).toEqual([
        [
          ['lambda:InvokeFunction'],
          JSON.stringify([
            { 'Fn::ImportValue': 'Milepost-Platform-ScheduleFunctionArn' },
            { 'Fn::Join': ['', [{ 'Fn::ImportValue': 'Milepost-Platform-ScheduleFunctionArn' }, ':*']] },
          ]),
        ],
        [['sqs:SendMessage'], JSON.stringify([{ 'Fn::GetAtt': [queueId, 'Arn'] }])],
      ]);
      for (const s of schedules) {
        expect(s.Properties.Target.Arn).toEqual({
          'Fn::ImportValue': 'Milepost-Platform-ScheduleFunctionArn',
        });
        expect(Object.keys(JSON.parse(s.Properties.Target.Input)).sort()).toEqual(['kind', 'projectId']);
        expect(s.Properties.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
      }
    }
  });
});

describe('the HTTP API', () => {
  it('uses payload format 2.0, an auto-deployed $default stage and no CORS', () => {
    const t = built.platformTemplate;
    const integrations = Object.values(t.findResources('AWS::ApiGatewayV2::Integration'));
    // One per function behind the API: approvals and http.
    expect(integrations).toHaveLength(2);
    for (const integration of integrations)
      expect(integration.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
      });
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', AutoDeploy: true });
    const api = Object.values(t.findResources('AWS::ApiGatewayV2::Api'))[0]!;
    expect(api.Properties.ProtocolType).toBe('HTTP');
    expect(api.Properties.CorsConfiguration).toBeUndefined();
    expect(api.Properties.DisableExecuteApiEndpoint ?? false).toBe(false);
  });

  it('lets API Gateway invoke the http and approvals functions only from this API', () => {
    const t = built.platformTemplate;
    const apiId = Object.keys(t.findResources('AWS::ApiGatewayV2::Api'))[0]!;
    const permissions = Object.values(t.findResources('AWS::Lambda::Permission')).filter(
      (p) => p.Properties.Principal === 'apigateway.amazonaws.com',
    );
    const of = (name: 'http' | 'approvals') => {
      const id = built.platform.getLogicalId(
        built.platform.functions[name].function.node.defaultChild as never,
      );
      return permissions.filter((p) => JSON.stringify(p.Properties.FunctionName).includes(`"${id}"`));
    };
    // The approval pages: one permission per route. The http function: one for the API.
    expect(of('approvals')).toHaveLength(gatewayRoutes().filter((r) => r.fn === 'approvals').length);
    expect(of('http')).toHaveLength(1);
    expect(permissions).toHaveLength(of('approvals').length + 1);
    for (const p of permissions)
      expect(JSON.stringify(p.Properties.SourceArn)).toContain(`{"Ref":"${apiId}"}`);
    expect(JSON.stringify(of('http')[0]!.Properties.SourceArn)).toMatch(/\/\*\/\*\/\*"\]\]\}$/);
  });

  it("keeps every function's resource policy under Lambda's 20 KB", () => {
    // Each permission becomes one statement of its function's policy. Its size, with the longest
    // names a deploy can give (region, account, a 64-character function name, a generated Sid).
    const resolve = (v: unknown): string => {
      if (typeof v === 'string') return v;
      const o = v as Record<string, unknown>;
      if (o['Fn::Join']) {
        const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
        return parts.map(resolve).join(sep);
      }
      if (o.Ref === 'AWS::Region') return 'ap-southeast-2';
      if (o.Ref === 'AWS::AccountId') return '123456789012';
      if (o.Ref === 'AWS::Partition') return 'aws';
      if (o.Ref) return 'a1b2c3d4e5';
      if (o['Fn::GetAtt']) return `arn:aws:lambda:ap-southeast-2:123456789012:function:${'f'.repeat(64)}`;
      if (o['Fn::Select'] || o['Fn::Split']) return 'x'.repeat(36);
      throw new Error(`unexpected value ${JSON.stringify(v)}`);
    };
    const sizes = new Map<string, number>();
    for (const [id, p] of Object.entries(built.platformTemplate.findResources('AWS::Lambda::Permission'))) {
      const statement = {
        Sid: `${built.platform.stackName}-${id}-${'X'.repeat(12)}`,
        Effect: 'Allow',
        Principal: { Service: p.Properties.Principal },
        Action: p.Properties.Action,
        Resource: resolve({ 'Fn::GetAtt': [] }),
        ...(p.Properties.SourceArn
          ? { Condition: { ArnLike: { 'AWS:SourceArn': resolve(p.Properties.SourceArn) } } }
          : {}),
      };
      const fn = JSON.stringify(p.Properties.FunctionName);
      sizes.set(fn, (sizes.get(fn) ?? 0) + JSON.stringify(statement).length + 1);
    }
    expect(sizes.size).toBeGreaterThan(0);
    for (const [fn, bytes] of sizes) expect(bytes, fn).toBeLessThan(20 * 1024 - 100);
  });

  it('gives the functions the API endpoint (no trailing slash) as PUBLIC_BASE_URL and outputs it', () => {
    const t = built.platformTemplate;
    const apiId = Object.keys(t.findResources('AWS::ApiGatewayV2::Api'))[0]!;
    const endpoint = { 'Fn::GetAtt': [apiId, 'ApiEndpoint'] };
    // The documents function renders a model it is given: it builds no links.
    const { documents: _renderer, ...withLinks } = built.platform.functions;
    for (const f of Object.values(withLinks)) {
      const fnId = built.platform.getLogicalId(f.function.node.defaultChild as never);
      expect(t.toJSON().Resources[fnId].Properties.Environment.Variables.PUBLIC_BASE_URL).toEqual(endpoint);
    }
    expect(t.toJSON().Outputs.ApiUrl.Value).toEqual(endpoint);
  });
});

describe('the project state machines', () => {
  it('wait at most one year per gate, in whole seconds, and wait for hypercare by timestamp', () => {
    for (const id of EXAMPLES) {
      const definition = definitionFromTemplate(built.projectTemplates.get(id)!.toJSON());
      for (const [name, state] of Object.entries(definition.States)) {
        if (state.TimeoutSeconds !== undefined) {
          expect(Number.isInteger(state.TimeoutSeconds), name).toBe(true);
          expect(state.TimeoutSeconds as number).toBeLessThanOrEqual(ONE_YEAR_SECONDS);
        }
        if (state.Type === 'Wait') {
          expect(
            Object.keys(state).filter((k) => /Seconds|Timestamp/.test(k)),
            name,
          ).toEqual(['TimestampPath']);
        }
        if (state.Type === 'Task')
          expect((state.Retry as unknown[] | undefined)?.length, name).toBeGreaterThan(0);
      }
    }
    // The largest reminder interval a spec allows (365 days) still checks its deadlines every 6 hours.
    const stage = built.specs[0]!.stages[0]!;
    expect(gateTimeoutSeconds({ ...stage, gate: { ...stage.gate, remindAfterDays: 365 } })).toBe(6 * 3600);
  });

  it('log to a /aws/vendedlogs/states/ group (no CloudWatch Logs resource-policy growth per project)', () => {
    for (const id of EXAMPLES) {
      const t = built.projectTemplates.get(id)!;
      const group = Object.values(t.findResources('AWS::Logs::LogGroup'))[0]!;
      const name = JSON.stringify(group.Properties.LogGroupName);
      expect(name).toContain(`/aws/vendedlogs/states/milepost-${id}-`);
      expect(name).toContain('AWS::StackId');
    }
  });

  it('have a role that Step Functions of this account assumes and that invokes only the lifecycle function', () => {
    for (const id of EXAMPLES) {
      const t = built.projectTemplates.get(id)!;
      const machine = Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0]!;
      const roleId = (machine.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const role = t.toJSON().Resources[roleId];
      expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
        Service: 'states.amazonaws.com',
      });
      const statements = Object.values(t.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
      const invoke = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
      expect(invoke).toHaveLength(1);
      expect(actionsOf(invoke[0]!)).toEqual(['lambda:InvokeFunction']);
      expect(JSON.stringify(resourcesOf(invoke[0]!))).not.toMatch(/Schedule|Http|Register/);
      for (const r of resourcesOf(invoke[0]!))
        expect(JSON.stringify(r)).toContain('Milepost-Platform-LifecycleFunctionArn');
      for (const s of statements.filter((x) => x !== invoke[0]))
        expect(
          actionsOf(s).every((a) => a.startsWith('xray:') || a.startsWith('logs:')),
          JSON.stringify(s),
        ).toBe(true);
    }
  });
});

/** The resources a value refers to (Ref, Fn::GetAtt, Fn::Sub ${...}). */
function references(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) references(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Json;
    if (typeof o.Ref === 'string') out.add(o.Ref);
    if (Array.isArray(o['Fn::GetAtt'])) out.add(String(o['Fn::GetAtt'][0]));
    if (typeof o['Fn::GetAtt'] === 'string') out.add(o['Fn::GetAtt'].split('.')[0]!);
    const sub = o['Fn::Sub'];
    const text = typeof sub === 'string' ? sub : Array.isArray(sub) ? String(sub[0]) : '';
    for (const [, name] of text.matchAll(/\$\{([^}!]+)\}/g)) out.add(name!.split('.')[0]!);
    for (const v of Object.values(o)) references(v, out);
  }
  return out;
}

describe('the templates', () => {
  const templates = () =>
    [
      ['platform', built.platformTemplate.toJSON()],
      ...[...built.projectTemplates].map(([id, t]) => [id, t.toJSON()]),
    ] as [string, { Resources: Resources; Outputs?: Record<string, { Export?: { Name: string } }> }][];

  it('have no dependency cycle inside a stack (CloudFormation would refuse it)', () => {
    for (const [name, template] of templates()) {
      const ids = new Set(Object.keys(template.Resources));
      const edges = new Map<string, string[]>();
      for (const [id, r] of Object.entries(template.Resources)) {
        const deps = [...references(r.Properties), ...[r.DependsOn ?? []].flat()].filter((d) => ids.has(d));
        edges.set(id, deps);
      }
      const state = new Map<string, 'visiting' | 'done'>();
      const visit = (id: string, path: string[]): void => {
        if (state.get(id) === 'done') return;
        if (state.get(id) === 'visiting') throw new Error(`${name}: cycle ${[...path, id].join(' -> ')}`);
        state.set(id, 'visiting');
        for (const d of edges.get(id) ?? []) visit(d, [...path, id]);
        state.set(id, 'done');
      };
      expect(() => {
        for (const id of ids) visit(id, []);
      }).not.toThrow();
    }
  });

  it('import from the platform only names it exports', () => {
    const exported = new Set(
      Object.values(built.platformTemplate.toJSON().Outputs ?? {})
        .map((o) => (o as { Export?: { Name: string } }).Export?.Name)
        .filter(Boolean),
    );
    for (const [name, template] of templates().slice(1)) {
      const imports = new Set<string>();
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') {
          const i = (v as Json)['Fn::ImportValue'];
          if (typeof i === 'string') imports.add(i);
          Object.values(v).forEach(walk);
        }
      };
      walk(template.Resources);
      expect(imports.size, name).toBeGreaterThan(0);
      for (const i of imports) expect(exported.has(i), `${name} imports ${i}`).toBe(true);
    }
  });
});
