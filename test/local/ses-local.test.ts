import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, describe, expect, it } from 'vitest';
import { SesMailer } from '../../functions/adapters/ses-mailer.js';
import { startSesLocal } from '../../local/ses-local.js';

const dir = mkdtempSync(join(tmpdir(), 'milepost-ses-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function mailer(endpoint: string) {
  const client = new SESv2Client({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return new SesMailer(client, 'projects@msp.example.com');
}

describe('local SES server', () => {
  it('lists every email sent through the SDK with to, subject, text, html and sentAt, and keeps them across a restart', async () => {
    const file = join(dir, 'outbox.json');
    const first = await startSesLocal({ persistFile: file });
    await mailer(first.endpoint).send({
      to: ['amara@acme.example'],
      subject: 'Your approval is needed',
      text: 'Review: http://127.0.0.1:8080/approve/abc',
      html: '<a href="http://127.0.0.1:8080/approve/abc">Review</a>',
    });
    const [email] = await first.outbox();
    expect(email).toMatchObject({
      from: 'projects@msp.example.com',
      to: ['amara@acme.example'],
      subject: 'Your approval is needed',
      text: 'Review: http://127.0.0.1:8080/approve/abc',
      html: '<a href="http://127.0.0.1:8080/approve/abc">Review</a>',
    });
    expect(Number.isNaN(Date.parse(email!.sentAt))).toBe(false);
    await first.stop();

    const second = await startSesLocal({ persistFile: file });
    await mailer(second.endpoint).send({
      to: ['jenny@acme.example'],
      subject: 'Second',
      text: 't',
      html: '<p>h</p>',
    });
    expect((await second.outbox()).map((e) => e.subject)).toEqual(['Your approval is needed', 'Second']);
    await second.stop();
  });

  it('starts with an empty outbox when nothing is kept', async () => {
    const ses = await startSesLocal();
    expect(await ses.outbox()).toEqual([]);
    await ses.stop();
  });
});
