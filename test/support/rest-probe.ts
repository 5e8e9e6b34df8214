/**
 * A bundle entry for test/infra/bundle-contents.test.ts: the signed-request adapter built without
 * credentials, as the functions build it in AWS, so the bundle's credential chain has to find them.
 */
import { AwsServiceClient } from '../../functions/adapters/aws-request.js';

/** Sends one signed GET for `s3` to `url`; its status. */
export async function handler(url: string): Promise<number> {
  const client = new AwsServiceClient({
    service: 's3',
    region: 'eu-west-2',
    uriEscapePath: false,
    attempts: 1,
  });
  const res = await client.send({ operation: 'GetObject', method: 'GET', url: new URL(url) });
  return res.status;
}
