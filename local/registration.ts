/**
 * Registers the projects the way a deploy does: the register handler receives the
 * CloudFormation custom resource event of each ProjectStack, with the same properties
 * (`registrationProperties`). As CloudFormation, it sends `Create` for a project that is not
 * registered (the handler registers it and starts its first execution), `Update` when the spec
 * changed since it was registered (the handler stores the new spec; the start it requests is a
 * no-op, that execution exists), and nothing when the spec is unchanged. A registered project
 * whose spec file is gone gets `Delete`, as its deleted stack would: it is archived. A spec the
 * handler refuses (a change the running project cannot follow) stops the start with the spec's
 * file named, as a failed deploy rolls back.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';
import { MilepostError } from '../functions/core/errors.js';
import type { Deps } from '../functions/core/ports.js';
import type { LoadedSpec } from '../functions/core/spec/load.js';
import { type RegistrationProperties, registrationProperties } from '../functions/core/spec/registration.js';
import { handleRegister, type RegisterResponse } from '../functions/handlers/register.js';
import { projectStackName } from '../infra/build-app.js';
import { LocalRuntimeError } from './errors.js';

/** Stands for the register function's provider in events sent locally. */
export const LOCAL_REGISTER_SERVICE_TOKEN = 'arn:aws:lambda:local:000000000000:function:milepost-register';

type Properties = RegistrationProperties & { ServiceToken: string };
type RegisterEvent =
  | CloudFormationCustomResourceCreateEvent<Properties>
  | CloudFormationCustomResourceUpdateEvent<Properties>;

/** The custom resource event CloudFormation sends for `properties` (Update: with the old ones). */
export function registrationEvent(
  properties: RegistrationProperties,
  old?: RegistrationProperties,
): RegisterEvent {
  const common = {
    ServiceToken: LOCAL_REGISTER_SERVICE_TOKEN,
    // Nothing is sent back: the local runtime reads the handler's result.
    ResponseURL: 'http://127.0.0.1/cloudformation-response',
    StackId: `arn:aws:cloudformation:local:000000000000:stack/${projectStackName(properties.projectId)}/local`,
    RequestId: randomUUID(),
    LogicalResourceId: 'Registration',
    ResourceType: 'Custom::MilepostProject',
    ResourceProperties: { ServiceToken: LOCAL_REGISTER_SERVICE_TOKEN, ...properties },
  };
  if (!old) return { ...common, RequestType: 'Create' };
  return {
    ...common,
    RequestType: 'Update',
    PhysicalResourceId: properties.projectId,
    OldResourceProperties: { ServiceToken: LOCAL_REGISTER_SERVICE_TOKEN, ...old },
  };
}

/** The custom resource event CloudFormation sends when the stack of `projectId` is deleted. */
export function deletionEvent(projectId: string): CloudFormationCustomResourceDeleteEvent {
  return {
    RequestType: 'Delete',
    ServiceToken: LOCAL_REGISTER_SERVICE_TOKEN,
    ResponseURL: 'http://127.0.0.1/cloudformation-response',
    StackId: `arn:aws:cloudformation:local:000000000000:stack/${projectStackName(projectId)}/local`,
    RequestId: randomUUID(),
    LogicalResourceId: 'Registration',
    ResourceType: 'Custom::MilepostProject',
    PhysicalResourceId: projectId,
    ResourceProperties: { ServiceToken: LOCAL_REGISTER_SERVICE_TOKEN },
  };
}

/** The same spec, whatever the key order of its JSON text. */
function sameSpec(a: RegistrationProperties, b: RegistrationProperties): boolean {
  return isDeepStrictEqual(JSON.parse(a.spec), JSON.parse(b.spec));
}

/**
 * Registers each project through the register handler, as a deploy of its stack would. Returns
 * the handler's responses (none for a project whose spec did not change).
 */
export async function registerProjects(deps: Deps, projects: LoadedSpec[]): Promise<RegisterResponse[]> {
  const responses: RegisterResponse[] = [];
  for (const p of projects) {
    const properties = registrationProperties(p.spec);
    const existing = await deps.store.getProject(p.spec.id);
    const old = existing ? registrationProperties(existing.spec) : undefined;
    if (old && sameSpec(old, properties) && existing?.status !== 'archived') continue;
    try {
      responses.push(await handleRegister(deps, registrationEvent(properties, old)));
    } catch (err) {
      if (!(err instanceof MilepostError)) throw err;
      throw new LocalRuntimeError(`${p.file}: refused: ${err.message}`, { cause: err });
    }
  }
  // Projects registered before whose spec file is gone: archived, as a deleted stack does.
  const wanted = new Set(projects.map((p) => p.spec.id));
  let cursor: string | undefined;
  const gone: string[] = [];
  do {
    const page = await deps.store.listProjects({ ...(cursor ? { cursor } : {}) });
    for (const project of page.items) {
      if (!wanted.has(project.id) && project.status !== 'archived') gone.push(project.id);
    }
    cursor = page.cursor;
  } while (cursor);
  for (const id of gone) responses.push(await handleRegister(deps, deletionEvent(id)));
  return responses;
}
