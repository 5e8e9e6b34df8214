/** Where the handlers' JSON log lines go when the local runtime keeps its data on disk. */
import { appendFile, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * The log is private (0600): it names people and projects. A sink that appends each line to `file` (its folder is created), in order. A failed write is
 * dropped: logging must never stop the runtime.
 */
export function fileLogSink(file: string): (line: string) => void {
  let chain: Promise<void> = mkdir(resolve(file, '..'), { recursive: true, mode: 0o700 }).then(
    () => undefined,
  );
  return (line) => {
    chain = chain.then(() => appendFile(file, `${line}\n`, { mode: 0o600 })).catch(() => undefined);
  };
}
