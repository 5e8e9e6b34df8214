/**
 * The email channel's transport on SES v2 (SES in AWS; the SES local server through an endpoint
 * override locally): one SendEmail (Simple content, HTML + text) per message. Throttling is
 * retried with jittered exponential backoff on top of the SDK's own retries, a bounded number of
 * times; then the error is thrown so the caller records the failed send.
 */
import {
  LimitExceededException,
  type SESv2Client,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import type { EmailMessage } from '../core/notifications/email/render.js';
import type { EmailTransport } from './email-notifier.js';

export interface SesMailerOptions {
  /** Attempts in total, including the first (default 4). */
  maxAttempts?: number;
  /** First backoff delay in ms; doubles per attempt, with full jitter (default 200). */
  baseDelayMs?: number;
  /** Injected in tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** SES account-level sending-rate errors; `Throttling` has no exception class in the SDK. */
export function isThrottling(err: unknown): boolean {
  if (err instanceof TooManyRequestsException || err instanceof LimitExceededException) return true;
  const name = err instanceof Error ? err.name : '';
  return name === 'Throttling' || name === 'ThrottlingException';
}

const CHARSET = 'UTF-8';

/** Sends rendered emails through SES v2. */
export class SesMailer implements EmailTransport {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  /**
   * @param client one SES v2 client per process
   * @param from the From address (a verified identity in AWS)
   * @param configurationSet optional SES configuration set (event publishing, suppression)
   */
  constructor(
    private readonly client: SESv2Client,
    private readonly from: string,
    private readonly configurationSet?: string,
    options: SesMailerOptions = {},
  ) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async send(message: EmailMessage): Promise<{ messageId: string }> {
    const command = new SendEmailCommand({
      FromEmailAddress: this.from,
      Destination: { ToAddresses: message.to },
      Content: {
        Simple: {
          Subject: { Data: message.subject, Charset: CHARSET },
          Body: {
            Text: { Data: message.text, Charset: CHARSET },
            Html: { Data: message.html, Charset: CHARSET },
          },
        },
      },
      ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
      ...(message.tag ? { EmailTags: [{ Name: 'milepost', Value: tagValue(message.tag) }] } : {}),
    });
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.client.send(command);
        return { messageId: out.MessageId ?? '' };
      } catch (err) {
        if (!isThrottling(err) || attempt >= this.maxAttempts) throw err;
        const cap = this.baseDelayMs * 2 ** (attempt - 1);
        await this.sleep(Math.round(cap / 2 + Math.random() * (cap / 2)));
      }
    }
  }
}

/** SES tag values allow only ASCII letters, digits, `_` and `-` (max 256). */
function tagValue(tag: string): string {
  return tag.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256) || 'none';
}
