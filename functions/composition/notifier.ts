/** The notifier port: email through SES (the functions that notify people). */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Env } from '../adapters/config.js';
import { EmailNotifier } from '../adapters/email-notifier.js';
import { SesMailer } from '../adapters/ses-mailer.js';
import type { Notifier } from '../core/ports.js';
import { clientOptions, endpointOf } from './clients.js';

/** Email is the one notification channel; another channel is one more Notifier adapter here. */
export function emailNotifier(env: Env): Notifier {
  const ses = new SESv2Client({ ...clientOptions(env), ...endpointOf(env.SES_ENDPOINT) });
  return new EmailNotifier(new SesMailer(ses, env.SENDER_EMAIL, env.SES_CONFIGURATION_SET));
}
