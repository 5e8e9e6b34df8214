/**
 * The staff CLI against the real HTTP app: a loopback server that hands each request to
 * `handleHttp` as the local caller, and a runner that parses `milepost <args>` with the staff
 * commands and returns what they printed (or rejects with the error they fail with).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command } from 'commander';
import { addStaffCommands } from '../../cli/staff/commands.js';
import type { Deps } from '../../functions/core/ports.js';
import { handleHttp } from '../../functions/http/app.js';

/** A running API server on 127.0.0.1 (an ephemeral port). */
export interface ApiServer {
  baseUrl: string;
  close(): void;
}

/** Serves the HTTP app of `deps` on 127.0.0.1 for the CLI to call. */
export async function startApiServer(deps: Deps): Promise<ApiServer> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const out = await handleHttp(deps, {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body,
        caller: 'local',
      });
      // Binary bodies (PDF downloads) travel base64-encoded, as through API Gateway.
      res
        .writeHead(out.status, out.headers)
        .end(out.isBase64Encoded ? Buffer.from(out.body, 'base64') : out.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}

/** Runs `milepost <args>` against `baseUrl()`: its printed lines, or the error it fails with. */
export function cliRunner(baseUrl: () => string): (...args: string[]) => Promise<string[]> {
  return async (...args) => {
    const lines: string[] = [];
    const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
    addStaffCommands(program, {
      out: (l) => lines.push(l),
      color: false,
      userAgent: 'test',
      endpoint: async () => ({ baseUrl: baseUrl() }),
    });
    await program.parseAsync(['node', 'milepost', ...args]);
    return lines;
  };
}
