/**
 * The chat channel of the Notifier port: posts a staff notification to a Microsoft Teams or Slack
 * incoming webhook with a plain `fetch` (no SDK), with a timeout per attempt and retries on network
 * errors, timeouts, 429 and 5xx (honouring a short Retry-After). The channel is the project's own
 * (spec `notifications.webhook`) or else the platform's. The URL is a secret: it is never logged,
 * and no error message of this module contains it.
 *
 * In the local runtime `captureEndpoint` is set: every post goes to the runtime's capture server
 * (`<endpoint>/webhook/<kind>`) instead of the channel, and lands in its outbox.
 */
import { MilepostError } from '../core/errors.js';
import { chatPayload } from '../core/notifications/chat.js';
import type { Notification } from '../core/notifications/notification.js';
import { retry } from '../core/retry.js';

/** A chat channel of the platform: its kind and how to get its URL (read from a secret at first use). */
export interface PlatformWebhook {
  kind: 'teams' | 'slack';
  url: () => Promise<string>;
}

export interface WebhookNotifierOptions {
  /** The platform's channel: used for a notification whose project has none, and for the digest. */
  platform?: PlatformWebhook;
  /** Local runtime: post to this capture server instead of the channel. */
  captureEndpoint?: string;
  /** Reads a project channel's URL from its Secrets Manager secret (by name). */
  readSecret?: (secretName: string) => Promise<string>;
  /** Per attempt. @default 5000 */
  timeoutMs?: number;
  /** Attempts in all. @default 3 */
  attempts?: number;
  /** First pause between attempts, doubled each time. @default 500 */
  backoffMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** A post the channel did not take (after the retries); the message names the channel kind and status only. */
export class WebhookDeliveryError extends MilepostError {
  override name = 'WebhookDeliveryError';
  constructor(
    message: string,
    /** Whether another attempt may succeed (network, timeout, 429, 5xx). */
    readonly transient: boolean,
    /** Seconds the channel asked to wait (Retry-After). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** Longest Retry-After honoured: a channel asking for more fails this delivery instead. */
const MAX_RETRY_AFTER_S = 10;

/** Posts notifications to Teams or Slack incoming webhooks. */
export class WebhookNotifier {
  private readonly fetchFn: typeof fetch;
  constructor(private readonly options: WebhookNotifierOptions = {}) {
    this.fetchFn = options.fetch ?? globalThis.fetch;
  }

  /** A project channel's URL: given in its spec, or read from its secret. */
  private async projectUrl(target: NonNullable<Notification['context']['webhook']>): Promise<string> {
    if (target.url) return target.url.reveal();
    if (target.secretName && this.options.readSecret) return this.options.readSecret(target.secretName);
    throw new WebhookDeliveryError(`${target.kind} webhook: no URL (its secret cannot be read here)`, false);
  }

  /** Whether a notification with this context has a channel to go to. */
  hasChannel(notification: Notification): boolean {
    return Boolean(notification.context.webhook ?? this.options.platform);
  }

  /** Posts `notification` to its channel; returns false when there is none. Throws WebhookDeliveryError. */
  async post(notification: Notification): Promise<boolean> {
    const own = notification.context.webhook;
    const platform = this.options.platform;
    if (!own && !platform) return false;
    const kind = own?.kind ?? (platform as PlatformWebhook).kind;
    const body = JSON.stringify(chatPayload(kind, notification));
    const capture = this.options.captureEndpoint;
    const target = capture
      ? `${capture.replace(/\/$/, '')}/webhook/${kind}`
      : own
        ? await this.projectUrl(own)
        : await (platform as PlatformWebhook).url();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (capture) {
      // What the capture server shows in the outbox (never the channel's URL).
      headers['x-milepost-kind'] = notification.kind;
      headers['x-milepost-subject'] = encodeURIComponent(notification.content.subject);
      headers['x-milepost-scope'] = own ? 'project' : 'platform';
    }
    const timeoutMs = this.options.timeoutMs ?? 5000;
    const backoff = this.options.backoffMs ?? 500;
    await retry(
      {
        attempts: this.options.attempts ?? 3,
        retryOn: (e) => e instanceof WebhookDeliveryError && e.transient,
        delayMs: (attempt) => backoff * 2 ** (attempt - 1),
      },
      async () => {
        let res: Response;
        try {
          res = await this.fetchFn(target, {
            method: 'POST',
            headers,
            body,
            signal: AbortSignal.timeout(timeoutMs),
            redirect: 'error',
          });
        } catch (err) {
          const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
          // The cause may name the host or URL: only its kind is kept.
          throw new WebhookDeliveryError(
            `${kind} webhook: ${timedOut ? `no answer within ${timeoutMs} ms` : 'could not connect'}`,
            true,
          );
        }
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        const transient = res.status === 429 || res.status >= 500;
        const after = Number(res.headers.get('retry-after'));
        if (transient && Number.isFinite(after) && after > 0) {
          if (after > MAX_RETRY_AFTER_S)
            throw new WebhookDeliveryError(
              `${kind} webhook: HTTP ${res.status}, retry after ${after} s`,
              false,
            );
          await new Promise((r) => setTimeout(r, after * 1000));
        }
        throw new WebhookDeliveryError(`${kind} webhook: HTTP ${res.status}`, transient);
      },
    );
    return true;
  }
}
