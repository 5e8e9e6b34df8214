/**
 * The register Lambda: onEvent handler of the CloudFormation custom resource (CDK Provider
 * framework) that each ProjectStack creates. Create/Update validate the spec from the resource
 * properties (a JSON string: CloudFormation turns numbers inside objects into strings) and
 * register the project, starting its execution; Delete (the project's stack is deleted, so its
 * spec is gone) archives the project: its execution stops, its links turn neutral, every record
 * is kept. A refused spec change (a current or completed stage removed) throws, so the custom
 * resource fails and CloudFormation rolls the deploy back. A spec edit that changes the document
 * an open approval round approves marks that round stale in its own commit; the round is then
 * asked again right away (the document published again, new links), or, if that fails, by the
 * gate's next check (register-project.ts).
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import '../core/zod-english.js';
import { lambdaDeps } from '../composition/deps.js';
import { documentStore } from '../composition/documents.js';
import { emailOnlyNotifier } from '../composition/notifier.js';
import { lambdaRenderer } from '../composition/renderer.js';
import { dynamoStore } from '../composition/store.js';
import { sfnWorkflow } from '../composition/workflow.js';
import { ValidationError } from '../core/errors.js';
import type { Deps } from '../core/ports.js';
import { formatPath } from '../core/spec/field-path.js';
import { checkSpec, type ProjectSpec, projectSpecSchema, resolveStages } from '../core/spec/schema.js';
import { archiveProject } from '../core/use-cases/archive-project.js';
import { registerProject } from '../core/use-cases/register-project.js';

export interface RegisterResponse {
  PhysicalResourceId: string;
  /** Attributes for Fn::GetAtt (strings, as CloudFormation expects). */
  Data?: Record<string, string>;
}

const eventSchema = z.discriminatedUnion('RequestType', [
  z.object({
    RequestType: z.enum(['Create', 'Update']),
    ResourceProperties: z.object({
      spec: z.union([z.string().check(z.minLength(2)), z.record(z.string(), z.unknown())]),
    }),
  }),
  z.object({ RequestType: z.literal('Delete'), PhysicalResourceId: z.string().check(z.minLength(1)) }),
]);

function issues(list: { path: readonly PropertyKey[]; message: string }[], prefix: string) {
  return list.map((i) => ({
    path: [prefix, formatPath(i.path)].filter(Boolean).join('.'),
    message: i.message,
  }));
}

/** Parses and checks the spec property; every problem is a ValidationError issue with its field path. */
export function specFromProperty(value: string | Record<string, unknown>): ProjectSpec {
  let raw: unknown = value;
  if (typeof value === 'string') {
    try {
      raw = JSON.parse(value);
    } catch {
      throw new ValidationError([{ path: 'spec', message: 'is not valid JSON' }]);
    }
  }
  const parsed = projectSpecSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError(issues(parsed.error.issues, 'spec'));
  const problems = checkSpec(parsed.data);
  if (problems.length > 0) throw new ValidationError(issues(problems, 'spec'));
  return parsed.data;
}

/** Handles one custom resource event with `deps`. */
export async function handleRegister(
  deps: Deps,
  event: CloudFormationCustomResourceEvent | unknown,
): Promise<RegisterResponse> {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) throw new ValidationError(issues(parsed.error.issues, ''));
  const e = parsed.data;
  if (e.RequestType === 'Delete') {
    const { archived } = await archiveProject(deps, e.PhysicalResourceId, 'its spec was removed');
    deps.log.info('project registration deleted; project archived, data retained', {
      physicalResourceId: e.PhysicalResourceId,
      archived,
    });
    return { PhysicalResourceId: e.PhysicalResourceId };
  }
  const spec = specFromProperty(e.ResourceProperties.spec);
  const result = await registerProject(
    deps,
    { file: `custom resource ${spec.id}`, spec, stages: resolveStages(spec) },
    { start: true, renewStaleRound: true },
  );
  deps.log.info('project registered', { ...result, requestType: e.RequestType });
  return {
    PhysicalResourceId: result.projectId,
    Data: {
      created: String(result.created),
      updated: String(result.updated),
      started: String(result.started),
    },
  };
}

/**
 * Registration starts and stops executions, writes records and sends the emails a spec change
 * causes (a new approval round when the approvers changed, withdrawals when the criteria stop
 * holding, a round asked again when the edit changed the document it approves). For the last it
 * publishes that document: it may put documents (never read them) and invoke the documents
 * function (infra/platform-stack.ts). Those emails go to a gate's approvers and never to a chat
 * channel (approval requests and withdrawals are not staff notices: notifications/chat.ts), so
 * it wires email only and bundles no webhook poster.
 */
const functionDeps = lambdaDeps({
  store: dynamoStore,
  workflow: sfnWorkflow,
  notifier: emailOnlyNotifier,
  documents: documentStore,
  renderer: lambdaRenderer,
});

/** Lambda entry point. */
export const handler = (event: CloudFormationCustomResourceEvent): Promise<RegisterResponse> =>
  handleRegister(functionDeps(), event);
