import {
  LimitExceededException,
  MessageRejected,
  SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { SesMailer } from '../../functions/adapters/ses-mailer.js';

const ses = mockClient(SESv2Client);
const meta = { $metadata: {} };
const message = {
  to: ['ann@example.com'],
  subject: 'Approve Risk',
  text: 'plain body',
  html: '<p>html body</p>',
  tag: 'approval request',
};

function mailer(sleeps: number[] = []) {
  return new SesMailer(new SESv2Client({ region: 'eu-west-2' }), 'pm@msp.example', 'milepost-set', {
    maxAttempts: 3,
    baseDelayMs: 10,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
}

describe('SesMailer', () => {
  beforeEach(() => ses.reset());

  it('sends HTML and text as simple content from the configured sender', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    await expect(mailer().send(message)).resolves.toEqual({ messageId: 'm-1' });
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      FromEmailAddress: 'pm@msp.example',
      ConfigurationSetName: 'milepost-set',
      Destination: { ToAddresses: ['ann@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'Approve Risk', Charset: 'UTF-8' },
          Body: {
            Text: { Data: 'plain body', Charset: 'UTF-8' },
            Html: { Data: '<p>html body</p>', Charset: 'UTF-8' },
          },
        },
      },
      EmailTags: [{ Name: 'milepost', Value: 'approval_request' }],
    });
  });

  it('retries throttling with backoff and then succeeds', async () => {
    ses
      .on(SendEmailCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'slow down', ...meta }))
      .rejectsOnce(new LimitExceededException({ message: 'rate', ...meta }))
      .resolves({ MessageId: 'm-2' });
    const sleeps: number[] = [];
    await expect(mailer(sleeps).send(message)).resolves.toEqual({ messageId: 'm-2' });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]).toBeGreaterThanOrEqual(sleeps[0] ?? 0);
  });

  it('throws after the bounded number of attempts when throttling persists', async () => {
    ses.on(SendEmailCommand).rejects(new TooManyRequestsException({ message: 'slow down', ...meta }));
    await expect(mailer().send(message)).rejects.toBeInstanceOf(TooManyRequestsException);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 3);
  });

  it('retries a generic Throttling error', async () => {
    const throttling = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    ses.on(SendEmailCommand).rejectsOnce(throttling).resolves({ MessageId: 'm-3' });
    await expect(mailer().send(message)).resolves.toEqual({ messageId: 'm-3' });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 2);
  });

  it('does not retry a rejected message', async () => {
    ses.on(SendEmailCommand).rejects(new MessageRejected({ message: 'bad address', ...meta }));
    await expect(mailer().send(message)).rejects.toBeInstanceOf(MessageRejected);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
  });
});
