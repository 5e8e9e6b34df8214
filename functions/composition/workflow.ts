/** The workflow port on Step Functions (the functions that answer gate tasks or start executions). */
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Env } from '../adapters/config.js';
import { SfnWorkflow } from '../adapters/sfn-workflow.js';
import type { Workflow } from '../core/ports.js';
import { clientOptions, endpointOf } from './clients.js';

/** The projects' state machines, named from STATE_MACHINE_ARN_PREFIX. */
export function sfnWorkflow(env: Env): Workflow {
  return new SfnWorkflow(
    new SFNClient({ ...clientOptions(env), ...endpointOf(env.SFN_ENDPOINT) }),
    env.STATE_MACHINE_ARN_PREFIX,
  );
}
