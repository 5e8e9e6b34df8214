/**
 * The shared platform of every project: the table and the documents bucket (stateful, retained),
 * the Lambda functions, the HTTP API (approval pages in the approvals function; staff API and
 * console in the http function), the staff user pool
 * (console sign-in), the SES identity and
 * configuration set, the alarms topic, and the custom-resource provider that registers projects.
 */
import {
  ArnFormat,
  CfnOutput,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { TABLE } from '../functions/adapters/table-definition.js';
import { portfolioDigestSchedule } from '../functions/core/schedules.js';
import { stateMachineName } from '../functions/core/workflow-contract.js';
import { gatewayRoutes, type RouteFunction } from '../functions/http/routes.js';
import { deadLetterAlarm } from './constructs/dead-letter-alarm.js';
import { FailedInvocations } from './constructs/failed-invocations.js';
import { MailFeedback } from './constructs/mail-feedback.js';
import { MilepostFunction } from './constructs/milepost-function.js';
import { OperationsDashboard } from './constructs/operations-dashboard.js';
import { pdfFontHooks } from './constructs/pdf-fonts.js';
import { PublicRouteProtection } from './constructs/public-route-protection.js';
import { StaffSignIn, type StaffSignInProps } from './constructs/staff-sign-in.js';
import { acknowledgePlatformFindings } from './nag.js';

export interface PlatformStackProps extends StackProps {
  /** The address approval requests and status reports are sent from (verified as an SES identity). */
  readonly senderEmail: string;
  /** The MSP's name in emails and pages. */
  readonly mspName: string;
  /** The MSP's delivery manager: budget threshold alerts (`DELIVERY_MANAGER_EMAIL`). @default none */
  readonly deliveryManagerEmail?: string;
  /** @default one month */
  readonly logRetention?: logs.RetentionDays;
  /** Steady-state requests per second the HTTP API accepts. @default 50 */
  readonly apiRateLimit?: number;
  /** Burst of requests the HTTP API accepts. @default 100 */
  readonly apiBurstLimit?: number;
  /** The console's sign-in: managed login domain prefix, MFA, federation (see StaffSignIn). */
  readonly signIn: Omit<StaffSignInProps, 'baseUrl'>;
  /**
   * Use this existing table (by name) instead of creating one: a table restored from a
   * point-in-time backup, or one kept from an earlier install. @default a new table
   */
  readonly existingTableName?: string;
  /**
   * Requests per second (and burst) that the public routes may take together, apart from the
   * staff API; each public route gets an even share as its own throttle. @default 40 / 80
   */
  readonly publicRateLimit?: number;
  readonly publicBurstLimit?: number;
  /** Reserved concurrency of the HTTP function; 0 leaves it unreserved. @default 50 */
  readonly httpReservedConcurrency?: number;
  /**
   * Reserved concurrency of the approvals function (the public approval pages); 0 leaves it
   * unreserved. @default 30
   */
  readonly approvalsReservedConcurrency?: number;
  /** The platform's IANA time zone: the digest runs daily at 07:00 there. @default UTC */
  readonly timeZone?: string;
  /**
   * The platform's Teams or Slack channel for staff alerts (projects without their own channel,
   * and the digest): its incoming-webhook URL is the value of this Secrets Manager secret, read by
   * the functions at run time. @default none
   */
  readonly webhook?: { kind: 'teams' | 'slack'; secretName: string };
}

/** The functions of the platform; each exports `handler` from its entry under functions/handlers/. */
export interface PlatformFunctions {
  /** Every Task state of every project's state machine. */
  readonly lifecycle: MilepostFunction;
  /** API Gateway HTTP API: the staff API, the console, sign-in and the OpenAPI document. */
  readonly http: MilepostFunction;
  /**
   * API Gateway HTTP API: the public approval pages (`/approve/{linkId}`), alone, with a role that
   * has only what they need (the table, task responses, email, reading documents).
   */
  readonly approvals: MilepostFunction;
  /** EventBridge Scheduler target: monitoring checks and status reports. */
  readonly schedule: MilepostFunction;
  /** CloudFormation custom resource: registers a project and starts its execution. */
  readonly register: MilepostFunction;
  /** EventBridge target: SES bounces and complaints, recorded against the person. */
  readonly mailFeedback: MilepostFunction;
  /**
   * Renders document models to PDF (pdfkit); invoked by lifecycle, schedule and http. It has no
   * table, bucket or network access of its own: model in, base64 PDF out.
   */
  readonly documents: MilepostFunction;
}

export class PlatformStack extends Stack {
  /** The table: created here, or the existing one named by `existingTableName`. */
  public readonly table: dynamodb.ITable;
  public readonly documentsBucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;
  public readonly functions: PlatformFunctions;
  public readonly httpApi: apigwv2.HttpApi;
  /** Base URL of the approval links (the HTTP API's default endpoint). */
  public readonly publicBaseUrl: string;
  public readonly emailIdentity: ses.EmailIdentity;
  public readonly configurationSet: ses.ConfigurationSet;
  public readonly alarmTopic: sns.Topic;
  /** Service token of the provider whose onEvent is the register function. */
  public readonly registerServiceToken: string;
  public readonly registerProvider: cr.Provider;
  /** Routes without an authorizer (approval pages, OpenAPI document, sign-in), as the HTTP application declares them. */
  public readonly publicRoutes: apigwv2.HttpRoute[];
  /** The console's routes: no API Gateway authorizer; the app checks the session cookie. */
  public readonly sessionRoutes: apigwv2.HttpRoute[];
  /** The console's user pool, managed login and app client. */
  public readonly staffSignIn: StaffSignIn;
  /** ARN pattern of every project state machine (`milepost-*`, functions/core/workflow-contract.ts). */
  public readonly projectStateMachines: string;
  /** ARN pattern of the SES identities of this account and region (sender, and sandbox recipients). */
  public readonly sendEmailIdentities: string;
  /** Throttles of the public routes and the reserved concurrency of the approvals and HTTP functions. */
  public readonly publicRouteProtection: PublicRouteProtection;
  /** SES bounces and complaints to the mail feedback function; email metrics. */
  public readonly mailFeedback: MailFeedback;
  /** The CloudWatch dashboard and the SES reputation alarms. */
  public readonly operations: OperationsDashboard;
  /** The daily portfolio digest (when there is a delivery manager or a platform chat channel). */
  public readonly digestSchedule?: scheduler.Schedule;
  /** ARN pattern of the secrets of projects' chat channels (`milepost/webhooks/*`). */
  public readonly projectWebhookSecrets: string;
  /** Where digest runs that failed are kept. */
  public readonly digestDeadLetterQueue?: sqs.Queue;
  /**
   * Asynchronous invocations that failed all of Lambda's retries, kept with their error: the
   * schedule function's runs (monitoring checks, status reports, the digest) and the mail
   * feedback function's SES events.
   */
  public readonly failedInvocations: { schedule: FailedInvocations; mailFeedback: FailedInvocations };

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    // --- Stateful: retained, protected ----------------------------------------------------------
    this.table = props.existingTableName
      ? dynamodb.Table.fromTableName(this, 'Table', props.existingTableName)
      : this.createTable();

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.documentsBucket = new s3.Bucket(this, 'Documents', {
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'documents/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // --- Email ------------------------------------------------------------------------------------
    this.configurationSet = new ses.ConfigurationSet(this, 'Mail', {
      reputationMetrics: true,
      sendingEnabled: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    this.emailIdentity = new ses.EmailIdentity(this, 'Sender', {
      identity: ses.Identity.email(props.senderEmail),
      configurationSet: this.configurationSet,
    });
    // SES authorizes SendEmail on every identity of the account the message involves: the sender,
    // and in the SES sandbox also each (verified) recipient. So the identity resource is any identity
    // of this account and region, and the condition pins the From address to the sender.
    this.sendEmailIdentities = this.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' });
    const sendEmail = new iam.PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [
        this.sendEmailIdentities,
        this.formatArn({
          service: 'ses',
          resource: 'configuration-set',
          resourceName: this.configurationSet.configurationSetName,
        }),
      ],
      conditions: { StringEquals: { 'ses:FromAddress': props.senderEmail } },
    });

    // --- HTTP API (routes are added once the http function exists) --------------------------------
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'milepost: approval pages, staff API and console',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'HttpApiAccessLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new apigwv2.HttpStage(this, 'HttpApiStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.apiRateLimit ?? 50, burstLimit: props.apiBurstLimit ?? 100 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // routeKey (the route template), never the path: an approval path carries the link id.
        format: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    this.publicBaseUrl = this.httpApi.apiEndpoint;

    // --- Staff sign-in (the console): callback and sign-out URLs from the API's URL ---------------
    this.staffSignIn = new StaffSignIn(this, 'StaffSignIn', { ...props.signIn, baseUrl: this.publicBaseUrl });

    // --- Functions --------------------------------------------------------------------------------
    const environment = {
      STATE_MACHINE_ARN_PREFIX: `arn:${this.partition}:states:${this.region}:${this.account}:stateMachine:`,
      PUBLIC_BASE_URL: this.publicBaseUrl,
      SENDER_EMAIL: props.senderEmail,
      MSP_NAME: props.mspName,
      ...(props.deliveryManagerEmail ? { DELIVERY_MANAGER_EMAIL: props.deliveryManagerEmail } : {}),
      SES_CONFIGURATION_SET: this.configurationSet.configurationSetName,
      PLATFORM_TIMEZONE: props.timeZone ?? 'UTC',
      // The channel's URL stays in Secrets Manager: the functions read it (never the template or env).
      ...(props.webhook
        ? { WEBHOOK_KIND: props.webhook.kind, WEBHOOK_SECRET: props.webhook.secretName }
        : {}),
    };
    const fn = (id: string, entry: string, description: string, timeout?: Duration) =>
      new MilepostFunction(this, id, {
        entry,
        description,
        environment,
        logRetention,
        ...(timeout ? { timeout } : {}),
      }).useTable(this.table);
    this.functions = {
      lifecycle: fn(
        'Lifecycle',
        'functions/handlers/lifecycle.ts',
        'milepost: lifecycle tasks of the projects',
      ),
      // Staff remove project records (a conditional Delete): this function only.
      http: fn('Http', 'functions/handlers/http.ts', 'milepost: staff API and console').useRecordRemoval(
        this.table,
      ),
      // The approval pages, apart from the staff: a small bundle and a role of its own (below).
      approvals: new MilepostFunction(this, 'Approvals', {
        entry: 'functions/handlers/approvals.ts',
        description: 'milepost: public approval pages',
        environment: {
          STATE_MACHINE_ARN_PREFIX: environment.STATE_MACHINE_ARN_PREFIX,
          PUBLIC_BASE_URL: environment.PUBLIC_BASE_URL,
          SENDER_EMAIL: environment.SENDER_EMAIL,
          MSP_NAME: environment.MSP_NAME,
          SES_CONFIGURATION_SET: environment.SES_CONFIGURATION_SET,
          PLATFORM_TIMEZONE: environment.PLATFORM_TIMEZONE,
          ...(props.deliveryManagerEmail ? { DELIVERY_MANAGER_EMAIL: props.deliveryManagerEmail } : {}),
          // No chat channel (WEBHOOK_*): the pages' only notices are emails to the approvers.
        },
        logRetention,
      })
        .useTable(this.table)
        .useBucket(this.documentsBucket),
      schedule: fn(
        'Schedule',
        'functions/handlers/schedule.ts',
        'milepost: monitoring checks and status reports',
        Duration.minutes(2),
      ),
      register: fn(
        'Register',
        'functions/handlers/register.ts',
        'milepost: registers a project on deploy and starts its workflow',
        Duration.minutes(2),
      ),
      mailFeedback: fn(
        'MailFeedback',
        'functions/handlers/mail-feedback.ts',
        'milepost: records SES bounces and complaints against the person',
      ),
      // pdfkit and its standard-font data live in this bundle only (about 175 KB: see infra/bundle.ts); no table, no bucket.
      documents: new MilepostFunction(this, 'DocumentRenderer', {
        entry: 'functions/handlers/documents.ts',
        description: 'milepost: renders project documents (charter, plan, status, close-out) to PDF',
        logRetention,
        memorySize: 1024,
        commandHooks: pdfFontHooks(),
      }),
    };
    // The console's sign-in: only the HTTP function verifies tokens (it needs no IAM permission for
    // that: the pool's public keys are public).
    this.functions.http.function.addEnvironment('COGNITO_USER_POOL_ID', this.staffSignIn.userPool.userPoolId);
    this.functions.http.function.addEnvironment(
      'COGNITO_CLIENT_ID',
      this.staffSignIn.client.userPoolClientId,
    );
    this.functions.http.function.addEnvironment('COGNITO_DOMAIN', this.staffSignIn.loginUrl);
    // Registration writes records and sends the emails of a spec change (a new approval round,
    // withdrawals); the others also keep documents.
    for (const f of [this.functions.lifecycle, this.functions.http, this.functions.schedule]) {
      f.useBucket(this.documentsBucket);
      f.function.addToRolePolicy(sendEmail);
    }
    this.functions.register.function.addToRolePolicy(sendEmail);
    // A spec edit that changes the document an open approval round approves publishes that
    // document again before the round is asked again: registration puts it (never reads it).
    this.functions.register.writeBucket(this.documentsBucket);
    // The approval pages email the approvers of a round their requests were withdrawn (a decision
    // found the stage's criteria no longer held), read documents (the PDF a gate approves), and,
    // when a sponsor approves a change request while a gate waits on its approvers, publish that
    // gate's document on the new baseline and email the approvers again (renew-gate-approvals.ts).
    // They post to no chat channel (no secret).
    this.functions.approvals.function.addToRolePolicy(sendEmail);

    // The functions that notify read the platform channel's secret, and nothing else of Secrets Manager.
    if (props.webhook) {
      const secret = secretsmanager.Secret.fromSecretNameV2(this, 'WebhookSecret', props.webhook.secretName);
      for (const f of [this.functions.lifecycle, this.functions.http, this.functions.schedule]) {
        secret.grantRead(f.function);
      }
    }

    // Projects' own channels may keep their URL in a secret under milepost/webhooks/ (spec
    // notifications.webhook.secretName): the notifying functions read those secrets only.
    this.projectWebhookSecrets = this.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: 'milepost/webhooks/*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    for (const f of [this.functions.lifecycle, this.functions.http, this.functions.schedule]) {
      f.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: [this.projectWebhookSecrets],
        }),
      );
    }

    // --- The daily portfolio digest, in the platform's time zone ------------------------------------
    if (props.deliveryManagerEmail || props.webhook) {
      const digest = portfolioDigestSchedule(props.timeZone ?? 'UTC');
      this.digestDeadLetterQueue = new sqs.Queue(this, 'DigestDeadLetters', {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      this.digestSchedule = new scheduler.Schedule(this, 'PortfolioDigest', {
        description: `milepost: ${digest.description}`,
        schedule: scheduler.ScheduleExpression.expression(digest.expression, TimeZone.of(digest.timeZone)),
        target: new targets.LambdaInvoke(this.functions.schedule.function, {
          input: scheduler.ScheduleTargetInput.fromObject({ kind: digest.kind }),
          deadLetterQueue: this.digestDeadLetterQueue,
          retryAttempts: 3,
          maxEventAge: Duration.hours(2),
        }),
      });
    }

    // Documents are produced when gates open (lifecycle), with status reports (schedule), when
    // staff changes or submits bring the risk plan or the close-out up to date (http), when a
    // change request approved through its emailed link re-baselines a waiting gate (approvals)
    // and when a deployed spec edit changes the document a waiting gate approves (register):
    // those five may invoke the documents function, and only that one.
    for (const f of [
      this.functions.lifecycle,
      this.functions.http,
      this.functions.schedule,
      this.functions.approvals,
      this.functions.register,
    ]) {
      f.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [this.functions.documents.function.functionArn],
        }),
      );
      f.function.addEnvironment('DOCUMENTS_FUNCTION_NAME', this.functions.documents.function.functionName);
    }

    // --- Step Functions: every project's state machine, by its name prefix ------------------------
    // The functions are shared by all projects, so per-project grants would give the same union of
    // permissions, while each project stack would add inline policies to the same roles (IAM caps a
    // role's inline policies at 10,240 characters in total: about 25 projects) and race IAM
    // propagation when a new project's registration starts its execution.
    this.projectStateMachines = `${environment.STATE_MACHINE_ARN_PREFIX}${stateMachineName('*')}`;
    // Gates pass or fail when they open (lifecycle) or are checked (schedule) and by an approver's
    // decision (approvals); a staff submit only passes one (http), and so does registration: a
    // deploy or an archive that frees a person lets another project's resourcing gate pass
    // (recheck-capacity-gates.ts).
    const taskResponse = new iam.PolicyStatement({
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
      resources: [this.projectStateMachines],
    });
    const taskSuccess = new iam.PolicyStatement({
      actions: ['states:SendTaskSuccess'],
      resources: [this.projectStateMachines],
    });
    // Registration starts the first execution; the lifecycle continues as new.
    const startExecution = new iam.PolicyStatement({
      actions: ['states:StartExecution'],
      resources: [this.projectStateMachines],
    });
    for (const f of [this.functions.lifecycle, this.functions.schedule, this.functions.approvals]) {
      f.function.addToRolePolicy(taskResponse);
    }
    for (const f of [this.functions.http, this.functions.register]) f.function.addToRolePolicy(taskSuccess);
    for (const f of [this.functions.lifecycle, this.functions.register]) {
      f.function.addToRolePolicy(startExecution);
    }
    // Registration stops a project's executions: archive (stack deleted), a changed lifecycle.
    this.functions.register.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['states:ListExecutions'], resources: [this.projectStateMachines] }),
    );
    this.functions.register.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:StopExecution'],
        resources: [this.projectStateMachines.replace(':stateMachine:', ':execution:').concat(':*')],
      }),
    );

    // Every route, its authorizer and its function come from the HTTP application's route
    // declarations (routes.ts `fn`): the approval pages to the approvals function, the rest to http.
    // Each invoke permission is a statement of the function's resource policy, which Lambda caps at
    // 20 KB (about 400 bytes a statement): one per route would not fit the http function's 68
    // routes. Its permission names the API (any stage, method and path of it); API Gateway invokes
    // a function only for a route whose integration names it, and every route but the approval
    // pages names http. The approvals function keeps one permission per route (its three).
    const integrations: Record<RouteFunction, HttpLambdaIntegration> = {
      http: new HttpLambdaIntegration('HttpIntegration', this.functions.http.function, {
        scopePermissionToRoute: false,
      }),
      approvals: new HttpLambdaIntegration('ApprovalsIntegration', this.functions.approvals.function),
    };
    const iamAuthorizer = new HttpIamAuthorizer();
    this.publicRoutes = [];
    this.sessionRoutes = [];
    for (const route of gatewayRoutes()) {
      const added = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: integrations[route.fn],
        ...(route.auth === 'iam' ? { authorizer: iamAuthorizer } : {}),
      });
      if (route.auth === 'none') this.publicRoutes.push(...added);
      if (route.auth === 'session') this.sessionRoutes.push(...added);
    }
    this.publicRouteProtection = new PublicRouteProtection(this, 'PublicRouteProtection', {
      stage,
      publicRoutes: this.publicRoutes,
      functions: [
        {
          function: this.functions.approvals.function,
          reservedConcurrency: props.approvalsReservedConcurrency ?? 30,
        },
        { function: this.functions.http.function, reservedConcurrency: props.httpReservedConcurrency ?? 50 },
      ],
      ...(props.publicRateLimit !== undefined ? { totalRateLimit: props.publicRateLimit } : {}),
      ...(props.publicBurstLimit !== undefined ? { totalBurstLimit: props.publicBurstLimit } : {}),
    });

    // --- Project registration (one provider for every ProjectStack) --------------------------------
    this.registerProvider = new cr.Provider(this, 'RegisterProvider', {
      onEventHandler: this.functions.register.function,
      logGroup: new logs.LogGroup(this, 'RegisterProviderLogs', {
        retention: logRetention,
        removalPolicy: RemovalPolicy.RETAIN,
      }),
    });
    this.registerServiceToken = this.registerProvider.serviceToken;

    // --- Alarms -----------------------------------------------------------------------------------
    const alarmKey = new kms.Key(this, 'AlarmsKey', {
      description: 'milepost: encrypts the alarms topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch publishes alarm notifications to the encrypted topic.
    alarmKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.alarmTopic = new sns.Topic(this, 'Alarms', {
      displayName: 'milepost alarms',
      enforceSSL: true,
      masterKey: alarmKey,
    });
    // --- Asynchronous invocations that fail for good: kept with their error ----------------------
    // The scheduler and the SES feedback rule invoke their functions asynchronously; their own
    // dead-letter queues only see events they could not hand to Lambda. What fails in the handler
    // is retried by Lambda and then lands here (see infra/constructs/failed-invocations.ts).
    const alarmAction = new cwActions.SnsAction(this.alarmTopic);
    this.failedInvocations = {
      // Two retries (Lambda's most; about 1 and 2 minutes apart): each job is safe to run again.
      // A monitoring check records a deviation or a RAG change once (it compares with what the
      // project already holds) and alerts after that write. A status report claims its day with a
      // conditional write of its `status-<date>` document before any email, so a retry of a run
      // that got that far answers `already_sent` (its emails are never sent twice); a run that
      // failed before it sent nothing. The digest claims its day too (send-portfolio-digest.ts).
      // One hour, not Lambda's six: the report and the digest are dated by the day they run, so
      // an event held back by throttling is kept for an operator rather than run hours late
      // (and perhaps on the next day); the scheduler's own window (2 hours) covers delivery.
      schedule: new FailedInvocations(this, 'ScheduleFailedRuns', {
        function: this.functions.schedule.function,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
        alarmDescription:
          'milepost: a scheduled run (monitoring check, status report or portfolio digest) failed after Lambda\'s retries; the event and its error wait in the queue of the platform output ScheduleFailedRunsQueueUrl. See the README, "Dashboard and alarms", "A scheduled run or an SES event failed": read it, fix the cause, run it again.',
        alarmAction,
      }),
      // Recording a bounce or complaint is idempotent per SES message id and not urgent: two
      // retries over Lambda's longest window.
      mailFeedback: new FailedInvocations(this, 'MailFeedbackFailures', {
        function: this.functions.mailFeedback.function,
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
        alarmDescription:
          'milepost: an SES bounce or complaint could not be recorded after Lambda\'s retries; the event and its error wait in the queue of the platform output MailFeedbackFailuresQueueUrl. See the README, "Dashboard and alarms", "A scheduled run or an SES event failed".',
        alarmAction,
      }),
    };
    const failureQueueOutput: Partial<Record<string, string>> = {
      schedule: 'ScheduleFailedRunsQueueUrl',
      mailFeedback: 'MailFeedbackFailuresQueueUrl',
    };

    for (const [name, f] of Object.entries(this.functions) as [string, MilepostFunction][]) {
      const kept = failureQueueOutput[name];
      new cloudwatch.Alarm(this, `${name}Errors`, {
        alarmDescription: kept
          ? `milepost: the ${name} function reported errors. Lambda retries a failed asynchronous invocation twice; one that still fails is kept with its error in the queue of the platform output ${kept} (its own alarm fires too): see the README, "Dashboard and alarms", "A scheduled run or an SES event failed".`
          : `milepost: the ${name} function reported errors`,
        metric: f.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
    }

    // A digest the scheduler could not deliver to its function (after its retries) waits in this
    // dead-letter queue: the delivery manager got no digest that day, and nobody would know without
    // this alarm. (A digest that reached the function but could not be sent fails the invocation:
    // Lambda retries it, then keeps it in the schedule function's failed-runs queue, above.)
    if (this.digestDeadLetterQueue) {
      deadLetterAlarm(
        this,
        'DigestDeadLettersDepth',
        this.digestDeadLetterQueue,
        'milepost: the scheduler could not invoke the schedule function for the daily portfolio digest (after its retries); it waits in its dead-letter queue',
        new cwActions.SnsAction(this.alarmTopic),
      );
    }

    // --- Operations: SES feedback, dashboard, reputation alarms -------------------------------------
    this.mailFeedback = new MailFeedback(this, 'MailFeedbackEvents', {
      configurationSet: this.configurationSet,
      feedbackFunction: this.functions.mailFeedback.function,
    });
    this.operations = new OperationsDashboard(this, 'Operations', {
      functions: Object.fromEntries(Object.entries(this.functions).map(([k, f]) => [k, f.function])),
      approvalsLogGroup: this.functions.approvals.logGroup,
      lifecycleLogGroup: this.functions.lifecycle.logGroup,
      mail: this.mailFeedback,
      httpApiId: this.httpApi.apiId,
      alarmTopic: this.alarmTopic,
      dashboardName: this.stackName,
      ...(this.digestDeadLetterQueue ? { deadLetterQueues: [this.digestDeadLetterQueue] } : {}),
      failedInvocations: {
        'scheduled runs failed': this.failedInvocations.schedule.queue,
        'SES feedback failed': this.failedInvocations.mailFeedback.queue,
      },
    });

    // --- What project stacks import (explicit exports: readable names, no automatic references) --
    const names = platformExportNames(this.stackName);
    const output = (id: string, value: string, exportName: string) =>
      new CfnOutput(this, id, { value, exportName });
    output('LifecycleFunctionArn', this.functions.lifecycle.function.functionArn, names.lifecycleFunctionArn);
    output('ScheduleFunctionArn', this.functions.schedule.function.functionArn, names.scheduleFunctionArn);
    output('LifecycleRoleArn', this.functions.lifecycle.role.roleArn, names.lifecycleRoleArn);
    output('HttpRoleArn', this.functions.http.role.roleArn, names.httpRoleArn);
    output('ScheduleRoleArn', this.functions.schedule.role.roleArn, names.scheduleRoleArn);
    output('RegisterRoleArn', this.functions.register.role.roleArn, names.registerRoleArn);
    output('AlarmTopicArn', this.alarmTopic.topicArn, names.alarmTopicArn);
    output('RegisterServiceToken', this.registerServiceToken, names.registerServiceToken);
    new CfnOutput(this, 'ScheduleFailedRunsQueueUrl', {
      value: this.failedInvocations.schedule.queue.queueUrl,
      description: 'Scheduled runs that failed all retries, with their error (aws sqs receive-message)',
    });
    new CfnOutput(this, 'MailFeedbackFailuresQueueUrl', {
      value: this.failedInvocations.mailFeedback.queue.queueUrl,
      description: 'SES bounce and complaint events that could not be recorded, with their error',
    });
    new CfnOutput(this, 'ApiUrl', {
      value: this.publicBaseUrl,
      description: 'Base URL of the approval pages, the staff API and the console',
    });
    new CfnOutput(this, 'ConsoleUrl', {
      value: `${this.publicBaseUrl}/`,
      description: 'The staff console (sign in with the user pool)',
    });
    new CfnOutput(this, 'UserPoolId', {
      value: this.staffSignIn.userPool.userPoolId,
      description: 'The staff user pool (create the first admin with it: see the README)',
    });
    new CfnOutput(this, 'UserPoolClientId', { value: this.staffSignIn.client.userPoolClientId });
    new CfnOutput(this, 'LoginUrl', { value: this.staffSignIn.loginUrl, description: 'Managed login' });

    acknowledgePlatformFindings(this);
  }

  /** The table of every project's records: on demand, PITR, deletion protection, retained. */
  private createTable(): dynamodb.Table {
    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    table.addGlobalSecondaryIndex({
      indexName: TABLE.projectsIndex.name,
      partitionKey: { name: TABLE.projectsIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE.projectsIndex.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    return table;
  }
}

/** Names of the platform's exports (prefixed with its stack name: unique per account and region). */
export function platformExportNames(platformStackName: string) {
  const name = (n: string) => `${platformStackName}-${n}`;
  return {
    lifecycleFunctionArn: name('LifecycleFunctionArn'),
    scheduleFunctionArn: name('ScheduleFunctionArn'),
    lifecycleRoleArn: name('LifecycleRoleArn'),
    httpRoleArn: name('HttpRoleArn'),
    scheduleRoleArn: name('ScheduleRoleArn'),
    registerRoleArn: name('RegisterRoleArn'),
    alarmTopicArn: name('AlarmTopicArn'),
    registerServiceToken: name('RegisterServiceToken'),
  };
}

/** The platform as a project stack sees it: imported by export name. */
export interface ImportedPlatform {
  readonly exportNames: ReturnType<typeof platformExportNames>;
  readonly lifecycleFunction: lambda.IFunction;
  readonly scheduleFunction: lambda.IFunction;
  /** Mutable imports: grants on them create policies in the importing stack. */
  readonly roles: { lifecycle: iam.IRole; http: iam.IRole; schedule: iam.IRole; register: iam.IRole };
  readonly alarmTopic: sns.ITopic;
  readonly registerServiceToken: string;
}

/** Imports the platform's resources into `scope` (a project stack) from the platform's exports. */
export function importPlatform(scope: Construct, platformStackName: string): ImportedPlatform {
  const names = platformExportNames(platformStackName);
  const fn = (id: string, exportName: string) =>
    lambda.Function.fromFunctionAttributes(scope, id, {
      functionArn: Fn.importValue(exportName),
      sameEnvironment: true,
    });
  const role = (id: string, exportName: string) =>
    iam.Role.fromRoleArn(scope, id, Fn.importValue(exportName), { mutable: true });
  return {
    exportNames: names,
    lifecycleFunction: fn('LifecycleFunction', names.lifecycleFunctionArn),
    scheduleFunction: fn('ScheduleFunction', names.scheduleFunctionArn),
    roles: {
      lifecycle: role('LifecycleRole', names.lifecycleRoleArn),
      http: role('HttpRole', names.httpRoleArn),
      schedule: role('ScheduleRole', names.scheduleRoleArn),
      register: role('RegisterRole', names.registerRoleArn),
    },
    alarmTopic: sns.Topic.fromTopicArn(scope, 'AlarmTopic', Fn.importValue(names.alarmTopicArn)),
    registerServiceToken: Fn.importValue(names.registerServiceToken),
  };
}
