/**
 * Runs a bundled function in a fresh Node process, as Lambda would load it: the test's `body`
 * sees the module as `mod` and answers with `out(value)`; everything else the process printed
 * (its logs) comes back apart.
 */
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const MARK = '@@out@@';

/** Imports `file` as `mod` with `env` only, runs `body` (which calls `out(text)`); its output and its logs. */
export function runBundledWithLogs(
  file: string,
  body: string,
  env: NodeJS.ProcessEnv,
): Promise<{ out: string; logs: string }> {
  const script = `const mod = await import(${JSON.stringify(pathToFileURL(file).href)}); const out = (t) => process.stdout.write(${JSON.stringify(MARK)} + JSON.stringify(t) + '\\n'); ${body}`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      // A generous limit: a cold bundle on a busy machine, not a timing check.
      { env, timeout: 120_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith(MARK));
        if (error || !line)
          reject(new Error(`bundle run failed: ${error?.message ?? ''}\n${stdout}\n${stderr}`));
        else
          resolve({
            out: JSON.parse(line.slice(MARK.length)) as string,
            logs: stdout.replace(line, '') + stderr,
          });
      },
    );
  });
}

/** As `runBundledWithLogs`, the output only. */
export async function runBundled(file: string, body: string, env: NodeJS.ProcessEnv): Promise<string> {
  return (await runBundledWithLogs(file, body, env)).out;
}
