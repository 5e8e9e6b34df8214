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

const XRAY =
  'X-Ray PutTraceSegments/PutTelemetryRecords and the Step Functions log-delivery actions do not support resource-level permissions, so IAM requires Resource "*" for them.';

/** Findings of the platform stack that are deliberate. */
export function acknowledgePlatformFindings(stack: PlatformStack): void {
  const tableIndexes = `${arnOf(stack.table)}/index/*`;
  const documents = `${arnOf(stack.documentsBucket)}/*`;
  for (const f of Object.values(stack.functions)) {
    acknowledge(f, 'IAM5[Resource::*]', XRAY);
    acknowledge(
      f,
      `IAM5[Resource::${tableIndexes}]`,
      'The indexes of the milepost table only (GSI1 lists the active projects); the table is the only data store of the functions.',
    );
  }
  for (const f of [stack.functions.lifecycle, stack.functions.http, stack.functions.schedule]) {
    acknowledge(
      f,
      `IAM5[Resource::${documents}]`,
      'Objects of the documents bucket only (plan documents, status reports, close-out reports; keys are per project and version). Get/Put only, never delete.',
    );
  }
  for (const route of stack.publicRoutes) {
    acknowledge(
      route,
      'APIG4',
      'Public by design: customer stakeholders approve without an account. The route carries an unguessable single-use link id (>= 128 bits, only its SHA-256 stored), GET has no side effects, POST needs the CSRF nonce of the form; the OpenAPI document is public documentation. The staff API (/api/{proxy+}) uses the IAM authorizer.',
    );
  }
  acknowledge(
    stack.registerProvider,
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'The custom-resource framework function is created and managed by the CDK Provider construct; it only writes its own logs.',
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
  acknowledge(stack.stateMachine, 'IAM5[Resource::*]', XRAY);
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
