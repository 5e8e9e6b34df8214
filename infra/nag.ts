/**
 * cdk-nag AwsSolutions findings acknowledged on purpose, each with its reason. Wildcard findings
 * are acknowledged one by one with their exact resource, so any new wildcard still fails synth.
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { PlatformStack } from './platform-stack.js';
import type { ProjectStack } from './project-stack.js';

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${id}`, reason });
}

/** `<LogicalId.Arn>`: how cdk-nag names the ARN of a resource of the same stack in a finding. */
function arnOf(construct: IConstruct): string {
  const stack = Stack.of(construct);
  return `<${stack.getLogicalId(construct.node.defaultChild as CfnElement)}.Arn>`;
}

/** How cdk-nag writes a (possibly tokenized) string in a finding: `<Ref>`, `<LogicalId.Attr>`, joins concatenated. */
function findingText(scope: IConstruct, value: string): string {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]] };
    if (o.Ref) return `<${o.Ref}>`;
    if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'].join('.')}>`;
    if (o['Fn::Join']) return o['Fn::Join'][1].map(render).join(o['Fn::Join'][0]);
    throw new Error(`cannot render ${JSON.stringify(v)} as cdk-nag does`);
  };
  return render(Stack.of(scope).resolve(value));
}

const FUNCTION_XRAY =
  'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so IAM requires Resource "*"; these two actions are the only ones on "*".';
const STATE_MACHINE_STAR =
  'X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and CloudWatch Logs log delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) support no resource-level permissions, so IAM requires Resource "*" for them.';

/** Findings of the platform stack that are deliberate. */
export function acknowledgePlatformFindings(stack: PlatformStack): void {
  // The table may be created here or imported by name (a restored table): its ARN as the finding writes it.
  const tableIndexes = findingText(stack, `${stack.table.tableArn}/index/*`);
  const documents = `${arnOf(stack.documentsBucket)}/*`;
  for (const f of Object.values(stack.functions)) {
    acknowledge(f, 'IAM5[Resource::*]', FUNCTION_XRAY);
    acknowledge(
      f,
      `IAM5[Resource::${tableIndexes}]`,
      'The indexes of the milepost table only (its one index, GSI1, lists the active projects for the monitoring schedule); read and conditional-write item actions only, no Scan, no DeleteItem.',
    );
  }
  const stateMachines = findingText(stack, stack.projectStateMachines);
  const identities = findingText(stack, stack.sendEmailIdentities);
  for (const f of [stack.functions.lifecycle, stack.functions.http, stack.functions.schedule]) {
    acknowledge(
      f,
      `IAM5[Resource::${documents}]`,
      'Objects of the documents bucket only (plan documents, status reports, close-out reports; keys are per project and version). Get, GetObjectVersion and Put only, never delete.',
    );
  }
  acknowledge(
    stack.functions.register,
    `IAM5[Resource::${documents}]`,
    'Objects of the documents bucket only, PutObject only (no read, list or delete): a deployed spec edit that changes the document an open approval round approves (charter, plan, close-out) publishes its next version, whose key is per project and version.',
  );
  acknowledge(
    stack.functions.approvals,
    `IAM5[Resource::${documents}]`,
    'Objects of the documents bucket only, read only (Get, GetObjectVersion): an approval link downloads the exact version of the document its gate approves (charter, plan, close-out), whose key is per project and version and read from the gate record.',
  );
  // Registration sends the emails of a spec change too (a new approval round, withdrawals); the
  // approval pages send withdrawal notices.
  for (const f of [
    stack.functions.lifecycle,
    stack.functions.http,
    stack.functions.schedule,
    stack.functions.register,
    stack.functions.approvals,
  ]) {
    acknowledge(
      f,
      `IAM5[Resource::${identities}]`,
      'ses:SendEmail only, with the condition ses:FromAddress = the configured sender. SES authorizes a send on every identity of the account it involves: the sender identity and, in the SES sandbox, each verified recipient address, which are not known at deploy time.',
    );
  }
  const webhookSecrets = findingText(stack, stack.projectWebhookSecrets);
  for (const f of [stack.functions.lifecycle, stack.functions.http, stack.functions.schedule]) {
    acknowledge(
      f,
      `IAM5[Resource::${webhookSecrets}]`,
      'secretsmanager:GetSecretValue only, on the secrets under milepost/webhooks/: each holds the Teams or Slack incoming-webhook URL of a project channel (spec notifications.webhook.secretName, validated to that prefix). The projects are added after the platform, so their secret names are not known here; per-project grants would add inline policies to the shared roles.',
    );
  }
  for (const f of [
    stack.functions.lifecycle,
    stack.functions.http,
    stack.functions.schedule,
    stack.functions.register,
    stack.functions.approvals,
  ]) {
    acknowledge(
      f,
      `IAM5[Resource::${stateMachines}]`,
      'The state machines named milepost-<project id> of this account and region: one per project stack, created after the platform. These shared functions serve every project; only task responses (lifecycle, schedule and approvals success and failure, http and register success) and StartExecution (lifecycle, register) are granted. Per-project grants in each project stack would give the same union while adding inline policies to the same roles (10,240-character IAM limit).',
    );
  }
  acknowledge(
    stack.functions.register,
    `IAM5[Resource::${stateMachines.replace(':stateMachine:', ':execution:')}:*]`,
    "The executions of the milepost-<project id> state machines: registration stops a project's running executions when its stack is deleted (archive) or its lifecycle changes. Execution names are generated per generation, so no narrower ARN exists before they start.",
  );
  for (const route of stack.publicRoutes) {
    acknowledge(
      route,
      'APIG4',
      'Public by design: customer stakeholders approve without an account (the approvals function, whose role has no staff permissions). The route carries an unguessable single-use link id (>= 128 bits, only its SHA-256 stored), GET has no side effects, POST needs the CSRF nonce of the form; the OpenAPI document is public documentation; the /auth routes are how staff get a session (managed login with PKCE, state checked; sign-out needs the session’s CSRF token). The staff API (/api/{proxy+}) uses the IAM authorizer.',
    );
  }
  for (const route of stack.sessionRoutes) {
    acknowledge(
      route,
      'APIG4',
      'Console page or form: API Gateway has no authorizer for a session cookie, so the app checks it before anything else on every console route: the Cognito ID token in the HttpOnly, Secure, SameSite cookie is verified with aws-jwt-verify (signature against the pool keys, issuer, client, expiry); without a valid session the request is redirected to sign in and changes nothing; POSTs also need the session’s CSRF token.',
    );
  }
  const pool = stack.staffSignIn.userPool;
  if (stack.staffSignIn.mfa === 'optional') {
    acknowledge(
      pool,
      'COG2',
      'MFA is optional by default so that an MSP can federate with its identity provider (which enforces its own MFA) or roll out TOTP gradually; the context value milepost:mfa=required makes it required, and then this finding does not apply.',
    );
  }
  acknowledge(
    pool,
    'COG8',
    'Threat protection (advanced security, enforced) needs the Cognito Plus feature plan, a per-user monthly cost the MSP decides on; the pool uses the Essentials plan, self sign-up is off (admins invite staff), passwords need 12 characters of four kinds, and MFA can be required by context.',
  );
  acknowledge(
    stack.mailFeedback.deadLetterQueue,
    'SQS3',
    'This queue is itself the dead-letter queue of the SES feedback rule (EventBridge target DeadLetterConfig); it needs no DLQ of its own. Its depth raises an alarm.',
  );
  for (const [name, failed] of Object.entries(stack.failedInvocations)) {
    acknowledge(
      failed.queue,
      'SQS3',
      `This queue is itself the on-failure destination of the ${name} function's asynchronous invocations (Lambda EventInvokeConfig DestinationConfig.OnFailure): it holds Lambda's records of events that failed all retries, with their error; it needs no DLQ of its own. Its depth raises an alarm.`,
    );
  }
  if (stack.digestDeadLetterQueue) {
    acknowledge(
      stack.digestDeadLetterQueue,
      'SQS3',
      'This queue is itself the dead-letter queue of the portfolio digest schedule (EventBridge Scheduler DeadLetterConfig); it needs no DLQ of its own. Its depth raises an alarm.',
    );
    // The scheduler's role is created by the schedule target at stack level.
    acknowledge(
      stack,
      `IAM5[Resource::${arnOf(stack.functions.schedule.function)}:*]`,
      'EventBridge Scheduler invokes the schedule function (any of its versions/aliases) for the portfolio digest, and no other function.',
    );
  }
  acknowledge(
    stack.registerProvider,
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'The CDK Provider construct gives its framework function this managed policy (CloudWatch Logs CreateLogGroup/CreateLogStream/PutLogEvents only); the framework function is not milepost code and only relays the custom-resource events to the register function.',
  );
  acknowledge(
    stack.registerProvider,
    `IAM5[Resource::${arnOf(stack.functions.register.function)}:*]`,
    'The CDK Provider framework may invoke any version/alias of the register function, and nothing else.',
  );
}

/** Findings of a project stack that are deliberate. */
export function acknowledgeProjectFindings(stack: ProjectStack): void {
  const names = stack.platform.exportNames;
  acknowledge(stack.stateMachine, 'IAM5[Resource::*]', STATE_MACHINE_STAR);
  acknowledge(
    stack.stateMachine,
    `IAM5[Resource::${names.lifecycleFunctionArn}:*]`,
    'The state machine invokes the lifecycle function (any of its versions/aliases) and no other function.',
  );
  // The scheduler's role is created by the schedule target at stack level.
  acknowledge(
    stack,
    `IAM5[Resource::${names.scheduleFunctionArn}:*]`,
    'EventBridge Scheduler invokes the schedule function (any of its versions/aliases) and no other function.',
  );
  acknowledge(
    stack.deadLetterQueue,
    'SQS3',
    'This queue is itself the dead-letter queue of the project schedules (EventBridge Scheduler DeadLetterConfig); it needs no DLQ of its own. Its depth raises an alarm.',
  );
}
