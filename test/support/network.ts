/** Probes of who can reach a local port: other addresses of this machine, and browsers (CORS). */
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Every address of this machine other than 127.0.0.1 (on Linux all of 127/8 reaches lo, so 127.0.0.2 too). */
export function otherLocalAddresses(): string[] {
  const out = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal && !a.address.startsWith('fe80:'))
    .map((a) => a!.address);
  if (process.platform === 'linux') out.push('127.0.0.2');
  return out;
}

/** 'connected' or the error code of a TCP connection to host:port. */
export function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 10_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** The CORS answer of DynamoDB Local to a browser's preflight from `origin`. */
export async function preflight(endpoint: string, origin: string): Promise<string | null> {
  const res = await fetch(`${endpoint}/`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'x-amz-target,authorization,content-type',
    },
  });
  await res.arrayBuffer();
  return res.headers.get('access-control-allow-origin');
}
