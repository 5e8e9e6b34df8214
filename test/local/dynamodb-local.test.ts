/**
 * DynamoDB Local as the runtime starts it: reachable through 127.0.0.1 only (a connection through
 * any other address of this machine is refused), CORS closed to foreign origins, a stop that
 * returns after the JVM was killed, a supervised JVM that comes back after kill -9, and a port
 * taken between finding it free and the JVM's bind (another fresh one is tried, unless the port was
 * asked for: then the error names the bind failure).
 */

import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbLocal, freePort, startDynamoDbLocal } from '../../local/dynamodb-local.js';
import { waitFor } from '../e2e/helpers.js';
import { otherLocalAddresses, preflight, tryConnect } from '../support/network.js';

/** A JVM on a busy machine may take long to compile the launcher and start: limits wait on readiness. */
const LIMIT = 240_000;

const started: DynamoDbLocal[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((d) => d.stop()));
});

async function start(options: Parameters<typeof startDynamoDbLocal>[0] = {}): Promise<DynamoDbLocal> {
  const db = await startDynamoDbLocal({ inMemory: true, ...options });
  started.push(db);
  return db;
}

describe('DynamoDB Local reachable from this machine only', () => {
  let db: DynamoDbLocal;
  beforeAll(async () => {
    db = await startDynamoDbLocal({ inMemory: true });
  }, LIMIT);
  afterAll(() => db?.stop());

  it('accepts connections on 127.0.0.1 and refuses them through every other address of this machine', async () => {
    expect(await tryConnect('127.0.0.1', db.port)).toBe('connected');
    const others = otherLocalAddresses();
    expect(others.length).toBeGreaterThan(0);
    for (const address of others) {
      expect(await tryConnect(address, db.port), address).toBe('ECONNREFUSED');
    }
  });

  it('allows no foreign origin in a CORS preflight (only its own)', async () => {
    expect(await preflight(db.endpoint, 'https://attacker.example')).toBeNull();
    expect(await preflight(db.endpoint, 'http://localhost:8080')).toBeNull();
    expect(await preflight(db.endpoint, 'null')).toBeNull();
    // The control: the one origin it allows is its own, so the check above can fail.
    expect(await preflight(db.endpoint, db.endpoint)).toBe(db.endpoint);
  });
});

describe('DynamoDB Local process', () => {
  it(
    'stops at once after its JVM was killed by a signal',
    async () => {
      const db = await start();
      const pid = db.pid!;
      process.kill(pid, 'SIGKILL');
      await waitFor('the JVM to be gone', () => !db.healthy, 60_000);
      // Without supervision it stays down; stop() must not wait for an exit that already happened.
      await db.stop();
      expect(() => process.kill(pid, 0)).toThrow();
    },
    LIMIT,
  );

  it(
    'restarts a supervised JVM after kill -9, reports it, and gives up past the bound',
    async () => {
      const lines: string[] = [];
      const gaveUp: Error[] = [];
      const db = await start({
        supervise: { attempts: 1, notify: (l) => lines.push(l), onGiveUp: (e) => gaveUp.push(e) },
      });
      const first = db.pid!;
      process.kill(first, 'SIGKILL');
      await waitFor('the restart to be reported', () => lines.length > 0, 10_000);
      expect(lines[0]).toMatch(/DynamoDB Local stopped \(signal SIGKILL\); restarting it \(1\/1\)/);
      await waitFor('the JVM to answer again', () => db.healthy, 120_000);
      expect(db.pid).not.toBe(first);
      expect((await fetch(db.endpoint, { method: 'POST' })).status).toBe(400);

      process.kill(db.pid!, 'SIGKILL');
      await waitFor('the give-up', () => gaveUp.length > 0, 10_000);
      expect(gaveUp[0]?.message).toMatch(/gave up after 1 restarts/);
      expect(db.healthy).toBe(false);
    },
    LIMIT,
  );
});

describe('DynamoDB Local on a port taken meanwhile', () => {
  let holder: Server;
  let taken: number;
  beforeAll(async () => {
    // Another process's server on the port, as when a parallel run binds it after freePort found it free.
    holder = createServer();
    taken = await new Promise<number>((resolve) =>
      holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)),
    );
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  });

  it(
    'starts on a fresh port when the one found free was taken before the JVM bound it',
    async () => {
      const offered: number[] = [];
      const db = await start({
        choosePort: async () => {
          const port = offered.length === 0 ? taken : await freePort();
          offered.push(port);
          return port;
        },
      });
      expect(offered[0]).toBe(taken);
      expect(offered.length).toBeGreaterThanOrEqual(2);
      expect(db.port).toBe(offered.at(-1));
      expect(db.port).not.toBe(taken);
      expect((await fetch(db.endpoint, { method: 'POST' })).status).toBe(400);
    },
    LIMIT,
  );

  it(
    'refuses a taken port that was asked for, naming the bind failure',
    async () => {
      await expect(start({ port: taken })).rejects.toThrow(
        /DynamoDB Local exited \(exit code \d+\): .*(BindException|Address already in use)/,
      );
    },
    LIMIT,
  );
});
