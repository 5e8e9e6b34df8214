/**
 * Assembles the core's dependencies from the ports a function wires. Each Lambda handler names
 * the ports its use cases need (`lambdaDeps({ store: dynamoStore, ... })`), so its bundle holds
 * only those SDK clients: esbuild leaves out every builder module, and with it every client, that
 * the handler does not import. The local runtime and the tests wire every port
 * (functions/composition.ts).
 */
import { type Env, readEnv } from '../adapters/config.js';
import { jsonLogger } from '../adapters/json-logger.js';
import { systemClock } from '../adapters/system-clock.js';
import type { Deps } from '../core/ports.js';

/** The ports that talk to AWS, each built from the environment by one builder module. */
export type AwsPort = 'store' | 'workflow' | 'notifier' | 'documents' | 'renderer';
export type PortBuilders = { [K in AwsPort]?: (env: Env) => Deps[K] };

/**
 * A port the function does not wire: any use of it throws, naming the port, instead of reaching
 * AWS without the client or the permission (the handler's list and the function's IAM grants go
 * together; test/infra/bundle-contents.test.ts checks them against each other).
 */
export function notWired<T extends object>(port: AwsPort): T {
  return new Proxy({} as T, {
    get(_target, prop) {
      // Awaiting or inspecting the object is not a use of the port.
      if (typeof prop === 'symbol' || prop === 'then' || prop === 'toJSON') return undefined;
      throw new PortNotWiredError(port, String(prop));
    },
  });
}

/** A use of a port the function does not wire (its name is what the logs show). */
export class PortNotWiredError extends Error {
  constructor(port: AwsPort, member: string) {
    super(`this function does not wire the ${port} port (${member} was used)`);
    this.name = 'PortNotWiredError';
  }
}

/** Builds `builders`' ports from `env`, the rest from the environment-free adapters. `overrides` replace single ports. */
export function assembleDeps(env: Env, builders: PortBuilders, overrides: Partial<Deps> = {}): Deps {
  return {
    store: builders.store ? builders.store(env) : notWired('store'),
    workflow: builders.workflow ? builders.workflow(env) : notWired('workflow'),
    notifier: builders.notifier ? builders.notifier(env) : notWired('notifier'),
    documents: builders.documents ? builders.documents(env) : notWired('documents'),
    renderer: builders.renderer ? builders.renderer(env) : notWired('renderer'),
    clock: systemClock,
    log: jsonLogger({ service: 'milepost' }),
    config: {
      publicBaseUrl: env.PUBLIC_BASE_URL.replace(/\/$/, ''),
      senderEmail: env.SENDER_EMAIL,
      mspName: env.MSP_NAME,
      linkTtlDays: env.LINK_TTL_DAYS,
      ...(env.DELIVERY_MANAGER_EMAIL ? { deliveryManagerEmail: env.DELIVERY_MANAGER_EMAIL } : {}),
      platformTimezone: env.PLATFORM_TIMEZONE,
    },
    ...overrides,
  };
}

/**
 * The dependencies of a Lambda handler: read from the environment and built at the first event
 * (a configuration error fails that event, not the module load), then kept for the warm starts.
 */
export function lambdaDeps(builders: PortBuilders): () => Deps {
  let deps: Deps | undefined;
  return () => {
    deps ??= assembleDeps(readEnv(), builders);
    return deps;
  };
}
