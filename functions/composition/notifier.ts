/**
 * The notifier port: email through SES to every recipient, and staff notices also to the
 * project's or the platform's chat channel (a Teams or Slack incoming webhook).
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { ChannelsNotifier } from '../adapters/channels-notifier.js';
import type { Env } from '../adapters/config.js';
import { EmailNotifier } from '../adapters/email-notifier.js';
import { secretValue } from '../adapters/secret-value.js';
import { SesMailer } from '../adapters/ses-mailer.js';
import { type PlatformWebhook, WebhookNotifier } from '../adapters/webhook-notifier.js';
import type { Notifier } from '../core/ports.js';
import { clientOptions, endpointOf } from './clients.js';

/** Project channels' URLs from their secrets (spec `notifications.webhook.secretName`), each read once. */
function projectSecrets(region: string): (secretName: string) => Promise<string> {
  const readers = new Map<string, () => Promise<string>>();
  return (secretName) => {
    let read = readers.get(secretName);
    if (!read) {
      read = secretValue(secretName, region);
      readers.set(secretName, read);
    }
    return read();
  };
}

/** The platform's chat channel from the environment: the URL from Secrets Manager, or given as is. */
function platformWebhook(env: Env): PlatformWebhook | undefined {
  if (!env.WEBHOOK_KIND) return undefined;
  if (env.WEBHOOK_SECRET)
    return { kind: env.WEBHOOK_KIND, url: secretValue(env.WEBHOOK_SECRET, env.AWS_REGION) };
  const url = env.WEBHOOK_URL;
  // Locally the posts are captured: no URL is needed.
  if (url || env.WEBHOOK_ENDPOINT) return { kind: env.WEBHOOK_KIND, url: async () => url ?? '' };
  return undefined;
}

/** Email to every recipient; staff notices also to the project's or the platform's chat channel. */
export function emailNotifier(env: Env): Notifier {
  const ses = new SESv2Client({ ...clientOptions(env), ...endpointOf(env.SES_ENDPOINT) });
  const webhook = platformWebhook(env);
  return new ChannelsNotifier(
    new EmailNotifier(new SesMailer(ses, env.SENDER_EMAIL, env.SES_CONFIGURATION_SET)),
    new WebhookNotifier({
      ...(webhook ? { platform: webhook } : {}),
      ...(env.WEBHOOK_ENDPOINT ? { captureEndpoint: env.WEBHOOK_ENDPOINT } : {}),
      readSecret: projectSecrets(env.AWS_REGION),
    }),
  );
}

/**
 * Email only, through SES: for a function whose notifications all go to people by email (the
 * approvals function: withdrawal notices to a round's approvers), which never posts to a chat
 * channel and so reads no webhook secret (notify() announces nothing without `announce`).
 */
export function emailOnlyNotifier(env: Env): Notifier {
  const ses = new SESv2Client({ ...clientOptions(env), ...endpointOf(env.SES_ENDPOINT) });
  return new EmailNotifier(new SesMailer(ses, env.SENDER_EMAIL, env.SES_CONFIGURATION_SET));
}
