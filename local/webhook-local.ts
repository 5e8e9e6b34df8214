/**
 * The chat channels on this machine: a capture server on 127.0.0.1 that takes the posts the
 * handlers' webhook notifier would send to Teams or Slack (its endpoint is passed as
 * WEBHOOK_ENDPOINT, as SES_ENDPOINT is for email) and keeps them for the outbox, with their
 * channel. Nothing leaves the machine. With `persistFile`, the posts survive a restart.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { dirname } from 'node:path';
import * as z from 'zod';
import { LOOPBACK, listenLocal } from './listen.js';

/** One captured chat post. */
export interface WebhookPost {
  id: string;
  channel: 'teams' | 'slack';
  /** The notification kind (e.g. health-changed). */
  kind: string;
  /** The project's own channel, or the platform's. */
  scope: 'project' | 'platform';
  subject: string;
  /** The post as it would be sent. */
  payload: unknown;
  sentAt: string;
}

export interface WebhookLocal {
  /** e.g. `http://127.0.0.1:41235` (pass as WEBHOOK_ENDPOINT). */
  endpoint: string;
  /** Every post, oldest first. */
  posts(): WebhookPost[];
  stop(): Promise<void>;
}

const postSchema = z.object({
  id: z.string(),
  channel: z.enum(['teams', 'slack']),
  kind: z.string(),
  scope: z.enum(['project', 'platform']),
  subject: z.string(),
  payload: z.unknown(),
  sentAt: z.string(),
});

/** Largest post taken (Slack refuses more than about 40 KB, Teams 28 KB). */
const MAX_BODY = 256 * 1024;

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts the capture server on 127.0.0.1, on `port` or on one the system picks as it binds; `now`
 * stamps each post (the handlers' clock). A port that cannot be bound is a LocalRuntimeError naming it.
 */
export async function startWebhookLocal(
  options: { now?: () => Date; persistFile?: string; port?: number } = {},
): Promise<WebhookLocal> {
  const now = options.now ?? (() => new Date());
  const posts: WebhookPost[] = [];
  if (options.persistFile) {
    try {
      posts.push(...z.array(postSchema).parse(JSON.parse(await readFile(options.persistFile, 'utf8'))));
    } catch {
      // No file yet, or not ours: start empty.
    }
  }
  let persisting: Promise<void> = Promise.resolve();
  const persist = () => {
    const file = options.persistFile;
    if (!file) return;
    persisting = persisting
      .then(async () => {
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
        await writeFile(`${file}.tmp`, JSON.stringify(posts), { mode: 0o600 });
        await rename(`${file}.tmp`, file);
      })
      .catch(() => undefined);
  };
  let seq = posts.length;
  const server = createServer((req, res) => {
    void (async () => {
      const match = /^\/webhook\/(teams|slack)$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match) {
        res.writeHead(404).end();
        return;
      }
      const body = await readBody(req);
      if (body === undefined) {
        res.writeHead(413).end();
        return;
      }
      let payload: unknown;
      try {
        payload = JSON.parse(body);
      } catch {
        res.writeHead(400).end('invalid JSON');
        return;
      }
      const header = (name: string) => {
        const v = req.headers[name];
        return typeof v === 'string' ? v : '';
      };
      let subject = '';
      try {
        subject = decodeURIComponent(header('x-milepost-subject'));
      } catch {
        subject = header('x-milepost-subject');
      }
      seq++;
      posts.push({
        id: `webhook-${seq}`,
        channel: match[1] as 'teams' | 'slack',
        kind: header('x-milepost-kind') || 'unknown',
        scope: header('x-milepost-scope') === 'project' ? 'project' : 'platform',
        subject,
        payload,
        sentAt: now().toISOString(),
      });
      persist();
      // What Slack answers; Teams answers 202 with an empty body, which the notifier takes as well.
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const port = await listenLocal(server, options.port, 'local chat capture server');
  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    posts: () => [...posts],
    stop: async () => {
      await persisting;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The text of a captured post, as the channel would show it (its text blocks, one per line). */
export function postText(post: Pick<WebhookPost, 'channel' | 'payload'>): string {
  const p = post.payload as Record<string, unknown>;
  if (post.channel === 'slack') {
    const blocks = (p['blocks'] as { text?: { text?: string } }[] | undefined) ?? [];
    return blocks
      .map((b) => b.text?.text ?? '')
      .filter(Boolean)
      .join('\n');
  }
  const attachments = (p['attachments'] as { content?: { body?: { text?: string }[] } }[] | undefined) ?? [];
  return (attachments[0]?.content?.body ?? [])
    .map((b) => (b.text ?? '').replace(/\\([\\`*_[\]~])/g, '$1'))
    .join('\n');
}
