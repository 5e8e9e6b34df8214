/** The platform stack: data protection, functions with the house defaults, HTTP API, email, alarms, IAM scope. */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../functions/adapters/table-definition.js';
import { gatewayRoutes } from '../../functions/http/routes.js';
import { actionsOf, allowStatements, type Built, buildExampleApp, resourcesOf } from './support.js';

let built: Built;
let t: Template;
beforeAll(async () => {
  built = await buildExampleApp();
  t = built.platformTemplate;
});

describe('the platform table', () => {
  it('has the keys, index and TTL of the table definition', () => {
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: TABLE.projectsIndex.name,
          KeySchema: [
            { AttributeName: TABLE.projectsIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE.projectsIndex.sortKey, KeyType: 'RANGE' },
          ],
        }),
      ],
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
    });
  });

  it('is protected: PITR, deletion protection, encryption, retained', () => {
    t.resourceCountIs('AWS::DynamoDB::Table', 1);
    t.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('the documents bucket', () => {
  it('is versioned, encrypted, private, logged and retained', () => {
    t.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: Match.objectLike({
          ServerSideEncryptionConfiguration: [
            Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }),
          ],
        }),
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
      }),
      DeletionPolicy: 'Retain',
    });
  });

  it('denies every request without TLS, as does the access-log bucket', () => {
    const policies = t.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const policy of Object.values(policies)) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      );
    }
  });
});

describe('the functions', () => {
  it('use the house defaults: arm64, Node 24, X-Ray, JSON logs to their own log group, source maps', () => {
    const functions = Object.values(built.platform.functions);
    for (const f of functions) {
      const id = built.platform.getLogicalId(f.function.node.defaultChild as never);
      const logGroupId = built.platform.getLogicalId(f.logGroup.node.defaultChild as never);
      expect(t.toJSON().Resources[id].Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: logGroupId } },
      });
      // Source maps are not applied at run time (they cost cold-start time; infra/bundle.ts).
      expect(t.toJSON().Resources[id].Properties.Environment.Variables).not.toHaveProperty('NODE_OPTIONS');
      expect(t.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(30);
    }
  });

  it('get the configuration the handlers read (functions/adapters/config.ts)', () => {
    const functions = t.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('^milepost: (?!renders project documents)') },
    });
    // lifecycle, http, approvals, schedule, register, mail feedback (the documents function reads
    // no configuration)
    expect(Object.keys(functions)).toHaveLength(6);
    for (const f of Object.values(functions)) {
      const vars = f.Properties.Environment.Variables;
      for (const name of [
        'TABLE_NAME',
        'STATE_MACHINE_ARN_PREFIX',
        'PUBLIC_BASE_URL',
        'SENDER_EMAIL',
        'MSP_NAME',
        'SES_CONFIGURATION_SET',
      ]) {
        expect(vars, name).toHaveProperty(name);
      }
      expect(vars.SENDER_EMAIL).toBe('projects@msp.example.com');
      expect(vars.MSP_NAME).toBe('Example MSP');
      expect(JSON.stringify(vars.STATE_MACHINE_ARN_PREFIX)).toContain(
        ':states:eu-west-2:123456789012:stateMachine:',
      );
    }
  });

  it('have roles without managed policies and with no wildcard resource except for X-Ray', () => {
    for (const f of Object.values(built.platform.functions)) {
      const roleId = built.platform.getLogicalId(f.role.node.defaultChild as never);
      expect(t.toJSON().Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    }
    for (const statement of allowStatements(t)) {
      if (resourcesOf(statement).includes('*')) {
        expect(actionsOf(statement).every((a) => a.startsWith('xray:'))).toBe(true);
      }
    }
  });

  it('may read and write the table items and the document objects, but never delete documents', () => {
    const tableId = built.platform.getLogicalId(built.platform.table.node.defaultChild as never);
    const statements = allowStatements(t);
    const onTable = statements.filter((s) => JSON.stringify(s.Resource).includes(tableId));
    expect(onTable.length).toBeGreaterThanOrEqual(4);
    const onDocuments = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
    for (const s of onDocuments) {
      expect(
        actionsOf(s).every((a) =>
          ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:ListBucket'].includes(a),
        ),
      ).toBe(true);
    }
  });

  it('may send email only as the sender (any identity of the account: sandbox recipients), with the configuration set', () => {
    const configSetId = built.platform.getLogicalId(
      built.platform.configurationSet.node.defaultChild as never,
    );
    const sends = allowStatements(t).filter((s) => actionsOf(s).includes('ses:SendEmail'));
    // lifecycle, http, schedule, register (a spec change can start an approval round) and
    // approvals (withdrawal notices).
    expect(sends).toHaveLength(5);
    for (const s of sends) {
      expect(actionsOf(s)).toEqual(['ses:SendEmail']);
      const resources = resourcesOf(s).map((r) => JSON.stringify(r));
      expect(resources).toHaveLength(2);
      expect(resources[0]).toMatch(/:ses:eu-west-2:123456789012:identity\/\*"\]\]\}$/);
      expect(resources[1]).toMatch(new RegExp(`:configuration-set/",\\{"Ref":"${configSetId}"\\}`));
      expect((s as { Condition?: unknown }).Condition).toEqual({
        StringEquals: { 'ses:FromAddress': 'projects@msp.example.com' },
      });
    }
  });
});

describe('the HTTP API', () => {
  it('serves the approval pages, OpenAPI and sign-in publicly, the staff API with IAM, the console behind its session check', () => {
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => `${r.Properties.RouteKey} ${r.Properties.AuthorizationType}`,
    );
    expect(routes.sort()).toEqual(
      [
        // Any other path or method under /api still reaches the app (its JSON 404/405), signed.
        'ANY /api/{proxy+} AWS_IAM',
        'GET /api/capacity AWS_IAM',
        'GET /api/openapi.json NONE',
        'GET /api/projects AWS_IAM',
        'GET /api/projects/{id} AWS_IAM',
        'GET /api/projects/{id}/baseline AWS_IAM',
        'GET /api/projects/{id}/change-requests AWS_IAM',
        'GET /api/projects/{id}/documents AWS_IAM',
        'GET /api/projects/{id}/documents/{documentId} AWS_IAM',
        'GET /api/projects/{id}/events AWS_IAM',
        'GET /api/projects/{id}/time-entries AWS_IAM',
        'GET /approve/{linkId} NONE',
        // Mail scanners probe links with HEAD: they get our (side-effect free) page, not a gateway 404.
        'HEAD /approve/{linkId} NONE',
        'POST /api/projects/{id}/change-requests AWS_IAM',
        'POST /api/projects/{id}/deviations/{key}/corrective-action AWS_IAM',
        'POST /api/projects/{id}/stages/{stage}/submit AWS_IAM',
        'POST /api/projects/{id}/expenses AWS_IAM',
        'POST /api/projects/{id}/time-entries AWS_IAM',
        'POST /approve/{linkId} NONE',
        'PUT /api/projects/{id}/deployments/{deploymentId} AWS_IAM',
        'PUT /api/projects/{id}/lessons/{lessonId} AWS_IAM',
        'PUT /api/projects/{id}/resources/{resourceId} AWS_IAM',
        'PUT /api/projects/{id}/risks/{riskId} AWS_IAM',
        'PUT /api/projects/{id}/tasks/{taskId} AWS_IAM',
        'PUT /api/projects/{id}/team/{email} AWS_IAM',
        'PUT /api/projects/{id}/test-cases/{testId} AWS_IAM',
        'PUT /api/projects/{id}/training-sessions/{sessionId} AWS_IAM',
        'DELETE /api/projects/{id}/deployments/{deploymentId} AWS_IAM',
        'DELETE /api/projects/{id}/lessons/{lessonId} AWS_IAM',
        'DELETE /api/projects/{id}/resources/{resourceId} AWS_IAM',
        'DELETE /api/projects/{id}/risks/{riskId} AWS_IAM',
        'DELETE /api/projects/{id}/tasks/{taskId} AWS_IAM',
        'DELETE /api/projects/{id}/team/{email} AWS_IAM',
        'DELETE /api/projects/{id}/test-cases/{testId} AWS_IAM',
        'DELETE /api/projects/{id}/training-sessions/{sessionId} AWS_IAM',
        // The console: no gateway authorizer; the app checks the session cookie first (auth: session).
        'GET / NONE',
        'GET /capacity NONE',
        'GET /projects/{id} NONE',
        'GET /projects/{id}/documents/{documentId} NONE',
        'GET /projects/{id}/lessons/{lessonId} NONE',
        'GET /projects/{id}/resources/{resourceId} NONE',
        'GET /projects/{id}/risks/{riskId} NONE',
        'GET /projects/{id}/tasks/{taskId} NONE',
        'GET /projects/{id}/team/{email} NONE',
        'POST /projects/{id}/change-requests NONE',
        'GET /projects/{id}/test-cases/{testId} NONE',
        'GET /projects/{id}/deployments/{deploymentId} NONE',
        'GET /projects/{id}/training-sessions/{sessionId} NONE',
        'POST /projects/{id}/test-cases NONE',
        'POST /projects/{id}/deployments NONE',
        'POST /projects/{id}/training-sessions NONE',
        'POST /projects/{id}/deviations/{key}/corrective-action NONE',
        'POST /projects/{id}/lessons NONE',
        'POST /projects/{id}/resources NONE',
        'POST /projects/{id}/risks NONE',
        'POST /projects/{id}/stages/{stage}/submit NONE',
        'POST /projects/{id}/tasks NONE',
        'POST /projects/{id}/team NONE',
        'POST /projects/{id}/time-entries NONE',
        'POST /projects/{id}/deployments/{deploymentId}/remove NONE',
        'POST /projects/{id}/lessons/{lessonId}/remove NONE',
        'POST /projects/{id}/resources/{resourceId}/remove NONE',
        'POST /projects/{id}/risks/{riskId}/remove NONE',
        'POST /projects/{id}/tasks/{taskId}/remove NONE',
        'POST /projects/{id}/team/{email}/remove NONE',
        'POST /projects/{id}/test-cases/{testId}/remove NONE',
        'POST /projects/{id}/training-sessions/{sessionId}/remove NONE',
        // Cognito's managed login and sign-out.
        'GET /auth/callback NONE',
        'GET /auth/sign-in NONE',
        'GET /auth/signed-out NONE',
        'POST /auth/sign-out NONE',
      ].sort(),
    );
  });

  it('creates exactly the routes the HTTP application declares for the gateway', () => {
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => `${r.Properties.RouteKey} ${r.Properties.AuthorizationType}`,
    );
    const declared = gatewayRoutes().map(
      (r) => `${r.method} ${r.path} ${r.auth === 'iam' ? 'AWS_IAM' : 'NONE'}`,
    );
    expect(routes.sort()).toEqual(declared.sort());
    // The local outbox and the local sign-in page are not deployed.
    expect(declared.some((r) => r.includes('outbox') || r.includes('/auth/local'))).toBe(false);
    // Every route has an authorizer or checks the session in the app, except the approval pages,
    // the OpenAPI document and the sign-in routes.
    for (const r of gatewayRoutes())
      if (r.auth === 'none') expect(r.path).toMatch(/^\/approve\/|^\/api\/openapi\.json$|^\/auth\//);
  });

  it('throttles and writes access logs that never contain a request path (it carries link ids)', () => {
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('routeKey') },
    });
    const stage = Object.values(t.findResources('AWS::ApiGatewayV2::Stage'))[0]!;
    expect(stage.Properties.AccessLogSettings.Format).not.toMatch(/\$context\.(path|resourcePath)/);
  });
});

describe('email and alarms', () => {
  it('declares the sender identity and a configuration set that requires TLS', () => {
    t.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'projects@msp.example.com' });
    t.hasResourceProperties('AWS::SES::ConfigurationSet', { DeliveryOptions: { TlsPolicy: 'REQUIRE' } });
  });

  it('sends alarms to a KMS-encrypted, TLS-only topic, one per function', () => {
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.filter((a) => a.Properties.MetricName === 'Errors')).toHaveLength(
      Object.keys(built.platform.functions).length,
    );
    for (const a of alarms) expect(a.Properties.AlarmActions).toHaveLength(1);
  });
});
