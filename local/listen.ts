/**
 * How the runtime's own servers (HTTP, SES, Step Functions, chat capture) bind: on 127.0.0.1
 * only, and on a port taken in the same call that binds it. Asking the system for a free port
 * first and binding it later left a window in which another process (a second test run, another
 * runtime) could take the port; listening on port 0 lets the system pick one in the bind itself,
 * and the port is then read from the socket. `freePort` stays for child processes that need the
 * number before they start (the DynamoDB Local JVM, which retries a taken port itself).
 */
import type { AddressInfo } from 'node:net';
import { LocalRuntimeError } from './errors.js';

/** The only address the local servers listen on: nothing outside this machine reaches them. */
export const LOOPBACK = '127.0.0.1';

/** What `listenLocal` needs of a server (node:http and node:net servers both fit). */
export interface Listenable {
  listen(port: number, host: string, callback: () => void): unknown;
  once(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  off(event: 'error', listener: (err: NodeJS.ErrnoException) => void): unknown;
  address(): AddressInfo | string | null;
  readonly listening: boolean;
}

/** Why a port could not be bound, in words that name it. */
function bindError(what: string, port: number, err: NodeJS.ErrnoException): Error {
  const where = port === 0 ? `a free port on ${LOOPBACK}` : `port ${port} on ${LOOPBACK}`;
  if (err.code === 'EADDRINUSE') return new LocalRuntimeError(`${what}: ${where} is in use`, { cause: err });
  if (err.code === 'EACCES') {
    return new LocalRuntimeError(`${what}: ${where} is not allowed for this user`, { cause: err });
  }
  return new LocalRuntimeError(`${what}: cannot listen on ${where} (${err.code ?? err.message})`, {
    cause: err,
  });
}

/**
 * The port `server` listens on, read from its socket; throws unless it listens on 127.0.0.1
 * (so a server that came up elsewhere, or not at all, is never used).
 */
export function boundPort(server: Listenable, what = 'server'): number {
  const address = server.address();
  if (!server.listening || !address || typeof address === 'string') {
    throw new LocalRuntimeError(`${what}: not listening`);
  }
  if (address.address !== LOOPBACK) {
    throw new LocalRuntimeError(`${what}: listens on ${address.address}, not ${LOOPBACK}`);
  }
  return address.port;
}

/**
 * Binds `server` to 127.0.0.1:`port`, or to a port the system picks in the same bind when `port`
 * is 0 or absent; resolves to the bound port. A port that cannot be bound is a LocalRuntimeError
 * naming it (`local Step Functions: port 8091 on 127.0.0.1 is in use`); the server is then not
 * listening.
 */
export async function listenLocal(server: Listenable, port = 0, what = 'server'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => reject(bindError(what, port, err));
    server.once('error', failed);
    server.listen(port, LOOPBACK, () => {
      server.off('error', failed);
      resolve();
    });
  });
  return boundPort(server, what);
}
