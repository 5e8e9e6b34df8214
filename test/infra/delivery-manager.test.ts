/**
 * The delivery manager (a platform setting): read from CDK context and given to every platform
 * function as DELIVERY_MANAGER_EMAIL, which the composition turns into `config.deliveryManagerEmail`.
 */
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { readEnv } from '../../functions/adapters/config.js';
import { makeDeps } from '../../functions/composition.js';
import { readSettings } from '../../infra/build-app.js';
import { buildExampleApp } from './support.js';

const BASE_ENV = {
  TABLE_NAME: 't',
  STATE_MACHINE_ARN_PREFIX: 'arn:aws:states:eu-west-2:1:stateMachine:',
  PUBLIC_BASE_URL: 'https://x.example',
  SENDER_EMAIL: 'a@b.example',
};

describe('delivery manager setting', () => {
  it('reads milepost:deliveryManagerEmail (or deliveryManagerEmail) from context and refuses a non-email', () => {
    const ctx = (context: Record<string, string>) =>
      readSettings(new App({ context: { 'milepost:senderEmail': 'a@b.example', ...context } }));
    expect(ctx({ 'milepost:deliveryManagerEmail': 'dm@msp.example' }).deliveryManagerEmail).toBe(
      'dm@msp.example',
    );
    expect(ctx({ deliveryManagerEmail: 'dm@msp.example' }).deliveryManagerEmail).toBe('dm@msp.example');
    expect(ctx({}).deliveryManagerEmail).toBeUndefined();
    expect(() => ctx({ 'milepost:deliveryManagerEmail': 'not an email' })).toThrow(/deliveryManagerEmail/);
  });

  it('gives every platform function the address, and none when unset', async () => {
    const envOf = (built: Awaited<ReturnType<typeof buildExampleApp>>) =>
      Object.values(built.platformTemplate.findResources('AWS::Lambda::Function'))
        .map((f) => (f.Properties.Environment?.Variables ?? {}) as Record<string, unknown>)
        .filter((v) => 'SENDER_EMAIL' in v);
    const withManager = envOf(await buildExampleApp({ deliveryManagerEmail: 'dm@msp.example' }));
    expect(withManager.length).toBeGreaterThanOrEqual(4);
    for (const v of withManager) expect(v.DELIVERY_MANAGER_EMAIL).toBe('dm@msp.example');
    for (const v of envOf(await buildExampleApp())) expect(v).not.toHaveProperty('DELIVERY_MANAGER_EMAIL');
  });

  it('reaches the use cases through the environment', () => {
    expect(
      makeDeps(readEnv({ ...BASE_ENV, DELIVERY_MANAGER_EMAIL: 'dm@msp.example' })).config
        .deliveryManagerEmail,
    ).toBe('dm@msp.example');
    expect(makeDeps(readEnv(BASE_ENV)).config.deliveryManagerEmail).toBeUndefined();
    expect(() => readEnv({ ...BASE_ENV, DELIVERY_MANAGER_EMAIL: 'nope' })).toThrow(/DELIVERY_MANAGER_EMAIL/);
  });
});
