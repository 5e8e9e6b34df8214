/**
 * A bundle entry for test/infra/bundle-contents.test.ts: the SESv2, Step Functions and DynamoDB
 * clients built as functions/composition/ builds them in AWS (clientOptions: the region, five
 * attempts, no credentials, so the bundle's chain reads the environment's), each sending one call
 * to a local endpoint. The test runs it bundled and unbundled and compares what reached the
 * endpoint and what came back; `reach` calls what the bundle's SDK stand-ins replace.
 */
import { DynamoDBClient, DynamoDBServiceException, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SESv2ServiceException, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendTaskSuccessCommand, SFNClient, SFNServiceException } from '@aws-sdk/client-sfn';
import { sdkStreamMixin } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Env } from '../../functions/adapters/config.js';
import { secretValue } from '../../functions/adapters/secret-value.js';
import { clientOptions } from '../../functions/composition/clients.js';

/** The calls the probe makes. */
export type ProbeCall = 'sendEmail' | 'sendTaskSuccess' | 'getItem';

/** An answer or an error, as plain data (an error with its name, class and every own field). */
export type ProbeResult =
  | { ok: true; output: Record<string, unknown> }
  | { ok: false; name: string; message: string; modeled: boolean; fields: Record<string, unknown> };

/** Credentials for the unbundled run (bundled, the environment's are found by the chain). */
type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

function options(endpoint: string, credentials?: Credentials) {
  // As in AWS: no DYNAMODB_ENDPOINT, so no local credentials.
  const env = { AWS_REGION: process.env['AWS_REGION'] || 'eu-west-2' } as Env;
  return { ...clientOptions(env), endpoint, ...(credentials ? { credentials } : {}) };
}

/** Sends `call` to `endpoint`; its output (without the request metadata) or its error. */
export async function handler(
  call: ProbeCall,
  endpoint: string,
  credentials?: Credentials,
): Promise<ProbeResult> {
  try {
    const { $metadata: _, ...output } = await send(call, endpoint, credentials);
    return { ok: true, output: JSON.parse(JSON.stringify(output)) as Record<string, unknown> };
  } catch (e) {
    const err = e as Error;
    return {
      ok: false,
      name: err.name,
      message: err.message,
      // A service's error comes back as one of its client's classes (the error registry found it).
      modeled:
        err instanceof SESv2ServiceException ||
        err instanceof SFNServiceException ||
        err instanceof DynamoDBServiceException,
      fields: JSON.parse(JSON.stringify({ ...err })) as Record<string, unknown>,
    };
  }
}

async function send(
  call: ProbeCall,
  endpoint: string,
  credentials?: Credentials,
): Promise<{ $metadata: unknown }> {
  switch (call) {
    case 'sendEmail':
      return new SESv2Client(options(endpoint, credentials)).send(
        new SendEmailCommand({
          FromEmailAddress: 'projects@msp.example.com',
          Destination: { ToAddresses: ['sponsor@acme.example'] },
          Content: {
            Simple: {
              Subject: { Data: 'Gate approval: Execution', Charset: 'UTF-8' },
              Body: {
                Text: { Data: 'Approve: https://example.com/a/1 \u2014 caf\u00e9', Charset: 'UTF-8' },
                Html: { Data: '<p>Approve</p>', Charset: 'UTF-8' },
              },
            },
          },
          ConfigurationSetName: 'milepost',
          EmailTags: [{ Name: 'project', Value: 'p-1' }],
        }),
      );
    case 'sendTaskSuccess':
      return new SFNClient(options(endpoint, credentials)).send(
        new SendTaskSuccessCommand({
          taskToken: 'AAAA+token/==',
          output: JSON.stringify({ approved: true }),
        }),
      );
    case 'getItem':
      return new DynamoDBClient(options(endpoint, credentials)).send(
        new GetItemCommand({
          TableName: 'milepost',
          Key: { PK: { S: 'PROJECT#p-1' }, SK: { S: 'PROJECT' } },
        }),
      );
  }
}

/**
 * Reads one secret as the notifier reads a chat webhook's URL (functions/adapters/secret-value.ts:
 * a signed GetSecretValue), at `endpoint`; the value or the error's message.
 */
export async function readSecret(endpoint: string, credentials?: Credentials): Promise<string> {
  const read = secretValue('milepost/platform-webhook', process.env['AWS_REGION'] || 'eu-west-2', {
    endpoint,
    ...(credentials ? { credentials } : {}),
  });
  try {
    return await read();
  } catch (e) {
    return (e as Error).message;
  }
}

/** The message each reachable SDK stand-in of the bundle answers with (or what the real module did). */
export async function reach(endpoint: string): Promise<Record<string, string>> {
  const messageOf = async (f: () => unknown): Promise<string> => {
    try {
      await f();
      return 'no error';
    } catch (e) {
      return (e as Error).message;
    }
  };
  const dynamodb = new DynamoDBClient(options(endpoint));
  const ses = new SESv2Client(options(endpoint));
  // The signer class the client signs with (its runtime configuration, not in its config type).
  const Signer = (ses.config as unknown as { signerConstructor: unknown }).signerConstructor as new (
    o: object,
  ) => { sign(r: object, o: object): Promise<unknown> };
  const signer = new Signer({
    service: 'ses',
    region: 'eu-west-2',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    sha256: ses.config.sha256,
  });
  const request = { method: 'GET', protocol: 'https:', hostname: 'email.example', path: '/', headers: {} };
  return {
    endpointDiscovery: await messageOf(() =>
      (dynamodb.config as unknown as { endpointCache: { get(k: string): unknown } }).endpointCache.get('k'),
    ),
    sigv4a: await messageOf(() => signer.sign(request, { signingRegion: '*' })),
    streamingPayloads: await messageOf(() => sdkStreamMixin(new Uint8Array())),
    // A client that names itself S3 gets S3's endpoint parameters.
    s3EndpointParams: await messageOf(() =>
      new DynamoDBClient({ ...options(endpoint), serviceId: 'S3' }).send(
        new GetItemCommand({ TableName: 't', Key: { PK: { S: 'k' } } }),
      ),
    ),
    eventStreamSigning: await messageOf(() =>
      new SignatureV4({
        service: 'ses',
        region: 'eu-west-2',
        credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
        sha256: ses.config.sha256,
      }).signMessage(
        {
          message: { headers: { ':event-type': { type: 'string', value: 'e' } }, body: new Uint8Array() },
          priorSignature: '',
        },
        { signingRegion: 'eu-west-2', signingService: 'ses' },
      ),
    ),
    // A client without a region: the SDK asks the instance metadata service last.
    imdsRegion: await messageOf(() =>
      new DynamoDBClient({ endpoint, maxAttempts: 1 }).send(
        new GetItemCommand({ TableName: 't', Key: { PK: { S: 'k' } } }),
      ),
    ),
  };
}
