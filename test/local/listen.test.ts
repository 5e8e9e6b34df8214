/**
 * The runtime's own servers bind the port in the same call that picks it (no window in which
 * another process takes it), only on 127.0.0.1, and name a port asked for that is taken.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalRuntimeError } from '../../local/errors.js';
import { startHttpServer } from '../../local/http-server.js';
import { listenLocal } from '../../local/listen.js';
import { startSesLocal } from '../../local/ses-local.js';
import { startSfnLocal } from '../../local/sfn-local.js';
import { startWebhookLocal } from '../../local/webhook-local.js';
import { otherLocalAddresses, tryConnect } from '../support/network.js';

/**
 * The port `freePort` answers, when set: one another listener holds, as when another process
 * binds the port between a find and a bind. A server that still found its port that way fails.
 */
const offered = vi.hoisted(() => ({ port: 0 }));
vi.mock('../../local/dynamodb-local.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../local/dynamodb-local.js')>();
  return { ...real, freePort: async () => offered.port || real.freePort() };
});

/** What each kind of server is, once started: where it says it is and how to stop it. */
interface Started {
  endpoint: string;
  stop(): Promise<void>;
}

const kinds: Record<string, (port?: number) => Promise<Started>> = {
  ses: async (port) => {
    const s = await startSesLocal(port === undefined ? {} : { port });
    return { endpoint: s.endpoint, stop: () => s.stop() };
  },
  webhook: async (port) => {
    const s = await startWebhookLocal(port === undefined ? {} : { port });
    return { endpoint: s.endpoint, stop: () => s.stop() };
  },
  sfn: async (port) => {
    const s = await startSfnLocal({
      invokeTask: async () => ({}),
      ...(port === undefined ? {} : { port }),
    });
    return { endpoint: s.endpoint, stop: () => s.stop() };
  },
  http: async (port) => {
    const s = await startHttpServer(port ?? 0);
    return { endpoint: s.url, stop: () => s.close() };
  },
};

/** An answer only that kind of server gives on its port. */
const answers: Record<string, (endpoint: string) => Promise<boolean>> = {
  ses: async (endpoint) => {
    const res = await fetch(`${endpoint}/store`);
    return res.ok && Array.isArray(((await res.json()) as { emails?: unknown }).emails);
  },
  webhook: async (endpoint) => {
    const res = await fetch(`${endpoint}/webhook/slack`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-milepost-kind': 'probe' },
      body: '{"text":"probe"}',
    });
    return res.status === 200 && (await res.text()) === 'ok';
  },
  sfn: async (endpoint) => {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AWSStepFunctions.ListExecutions',
      },
      body: JSON.stringify({ stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:none' }),
    });
    return res.ok && Array.isArray(((await res.json()) as { executions?: unknown }).executions);
  },
  http: async (endpoint) => {
    // Not ready yet: the runtime's server answers its own 503.
    const res = await fetch(`${endpoint}/health`);
    return res.status === 503 && ((await res.json()) as { status?: string }).status === 'starting';
  },
};

let started: Started[] = [];
let blockers: Server[] = [];
afterEach(async () => {
  await Promise.all(started.map((s) => s.stop()));
  await Promise.all(blockers.map((b) => new Promise((r) => b.close(r))));
  started = [];
  blockers = [];
  offered.port = 0;
});

/** A listener of another "process" holding 127.0.0.1:`port` (0: any port); resolves to its port. */
async function hold(port = 0): Promise<number> {
  // It drops every connection: a server that believed it had bound this port fails fast.
  const blocker = createServer((socket) => socket.destroy());
  blockers.push(blocker);
  return listenLocal(blocker, port, 'blocker');
}

const portOf = (endpoint: string) => Number(new URL(endpoint).port);

describe('local servers bind without a find-then-bind window', () => {
  it('many started at once while the port a find would offer is held: each listens where it says', async () => {
    offered.port = await hold();
    const names = Object.keys(kinds).flatMap((name) => Array.from({ length: 5 }, () => name));
    const servers = await Promise.all(
      names.map(async (name) => {
        const s = await (kinds[name] as (port?: number) => Promise<Started>)();
        started.push(s);
        return { name, ...s };
      }),
    );
    const ports = servers.map((s) => portOf(s.endpoint));
    expect(new Set(ports).size).toBe(servers.length);
    expect(ports).not.toContain(offered.port);
    for (const s of servers) {
      expect(s.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (answers[s.name] as (e: string) => Promise<boolean>)(s.endpoint), s.name).toBe(true);
    }
  });

  it.each(Object.keys(kinds))('%s: a port asked for is used, and only on 127.0.0.1', async (name) => {
    const port = await hold();
    // Free it again and ask for exactly it.
    await new Promise((r) => blockers.pop()?.close(r));
    const s = await (kinds[name] as (port?: number) => Promise<Started>)(port);
    started.push(s);
    expect(s.endpoint).toBe(`http://127.0.0.1:${port}`);
    expect(await (answers[name] as (e: string) => Promise<boolean>)(s.endpoint)).toBe(true);
    // Other addresses of this machine (127.0.0.2 on Linux, the network interfaces) are refused.
    for (const address of otherLocalAddresses()) {
      expect(await tryConnect(address, port), address).not.toBe('connected');
    }
  });

  it.each(['ses', 'webhook', 'sfn'])(
    '%s: a port asked for that is taken fails, naming the port',
    async (name) => {
      const port = await hold();
      const err = await (kinds[name] as (port?: number) => Promise<Started>)(port).then(
        (s) => {
          started.push(s);
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(LocalRuntimeError);
      expect((err as Error).message).toMatch(new RegExp(`: port ${port} on 127\\.0\\.0\\.1 is in use$`));
    },
  );
});
