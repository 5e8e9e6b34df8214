/**
 * The wiring of the functions: a handler's dependencies hold the ports it wires and a loud guard
 * for the others; the local runtime's `makeDeps` wires every port; the Lambda credential stand-in
 * reads the runtime's environment only.
 */
import { describe, expect, it } from 'vitest';
import { readEnv } from '../../functions/adapters/config.js';
import { DynamoProjectStore } from '../../functions/adapters/dynamo-store.js';
import {
  CredentialsMissingError,
  fromLambdaEnvironment,
} from '../../functions/adapters/lambda-credentials.js';
import { assembleDeps, lambdaDeps, PortNotWiredError } from '../../functions/composition/deps.js';
import { dynamoStore } from '../../functions/composition/store.js';
import { makeDeps } from '../../functions/composition.js';

const ENV = {
  TABLE_NAME: 'milepost',
  STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:eu-west-2:123456789012:stateMachine:',
  PUBLIC_BASE_URL: 'https://api.example/',
  SENDER_EMAIL: 'projects@msp.example',
  AWS_REGION: 'eu-west-2',
};

describe('a function that wires some ports', () => {
  it('builds those and refuses any use of the others, naming the port', async () => {
    const deps = assembleDeps(readEnv(ENV), { store: dynamoStore });
    expect(deps.store).toBeInstanceOf(DynamoProjectStore);
    expect(() => deps.documents.put('k', new TextEncoder().encode('b'), 'text/plain')).toThrow(
      PortNotWiredError,
    );
    expect(() => deps.workflow.startExecution('p', 'n', {})).toThrow(
      'this function does not wire the workflow port (startExecution was used)',
    );
    // Awaiting or logging the guard is not a use.
    await expect(Promise.resolve(deps.notifier)).resolves.toBe(deps.notifier);
    expect(JSON.stringify({ n: deps.notifier })).toBe('{"n":{}}');
    expect(deps.config.publicBaseUrl).toBe('https://api.example');
  });

  it('reads the environment at the first event and keeps what it built', () => {
    const saved = process.env;
    process.env = { ...ENV };
    try {
      const deps = lambdaDeps({ store: dynamoStore });
      const first = deps();
      expect(deps()).toBe(first);
      process.env = {};
      // A fresh function reads its (now invalid) environment only when called.
      const broken = lambdaDeps({ store: dynamoStore });
      expect(() => broken()).toThrow(/invalid environment: TABLE_NAME/);
    } finally {
      process.env = saved;
    }
  });

  it('wires every port for the local runtime and the tests', () => {
    const deps = makeDeps(readEnv({ ...ENV, DOCUMENTS_DIR: '/nonexistent' }));
    // A guard would throw on these reads.
    expect(typeof deps.workflow.startExecution).toBe('function');
    expect(typeof deps.notifier.send).toBe('function');
    expect(typeof deps.documents.get).toBe('function');
  });
});

describe('the Lambda credentials', () => {
  it('are the environment variables the runtime sets', async () => {
    const provider = fromLambdaEnvironment({
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_CREDENTIAL_EXPIRATION: '2026-12-01T00:00:00Z',
    });
    await expect(provider()).resolves.toEqual({
      accessKeyId: 'ASIAEXAMPLE',
      secretAccessKey: 'secret',
      sessionToken: 'token',
      expiration: new Date('2026-12-01T00:00:00Z'),
    });
  });

  it('fail clearly when the environment has none', async () => {
    await expect(fromLambdaEnvironment({ AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE' })()).rejects.toBeInstanceOf(
      CredentialsMissingError,
    );
  });
});
