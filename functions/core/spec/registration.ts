/**
 * What a project's registration carries: the properties of the custom resource each ProjectStack
 * deploys, which the register handler receives in its CloudFormation event. One serialization,
 * used by the stack (infra/project-stack.ts) and by the local runtime, which sends the register
 * handler the same event CloudFormation would.
 */
import { createHash } from 'node:crypto';
import type { ProjectSpec } from './schema.js';

/** The custom resource properties the register function receives. */
export interface RegistrationProperties {
  projectId: string;
  /** The validated spec as JSON text (CloudFormation would turn numbers inside an object into strings). */
  spec: string;
  /** SHA-256 of `spec`: a changed spec updates the resource, an unchanged one does not. */
  specHash: string;
}

/** The registration properties of a validated spec. */
export function registrationProperties(spec: ProjectSpec): RegistrationProperties {
  const specJson = JSON.stringify(spec);
  return {
    projectId: spec.id,
    spec: specJson,
    specHash: createHash('sha256').update(specJson).digest('hex'),
  };
}
