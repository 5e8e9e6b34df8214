/**
 * The AWS limits and name rules that only a deploy would otherwise report, checked against the
 * synthesized templates of the example app AND of an app built from the extremes a spec and the
 * settings allow: the longest project id (48), the longest project name (120 characters, 3 bytes
 * each in UTF-8), the longest IANA time zone (`America/Argentina/ComodRivadavia`), the most stages
 * `milepost validate` accepts (with the longest keys, 47), a spec of quotes at the stored-size
 * limit, a spec file far from the working folder, and the longest settings readSettings accepts
 * (MSP name, addresses, webhook secret, federation, login prefix, pipeline repository and branch).
 *
 * Each check names the service and its limit. Values CloudFormation resolves at deploy time
 * (Ref, Fn::GetAtt, Fn::ImportValue, the stack id) are replaced by the longest value a deploy can
 * give them (`resolve` below), so a name that fits here fits in every account and region.
 */

import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_STAGE_KEY_CHARS, maxStagesFor } from '../../functions/core/spec/definition-size.js';
import type { LoadedSpec } from '../../functions/core/spec/load.js';
import { registrationProperties } from '../../functions/core/spec/registration.js';
import {
  checkSpec,
  MAX_STORED_SPEC_BYTES,
  type ProjectSpec,
  resolveStages,
  storedSpecBytes,
} from '../../functions/core/spec/schema.js';
import { executionName } from '../../functions/core/workflow-contract.js';
import {
  buildApp,
  MAX_MSP_NAME_CHARS,
  projectStackDescription,
  readSettings,
} from '../../infra/build-app.js';
import { PipelineStack } from '../../infra/pipeline-stack.js';
import { definitionFromTemplate } from '../../statemachines/definition.js';
import { stageStateNames } from '../../statemachines/lifecycle.js';
import { makeProjectSpec } from '../support/dynamo.js';
import { buildExampleApp } from './support.js';

type Json = Record<string, unknown>;
type CfnTemplate = {
  Description?: string;
  Resources: Record<string, { Type: string; Properties?: Json }>;
  Outputs?: Record<string, { Value: unknown; Description?: string; Export?: { Name: string } }>;
  Parameters?: Record<string, unknown>;
  Mappings?: Record<string, unknown>;
};

/** The longest id the spec schema allows (functions/core/spec/fields.ts: a slug of 2-48). */
const LONGEST_ID = `x${'y'.repeat(46)}z`;
/** The longest IANA time zone name (tzdata), which the spec accepts. */
const LONGEST_TIME_ZONE = 'America/Argentina/ComodRivadavia';
/** Custom stage keys of `chars` characters (the longest a spec accepts by default), distinct. */
const longKeys = (count: number, chars = MAX_STAGE_KEY_CHARS) =>
  Array.from({ length: count }, (_, i) => `${String(i).padStart(2, '0')}${'k'.repeat(chars - 2)}`);

/** A spec at every extreme at once, still valid (checkSpec finds nothing). */
function extremeSpec(): ProjectSpec {
  const keys = [...longKeys(maxStagesFor(MAX_STAGE_KEY_CHARS) - 1), 'support'];
  const base = makeProjectSpec({
    id: LONGEST_ID,
    // 120 characters (the schema's maximum), 3 bytes each in UTF-8, with a quote to escape.
    name: `"${'項'.repeat(119)}`,
    customer: { name: 'C'.repeat(500), timezone: LONGEST_TIME_ZONE },
    stages: keys.map((key) =>
      key === 'support' ? { key } : { key, name: `Stage ${key}`, gate: { approvers: ['sponsor'] } },
    ),
    deliverables: [{ id: 'd', name: 'D', stage: keys[0] as string, acceptance: 'ok' }],
  });
  // Fill the spec up to its stored-size limit with quotes, the text JSON escapes the most: the
  // spec travels as JSON text inside JSON (the registration property), so each quote takes 2
  // bytes stored, 4 in the template, 4 twice in an update request.
  const objectives: string[] = [];
  const spec = { ...base, objectives };
  while (storedSpecBytes(spec) < MAX_STORED_SPEC_BYTES - 2100) objectives.push('"'.repeat(1000));
  objectives.push('"'.repeat(Math.floor((MAX_STORED_SPEC_BYTES - storedSpecBytes(spec) - 10) / 2)));
  return spec;
}

/** Context values at the longest readSettings accepts (infra/build-app.ts). */
const EXTREME_CONTEXT = {
  'milepost:account': '123456789012',
  'milepost:region': 'ap-southeast-2',
  'milepost:senderEmail': `${'s'.repeat(64)}@${'m'.repeat(177)}.example.com`,
  'milepost:deliveryManagerEmail': `${'d'.repeat(64)}@${'m'.repeat(177)}.example.com`,
  'milepost:mspName': 'M'.repeat(MAX_MSP_NAME_CHARS),
  'milepost:timeZone': LONGEST_TIME_ZONE,
  'milepost:webhook': { kind: 'teams', secretName: `milepost/${'w'.repeat(512 - 9)}` },
  'milepost:authDomainPrefix': 'm'.repeat(63),
  'milepost:federation': {
    type: 'saml',
    name: 'F'.repeat(32),
    metadataUrl: `https://idp.example/${'p'.repeat(900)}`,
  },
  'milepost:pipeline': `${'o'.repeat(39)}/${'r'.repeat(100)}`,
  'milepost:pipelineBranch': `release/${'b'.repeat(255 - 8)}`,
};

interface Variant {
  name: string;
  templates: Map<string, CfnTemplate>;
  stackNames: string[];
  specs: LoadedSpec[];
}
const variants: Variant[] = [];

beforeAll(async () => {
  const example = await buildExampleApp();
  variants.push({
    name: 'example',
    templates: new Map([
      [example.platform.stackName, example.platformTemplate.toJSON() as CfnTemplate],
      ...[...example.projects].map(
        ([id, stack]) =>
          [stack.stackName, example.projectTemplates.get(id)!.toJSON()] as [string, CfnTemplate],
      ),
    ]),
    stackNames: [example.platform.stackName, ...[...example.projects.values()].map((s) => s.stackName)],
    specs: example.specs,
  });
  const spec = extremeSpec();
  const loaded: LoadedSpec = {
    // Errors and descriptions name the file as given: an absolute path outside the working folder.
    file: `/${'very-long-folder-name/'.repeat(40)}${LONGEST_ID}.yaml`,
    spec,
    stages: resolveStages(spec),
  };
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...EXTREME_CONTEXT } });
  const settings = readSettings(app, {});
  expect(settings.senderEmail).toHaveLength(254);
  buildApp(app, [loaded], { ...settings, nag: false });
  const stacks = app.node.children.filter((c): c is Stack => Stack.isStack(c));
  variants.push({
    name: 'extreme',
    templates: new Map(stacks.map((s) => [s.stackName, Template.fromStack(s).toJSON() as CfnTemplate])),
    stackNames: stacks.map((s) => s.stackName),
    specs: [loaded],
  });
}, 240_000);

/** Every [variant, stack name, template]. */
const all = () => variants.flatMap((v) => [...v.templates].map(([stack, t]) => [v.name, stack, t] as const));
/** Every resource of a type, with where it is. */
const resourcesOfType = (type: string) =>
  all().flatMap(([variant, stack, t]) =>
    Object.entries(t.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([id, r]) => ({ where: `${variant} ${stack} ${id}`, stack, props: r.Properties ?? {} })),
  );

const LONGEST = {
  region: 'ap-southeast-2',
  account: '123456789012',
  partition: 'aws-us-gov',
  uuid: '0123abcd-4567-89ef-0123-456789abcdef',
};

/**
 * A template value as a string of the longest length a deploy can give it: pseudo parameters at
 * their longest, a resource's generated name or id at 128 characters (a physical name is at most
 * that for the resources here), an attribute or import at 256 (an ARN).
 */
function resolve(value: unknown, stackName: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const o = value as Json;
  if (o['Fn::Join']) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolve(p, stackName)).join(sep);
  }
  if (o['Fn::Select']) {
    const [index, list] = o['Fn::Select'] as [number, unknown];
    const items = Array.isArray(list)
      ? list.map((l) => resolve(l, stackName))
      : resolveList(list as Json, stackName);
    return items[Number(index)] ?? '';
  }
  if (o.Ref === 'AWS::Region') return LONGEST.region;
  if (o.Ref === 'AWS::AccountId') return LONGEST.account;
  if (o.Ref === 'AWS::Partition') return LONGEST.partition;
  if (o.Ref === 'AWS::URLSuffix') return 'amazonaws.com.cn';
  if (o.Ref === 'AWS::StackName') return stackName;
  if (o.Ref === 'AWS::StackId')
    return `arn:${LONGEST.partition}:cloudformation:${LONGEST.region}:${LONGEST.account}:stack/${stackName}/${LONGEST.uuid}`;
  if (typeof o.Ref === 'string') return 'r'.repeat(128);
  if (o['Fn::GetAtt'] || o['Fn::ImportValue']) return 'a'.repeat(256);
  if (o['Fn::Sub']) return resolve(JSON.stringify(o['Fn::Sub']), stackName);
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}
function resolveList(value: Json, stackName: string): string[] {
  if (value['Fn::Split']) {
    const [sep, source] = value['Fn::Split'] as [string, unknown];
    return resolve(source, stackName).split(sep);
  }
  return [resolve(value, stackName)];
}
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('CloudFormation', () => {
  it('stack names: letters, digits and dashes, starting with a letter, at most 128 characters', () => {
    // CloudFormation: a stack name matches [a-zA-Z][-a-zA-Z0-9]* and has at most 128 characters.
    for (const v of variants)
      for (const name of v.stackNames) {
        expect(name, name).toMatch(/^[A-Za-z][-A-Za-z0-9]*$/);
        expect(name.length, name).toBeLessThanOrEqual(128);
      }
  });

  it('template descriptions: at most 1,024 bytes', () => {
    // CloudFormation: a template's Description is at most 1,024 bytes.
    for (const [variant, stack, t] of all()) {
      expect(t.Description, `${variant} ${stack}`).toBeDefined();
      expect(bytes(t.Description ?? ''), `${variant} ${stack}`).toBeLessThanOrEqual(1024);
    }
  });

  it('templates: at most 1 MB (uploaded to the bootstrap bucket), 500 resources, 200 outputs and parameters', () => {
    // CloudFormation: a template body passed through S3 is at most 1 MB (cdk deploy uploads every
    // template over 50 KB); a template has at most 500 resources, 200 outputs, 200 parameters,
    // 200 mappings. cdk writes templates as JSON indented by one space: measured as written.
    for (const [variant, stack, t] of all()) {
      const where = `${variant} ${stack}`;
      expect(bytes(JSON.stringify(t, undefined, 1)), where).toBeLessThanOrEqual(1_000_000);
      expect(Object.keys(t.Resources).length, where).toBeLessThanOrEqual(500);
      expect(Object.keys(t.Outputs ?? {}).length, where).toBeLessThanOrEqual(200);
      expect(Object.keys(t.Parameters ?? {}).length, where).toBeLessThanOrEqual(200);
      expect(Object.keys(t.Mappings ?? {}).length, where).toBeLessThanOrEqual(200);
    }
  });

  it('logical ids and output names: alphanumeric, at most 255 characters; export names at most 255', () => {
    // CloudFormation: logical ids (resources, outputs) are alphanumeric [A-Za-z0-9], at most 255
    // characters; an export name is at most 255 characters of [A-Za-z0-9:-], an output description
    // at most 1,024 bytes.
    for (const [variant, stack, t] of all()) {
      for (const id of [...Object.keys(t.Resources), ...Object.keys(t.Outputs ?? {})]) {
        expect(id, `${variant} ${stack}`).toMatch(/^[A-Za-z0-9]{1,255}$/);
      }
      for (const [id, o] of Object.entries(t.Outputs ?? {})) {
        if (o.Export) expect(o.Export.Name, `${variant} ${stack} ${id}`).toMatch(/^[A-Za-z0-9:-]{1,255}$/);
        expect(bytes(o.Description ?? ''), id).toBeLessThanOrEqual(1024);
      }
    }
  });

  it("the registration's custom resource: its update request fits an asynchronous Lambda invocation (1 MB)", () => {
    // CloudFormation invokes the provider's function asynchronously (Lambda: at most 1 MB of
    // payload); an Update request carries the properties twice (ResourceProperties and
    // OldResourceProperties) plus a presigned response URL and ids (a few KB, 8 KB here).
    for (const [variant, stack, t] of all()) {
      for (const r of Object.values(t.Resources).filter((x) => x.Type === 'Custom::MilepostProject')) {
        const { ServiceToken: _token, ...properties } = r.Properties ?? {};
        const request = 2 * bytes(JSON.stringify(properties)) + 8 * 1024;
        expect(request, `${variant} ${stack}`).toBeLessThanOrEqual(1024 * 1024);
      }
    }
  });
});

describe('custom resources', () => {
  it('custom resource types: Custom:: and at most 60 characters of [A-Za-z0-9_@-]', () => {
    // CloudFormation: a custom resource type name is Custom:: followed by at most 60 alphanumeric
    // characters and _ @ -.
    const custom = all().flatMap(([, , t]) =>
      Object.values(t.Resources).filter((r) => r.Type.startsWith('Custom::')),
    );
    expect(custom.length).toBeGreaterThan(2);
    for (const r of custom) expect(r.Type).toMatch(/^Custom::[A-Za-z0-9_@-]{1,60}$/);
  });
});

describe('Step Functions', () => {
  it('state machine names: at most 80 characters of letters, digits, - and _ (so its logs work)', () => {
    // Step Functions: a state machine name has 1-80 characters; with CloudWatch Logs only
    // 0-9, A-Z, a-z, - and _.
    const machines = resourcesOfType('AWS::StepFunctions::StateMachine');
    expect(machines.length).toBeGreaterThan(2);
    for (const m of machines) expect(m.props.StateMachineName, m.where).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it('state names: at most 80 characters', () => {
    // Amazon States Language: a state's name is at most 80 Unicode characters.
    for (const [variant, stack, t] of all()) {
      if (!Object.values(t.Resources).some((r) => r.Type === 'AWS::StepFunctions::StateMachine')) continue;
      const definition = definitionFromTemplate(t);
      for (const name of Object.keys(definition.States))
        expect([...name].length, `${variant} ${stack} "${name}"`).toBeLessThanOrEqual(80);
    }
  });

  it('stage keys: the longest a spec accepts names states of at most 80 characters; one more is refused', () => {
    // Amazon States Language: a state's name is at most 80 characters. The core's figure
    // (MAX_STAGE_KEY_CHARS, which `milepost validate` applies) is the tightest that fits.
    const longest = (key: string) =>
      Math.max(...Object.values(stageStateNames(key)).map((n) => [...n].length));
    expect(longest('k'.repeat(MAX_STAGE_KEY_CHARS))).toBe(80);
    expect(longest('k'.repeat(MAX_STAGE_KEY_CHARS + 1))).toBe(81);
    const tooLong = longKeys(1, MAX_STAGE_KEY_CHARS + 1)[0]!;
    const spec = makeProjectSpec({
      stages: [{ key: tooLong, name: 'Long', gate: { approvers: ['sponsor'] } }],
      deliverables: [{ id: 'd', name: 'D', stage: tooLong, acceptance: 'ok' }],
    });
    expect(checkSpec(spec)).toEqual([
      { path: ['stages', 0, 'key'], message: expect.stringMatching(/^must be at most 47 characters: .*80/) },
    ]);
  });

  it('execution names: at most 80 characters of the allowed ones, for the longest id and generation', () => {
    // Step Functions: an execution name has 1-80 characters, no whitespace, brackets, wildcards,
    // or " # % \ ^ | ~ ` $ & , ; : /. The generation counts continue-as-new runs: 10^9 is far more
    // than a project will ever have.
    for (const v of variants)
      for (const { spec } of v.specs) {
        const name = executionName(spec.id, 999_999_999);
        expect(name.length, name).toBeLessThanOrEqual(80);
        expect(name).not.toMatch(/[\s<>{}[\]?*"#%\\^|~`$&,;:/]/);
      }
  });

  it('definitions: at most 1 MB as deployed', () => {
    // Step Functions: a definition is at most 1 MB (test/infra/definition-size.test.ts checks the
    // prediction `milepost validate` uses; this is the synthesized one, escaped as in the template).
    for (const m of resourcesOfType('AWS::StepFunctions::StateMachine'))
      expect(bytes(resolve(m.props.DefinitionString, m.stack)), m.where).toBeLessThanOrEqual(1024 * 1024);
  });
});

describe('CloudWatch Logs', () => {
  it('log group names: at most 512 characters of [.-_/#A-Za-z0-9]', () => {
    // CloudWatch Logs: a log group name has 1-512 characters of a-z, A-Z, 0-9, _ - / . #.
    const groups = resourcesOfType('AWS::Logs::LogGroup').filter((g) => g.props.LogGroupName !== undefined);
    expect(groups.length).toBeGreaterThan(2);
    for (const g of groups) {
      const name = resolve(g.props.LogGroupName, g.stack);
      expect(name, g.where).toMatch(/^[.\-_/#A-Za-z0-9]{1,512}$/);
    }
  });
});

describe('EventBridge Scheduler', () => {
  it('schedules: description at most 512, time zone at most 50, expression at most 256, input at most 8,192 characters', () => {
    // EventBridge Scheduler (CreateSchedule): Description 0-512 characters,
    // ScheduleExpressionTimezone 1-50, ScheduleExpression 1-256, Target.Input at most 8,192.
    // A schedule without a Name gets one CloudFormation generates within the 64-character limit.
    const schedules = resourcesOfType('AWS::Scheduler::Schedule');
    expect(schedules.length).toBeGreaterThan(2);
    for (const s of schedules) {
      const target = s.props.Target as { Input?: string };
      expect((s.props.Description as string).length, s.where).toBeLessThanOrEqual(512);
      expect((s.props.ScheduleExpressionTimezone as string).length, s.where).toBeLessThanOrEqual(50);
      expect((s.props.ScheduleExpression as string).length, s.where).toBeLessThanOrEqual(256);
      expect(resolve(target.Input ?? '', s.stack).length, s.where).toBeLessThanOrEqual(8192);
      if (s.props.Name !== undefined) expect(s.props.Name, s.where).toMatch(/^[0-9a-zA-Z-_.]{1,64}$/);
    }
    // The extreme spec's customer time zone reached its schedules.
    expect(schedules.some((s) => s.props.ScheduleExpressionTimezone === LONGEST_TIME_ZONE)).toBe(true);
  });
});

describe('CloudWatch', () => {
  it('alarm descriptions: at most 1,024 characters; alarm names, when given, at most 255', () => {
    // CloudWatch (PutMetricAlarm): AlarmDescription 0-1,024 characters, AlarmName 1-255.
    const alarms = resourcesOfType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(10);
    for (const a of alarms) {
      expect(resolve(a.props.AlarmDescription ?? '', a.stack).length, a.where).toBeLessThanOrEqual(1024);
      if (a.props.AlarmName !== undefined)
        expect(resolve(a.props.AlarmName, a.stack).length, a.where).toBeLessThanOrEqual(255);
    }
  });

  it('dashboards: name at most 255 of [A-Za-z0-9_-], at most 500 widgets, body at most 1 MB', () => {
    // CloudWatch (PutDashboard): DashboardName 1-255 characters of A-Z, a-z, 0-9, - and _;
    // a DashboardBody has 0-500 widgets; a request (the body) is at most 1 MB.
    const dashboards = resourcesOfType('AWS::CloudWatch::Dashboard');
    expect(dashboards.length).toBeGreaterThan(0);
    for (const d of dashboards) {
      expect(d.props.DashboardName, d.where).toMatch(/^[A-Za-z0-9_-]{1,255}$/);
      const body = resolve(d.props.DashboardBody, d.stack);
      expect(bytes(body), d.where).toBeLessThanOrEqual(1024 * 1024);
      expect((JSON.parse(body) as { widgets: unknown[] }).widgets.length, d.where).toBeLessThanOrEqual(500);
    }
  });
});

describe('Lambda', () => {
  it('functions: environment at most 4 KB, description at most 256 characters, name (when given) at most 64', () => {
    // Lambda: the environment variables (keys and values) take at most 4 KB; a function's
    // Description is 0-256 characters; a FunctionName 1-64.
    const functions = resourcesOfType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(7);
    for (const f of functions) {
      const variables = (f.props.Environment as { Variables?: Json } | undefined)?.Variables ?? {};
      // Measured as the JSON of the map (quotes and separators included), the larger reading.
      const size = bytes(
        JSON.stringify(
          Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, resolve(v, f.stack)])),
        ),
      );
      expect(size, f.where).toBeLessThanOrEqual(4096);
      expect(((f.props.Description as string | undefined) ?? '').length, f.where).toBeLessThanOrEqual(256);
      if (f.props.FunctionName !== undefined)
        expect(resolve(f.props.FunctionName, f.stack).length, f.where).toBeLessThanOrEqual(64);
    }
  });
});

describe('resource policies and concurrency', () => {
  it('SQS queue policies at most 8,192 bytes and 20 statements; KMS key policies 32 KB; S3 bucket policies 20 KB', () => {
    // SQS (policy quotas): 8,192 bytes, 20 statements, 7 actions a statement. KMS: a key policy
    // is at most 32 KB. S3: a bucket policy is at most 20 KB.
    const queuePolicies = resourcesOfType('AWS::SQS::QueuePolicy');
    expect(queuePolicies.length).toBeGreaterThan(2);
    for (const q of queuePolicies) {
      const doc = q.props.PolicyDocument as { Statement: { Action: string | string[] }[] };
      expect(bytes(resolveDeep(doc, q.stack)), q.where).toBeLessThanOrEqual(8192);
      expect(doc.Statement.length, q.where).toBeLessThanOrEqual(20);
      for (const st of doc.Statement) expect([st.Action].flat().length, q.where).toBeLessThanOrEqual(7);
    }
    for (const k of resourcesOfType('AWS::KMS::Key'))
      expect(bytes(resolveDeep(k.props.KeyPolicy, k.stack)), k.where).toBeLessThanOrEqual(32 * 1024);
    const bucketPolicies = resourcesOfType('AWS::S3::BucketPolicy');
    expect(bucketPolicies.length).toBeGreaterThan(0);
    for (const b of bucketPolicies)
      expect(bytes(resolveDeep(b.props.PolicyDocument, b.stack)), b.where).toBeLessThanOrEqual(20 * 1024);
  });

  it('reserves at most 900 concurrent executions: Lambda keeps 100 of the default 1,000 unreserved', () => {
    // Lambda: reserved concurrency must leave at least 100 executions unreserved in the account's
    // quota (1,000 by default; new accounts get less: see the README).
    for (const [variant, stack, t] of all()) {
      const reserved = Object.values(t.Resources)
        .filter((r) => r.Type === 'AWS::Lambda::Function')
        .reduce((n, r) => n + Number(r.Properties?.ReservedConcurrentExecutions ?? 0), 0);
      expect(reserved, `${variant} ${stack}`).toBeLessThanOrEqual(1000 - 100);
      if (stack === 'Milepost-Platform') expect(reserved).toBe(80);
    }
  });
});

describe('IAM', () => {
  it("roles: description at most 1,000 characters of IAM's set, trust policy at most 2,048, inline policies at most 10,240", () => {
    // IAM: a role Description is 0-1,000 characters of [\t\n\r\u0020-\u007E\u00A1-\u00FF]; its
    // trust policy at most 2,048 characters (the default quota); all inline policies of a role
    // together at most 10,240 characters (whitespace not counted); a RoleName, when given, 1-64.
    const roles = resourcesOfType('AWS::IAM::Role');
    expect(roles.length).toBeGreaterThan(10);
    const inline = new Map<string, number>();
    for (const p of resourcesOfType('AWS::IAM::Policy')) {
      const size = resolve(JSON.stringify(p.props.PolicyDocument), p.stack).length;
      for (const role of (p.props.Roles as unknown[] | undefined) ?? []) {
        const key = `${p.stack} ${JSON.stringify(role)}`;
        inline.set(key, (inline.get(key) ?? 0) + size);
      }
    }
    for (const r of roles) {
      const description = (r.props.Description as string | undefined) ?? '';
      expect(description.length, r.where).toBeLessThanOrEqual(1000);
      expect(description, r.where).toMatch(/^[\t\n\r\u0020-\u007E\u00A1-\u00FF]*$/);
      expect(resolveDeep(r.props.AssumeRolePolicyDocument, r.stack).length, r.where).toBeLessThanOrEqual(
        2048,
      );
      const own = ((r.props.Policies as { PolicyDocument: unknown }[] | undefined) ?? []).reduce(
        (n, p) => n + resolveDeep(p.PolicyDocument, r.stack).length,
        0,
      );
      const id = r.where.split(' ').at(-1);
      expect(own + (inline.get(`${r.stack} {"Ref":"${id}"}`) ?? 0), r.where).toBeLessThanOrEqual(10_240);
      if (r.props.RoleName !== undefined)
        expect(resolve(r.props.RoleName, r.stack).length).toBeLessThanOrEqual(64);
    }
  });
});

describe('API Gateway, Cognito, SQS, SNS, KMS, EventBridge', () => {
  it('HTTP API: at most 300 routes and 300 integrations per API', () => {
    // API Gateway (HTTP APIs): 300 routes and 300 integrations per API (default quotas).
    for (const [variant, stack, t] of all()) {
      const count = (type: string) => Object.values(t.Resources).filter((r) => r.Type === type).length;
      expect(count('AWS::ApiGatewayV2::Route'), `${variant} ${stack}`).toBeLessThanOrEqual(300);
      expect(count('AWS::ApiGatewayV2::Integration'), `${variant} ${stack}`).toBeLessThanOrEqual(300);
    }
  });

  it('the managed login domain prefix: 1-63 of [a-z0-9-], without aws, amazon or cognito', () => {
    // Cognito (CreateUserPoolDomain): a prefix domain is 1-63 characters,
    // ^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$, and may not contain the reserved words aws,
    // amazon or cognito.
    const domains = resourcesOfType('AWS::Cognito::UserPoolDomain');
    expect(domains.length).toBeGreaterThan(1);
    for (const d of domains) {
      const prefix = resolve(d.props.Domain, d.stack);
      expect(prefix, d.where).toMatch(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/);
      expect(prefix, d.where).not.toMatch(/aws|amazon|cognito/);
    }
  });

  it('queue, topic, key, rule and configuration set names and descriptions, when given, within their limits', () => {
    // SQS: QueueName 1-80 of [A-Za-z0-9_-] (.fifo suffix included). SNS: TopicName 1-256.
    // KMS: a key Description 0-8,192. EventBridge: a rule Description 0-512, Name 1-64.
    // SES: a configuration set Name 1-64 of [A-Za-z0-9_-].
    for (const q of resourcesOfType('AWS::SQS::Queue'))
      if (q.props.QueueName !== undefined)
        expect(resolve(q.props.QueueName, q.stack), q.where).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    for (const s of resourcesOfType('AWS::SNS::Topic'))
      if (s.props.TopicName !== undefined)
        expect(resolve(s.props.TopicName, s.stack).length, s.where).toBeLessThanOrEqual(256);
    for (const k of resourcesOfType('AWS::KMS::Key'))
      expect(((k.props.Description as string | undefined) ?? '').length, k.where).toBeLessThanOrEqual(8192);
    for (const r of resourcesOfType('AWS::Events::Rule')) {
      expect(((r.props.Description as string | undefined) ?? '').length, r.where).toBeLessThanOrEqual(512);
      if (r.props.Name !== undefined) expect(resolve(r.props.Name, r.stack).length).toBeLessThanOrEqual(64);
    }
    for (const c of resourcesOfType('AWS::SES::ConfigurationSet'))
      if (c.props.Name !== undefined)
        expect(resolve(c.props.Name, c.stack), c.where).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});

describe('numeric settings', () => {
  it('are inside the ranges the services accept', () => {
    const within = (where: string, value: unknown, min: number, max: number) => {
      if (value === undefined) return;
      expect(Number.isInteger(value), `${where} ${String(value)}`).toBe(true);
      expect(value as number, where).toBeGreaterThanOrEqual(min);
      expect(value as number, where).toBeLessThanOrEqual(max);
    };
    // Lambda: Timeout 1-900 seconds, MemorySize 128-10,240 MB, ephemeral storage 512-10,240 MB,
    // at most 5 layers; asynchronous invocation: event age 60-21,600 seconds, 0-2 retries.
    for (const f of resourcesOfType('AWS::Lambda::Function')) {
      within(f.where, f.props.Timeout, 1, 900);
      within(f.where, f.props.MemorySize, 128, 10_240);
      within(f.where, (f.props.EphemeralStorage as { Size?: number } | undefined)?.Size, 512, 10_240);
      expect(((f.props.Layers as unknown[] | undefined) ?? []).length, f.where).toBeLessThanOrEqual(5);
    }
    const invokeConfigs = resourcesOfType('AWS::Lambda::EventInvokeConfig');
    expect(invokeConfigs.length).toBeGreaterThan(1);
    for (const c of invokeConfigs) {
      within(c.where, c.props.MaximumEventAgeInSeconds, 60, 21_600);
      within(c.where, c.props.MaximumRetryAttempts, 0, 2);
    }
    // EventBridge Scheduler: a target's retry policy keeps an event 60-86,400 seconds, 0-185 retries.
    for (const s of resourcesOfType('AWS::Scheduler::Schedule')) {
      const retry = (s.props.Target as { RetryPolicy?: Json }).RetryPolicy ?? {};
      within(s.where, retry.MaximumEventAgeInSeconds, 60, 86_400);
      within(s.where, retry.MaximumRetryAttempts, 0, 185);
    }
    // SQS: message retention 60-1,209,600 seconds (14 days), visibility timeout 0-43,200.
    for (const q of resourcesOfType('AWS::SQS::Queue')) {
      within(q.where, q.props.MessageRetentionPeriod, 60, 1_209_600);
      within(q.where, q.props.VisibilityTimeout, 0, 43_200);
    }
    // DynamoDB: at most 20 global secondary indexes a table.
    for (const t of resourcesOfType('AWS::DynamoDB::Table'))
      expect(((t.props.GlobalSecondaryIndexes as unknown[] | undefined) ?? []).length).toBeLessThanOrEqual(
        20,
      );
  });
});

describe('tags', () => {
  it('resource tags (none today, no user input in them): keys at most 128, values at most 256 characters', () => {
    // Tagging (every service): a tag key is 1-128 characters, a value 0-256, at most 50 a resource.
    for (const [variant, stack, t] of all())
      for (const [id, r] of Object.entries(t.Resources)) {
        const tags = (r.Properties?.Tags ?? []) as
          | { Key: string; Value: unknown }[]
          | Record<string, unknown>;
        const entries = Array.isArray(tags)
          ? tags.map((x) => [x.Key, x.Value] as const)
          : Object.entries(tags);
        expect(entries.length, `${variant} ${stack} ${id}`).toBeLessThanOrEqual(50);
        for (const [key, value] of entries) {
          expect(key.length, `${variant} ${stack} ${id}`).toBeLessThanOrEqual(128);
          expect(resolve(value, stack).length, `${variant} ${stack} ${id} ${key}`).toBeLessThanOrEqual(256);
        }
      }
  });
});

describe('what would break a limit', () => {
  it('keeps a project stack description that fits as it was, and shortens one that does not (file first)', () => {
    const example = variants.find((v) => v.name === 'example')!;
    for (const { spec, file } of example.specs) {
      const t = example.templates.get(`Milepost-Project-${spec.id}`)!;
      expect(t.Description).toBe(`milepost project ${spec.id}: ${spec.name} (${file})`);
    }
    const extreme = variants.find((v) => v.name === 'extreme')!;
    const { spec } = extreme.specs[0]!;
    const description = extreme.templates.get(`Milepost-Project-${spec.id}`)!.Description!;
    // The whole name is kept; the file keeps its end (its name).
    expect(description).toContain(`milepost project ${spec.id}: ${spec.name} (…`);
    expect(description).toMatch(new RegExp(`${spec.id}\\.yaml\\)$`));
    expect(description.length).toBeLessThanOrEqual(512);
    // A name too long for any file: cut, with the file's last 20 characters.
    const tooLong = projectStackDescription({
      spec: { ...spec, name: '項'.repeat(600) },
      file: 'projects/x.yaml',
    });
    expect(Buffer.byteLength(tooLong, 'utf8')).toBeLessThanOrEqual(1024);
    expect(tooLong).toMatch(/項… \(projects\/x\.yaml\)$/);
  });

  it('refuses settings that would break a limit at deploy, with a sentence naming the setting', () => {
    const ctx = (extra: Record<string, unknown>) =>
      new App({ context: { 'milepost:senderEmail': 'projects@msp.example', ...extra } });
    // Lambda: the environment (4 KB) carries the MSP name and the addresses.
    expect(() => readSettings(ctx({ 'milepost:mspName': 'M'.repeat(MAX_MSP_NAME_CHARS + 1) }), {})).toThrow(
      /milepost:mspName must be at most 120 characters/,
    );
    expect(
      readSettings(ctx({ 'milepost:mspName': 'M'.repeat(MAX_MSP_NAME_CHARS) }), {}).mspName,
    ).toHaveLength(120);
    expect(() =>
      readSettings(ctx({ 'milepost:senderEmail': `${'s'.repeat(64)}@${'m'.repeat(178)}.example.com` }), {}),
    ).toThrow(/milepost:senderEmail/);
    expect(() =>
      readSettings(
        ctx({ 'milepost:deliveryManagerEmail': `${'d'.repeat(64)}@${'m'.repeat(178)}.example.com` }),
        {},
      ),
    ).toThrow(/milepost:deliveryManagerEmail must be an email address/);
    // Cognito: reserved words in a prefix domain.
    for (const prefix of ['my-aws-login', 'amazonians', 'cognito-x'])
      expect(() => readSettings(ctx({ 'milepost:authDomainPrefix': prefix }), {}), prefix).toThrow(
        /must not contain "aws", "amazon" or "cognito"/,
      );
    // IAM: the pipeline roles' descriptions and trust policies carry the repository and branch.
    const pipeline = (repository: string, branch?: string) => () =>
      new PipelineStack(new App(), 'P', { repository, ...(branch ? { branch } : {}) });
    expect(pipeline(`${'o'.repeat(40)}/repo`)).toThrow(/at most 39 characters/);
    expect(pipeline(`owner/${'r'.repeat(101)}`)).toThrow(/a name of at most 100/);
    expect(pipeline('owner/repo', 'b'.repeat(256))).toThrow(/milepost:pipelineBranch .* at most 255/);
    expect(pipeline(`${'o'.repeat(39)}/${'r'.repeat(100)}`, 'b'.repeat(255))).not.toThrow();
  });
});

describe('the extreme spec', () => {
  it('is one `milepost validate` accepts (so the checks above cover what users can deploy)', () => {
    const extreme = variants.find((v) => v.name === 'extreme')!.specs[0]!;
    expect(checkSpec(extreme.spec)).toEqual([]);
    expect(extreme.spec.id).toHaveLength(48);
    expect(extreme.stages[0]!.key).toHaveLength(MAX_STAGE_KEY_CHARS);
    expect(extreme.stages.length).toBe(maxStagesFor(MAX_STAGE_KEY_CHARS));
    expect(storedSpecBytes(extreme.spec)).toBeGreaterThan(MAX_STORED_SPEC_BYTES * 0.95);
    expect(registrationProperties(extreme.spec).spec.length).toBeGreaterThan(200_000);
  });
});

/** A JSON value with every intrinsic resolved, as text (for policy sizes). */
function resolveDeep(value: unknown, stackName: string): string {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const keys = Object.keys(v);
      if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::')))
        return resolve(v, stackName);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return JSON.stringify(walk(value));
}
