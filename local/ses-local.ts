/**
 * The SES v2 API on this machine: aws-ses-v2-local run as a library on 127.0.0.1. The handlers'
 * SESv2Client talks to it through an endpoint override; the outbox reader turns its store into
 * the emails of `/api/outbox`. With `persistFile`, the outbox survives a restart of the runtime
 * (emails of earlier runs are listed first).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { dirname } from 'node:path';
import * as z from 'zod';
import { boundPort, LOOPBACK, listenLocal } from './listen.js';

/** One email as the outbox shows it. */
export interface OutboxEmail {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  sentAt: string;
}

export interface SesLocal {
  /** e.g. `http://127.0.0.1:41234` (pass as SES_ENDPOINT). */
  endpoint: string;
  /** Every email sent, oldest first. */
  outbox(): Promise<OutboxEmail[]>;
  stop(): Promise<void>;
}

const storeSchema = z.object({
  emails: z.array(
    z.object({
      messageId: z.string(),
      from: z.string().optional().default(''),
      destination: z
        .object({ to: z.array(z.string()).optional().default([]) })
        .optional()
        .default({ to: [] }),
      subject: z.string().optional().default(''),
      body: z.object({ text: z.string().optional(), html: z.string().optional() }).optional().default({}),
      at: z.number(),
    }),
  ),
});

const persistedSchema = z.array(
  z.object({
    messageId: z.string(),
    from: z.string(),
    to: z.array(z.string()),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
    sentAt: z.string(),
  }),
);

type ServerFactory = (config: { host: string; port: number }) => Promise<Server>;

async function loadPersisted(file: string | undefined): Promise<OutboxEmail[]> {
  if (!file) return [];
  try {
    return persistedSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return [];
  }
}

/**
 * Starts the local SES server on 127.0.0.1, on `port` or on one the system picks as it binds; its
 * store is emptied first. A port that cannot be bound is a LocalRuntimeError naming it.
 */
export async function startSesLocal(
  options: { port?: number; persistFile?: string } = {},
): Promise<SesLocal> {
  // The package is CommonJS: its default export may be wrapped once more by the ESM loader.
  const mod = (await import('aws-ses-v2-local')) as unknown as {
    default: ServerFactory | { default: ServerFactory };
  };
  const factory: ServerFactory = typeof mod.default === 'function' ? mod.default : mod.default.default;
  const what = 'local SES server';
  const server = await factory({ host: LOOPBACK, port: options.port ?? 0 });
  // The package's factory resolves even when its bind failed (express hands the error to the
  // listen callback): bind once more here, which says why (or binds, if the port came free).
  const port = server.listening ? boundPort(server, what) : await listenLocal(server, options.port, what);
  const endpoint = `http://${LOOPBACK}:${port}`;
  const earlier = await loadPersisted(options.persistFile);
  // The store lives in the module: a runtime started again in the same process starts empty.
  await fetch(`${endpoint}/clear-store`, { method: 'POST' }).then((r) => r.arrayBuffer());

  const current = async (): Promise<OutboxEmail[]> => {
    const res = await fetch(`${endpoint}/store`);
    const store = storeSchema.parse(await res.json());
    return store.emails.map((e) => ({
      messageId: e.messageId,
      from: e.from,
      to: e.destination.to,
      subject: e.subject,
      text: e.body.text ?? '',
      html: e.body.html ?? '',
      sentAt: new Date(e.at * 1000).toISOString(),
    }));
  };
  const outbox = async () => [...earlier, ...(await current())];

  let persisting: Promise<void> = Promise.resolve();
  const persist = () => {
    const file = options.persistFile;
    if (!file) return;
    persisting = persisting
      .then(async () => {
        const all = await outbox();
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
        // Private: the outbox holds live approval links.
        await writeFile(`${file}.tmp`, JSON.stringify(all), { mode: 0o600 });
        await rename(`${file}.tmp`, file);
      })
      .catch(() => undefined);
  };
  if (options.persistFile) {
    server.on('request', (req, res) => {
      if (req.method === 'POST' && req.url?.startsWith('/v2/email/outbound')) res.on('finish', persist);
    });
  }

  return {
    endpoint,
    outbox,
    stop: async () => {
      await persisting;
      await new Promise<void>((res) => {
        server.close(() => res());
        server.closeAllConnections();
      });
    },
  };
}
