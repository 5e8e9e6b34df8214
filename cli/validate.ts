/**
 * `milepost validate <files or folders...>`: checks spec files and reports `<file>: ok` for each
 * valid one, or every error as `file:line field: message`. A folder stands for its spec files,
 * found as `cdk synth` and the local runtime find them (`specFilesIn`). Project ids must also be
 * unique across the files.
 */
import { stat } from 'node:fs/promises';
import {
  formatSpecError,
  loadSpecFile,
  type SpecError,
  SpecValidationError,
  specFilesIn,
} from '../functions/core/spec/load.js';

export interface ValidateOutput {
  ok(line: string): void;
  error(line: string): void;
}

export interface ValidateResult {
  valid: string[];
  errors: SpecError[];
}

/**
 * Validates every file (never stops at the first bad one) and writes one line per result. A
 * folder among `paths` is replaced by its spec files.
 */
export async function validateFiles(paths: string[], out: ValidateOutput): Promise<ValidateResult> {
  const valid: string[] = [];
  const errors: SpecError[] = [];
  const ids = new Map<string, string>();
  const files: string[] = [];
  for (const path of paths) files.push(...((await isFolder(path)) ? await specFilesIn(path) : [path]));
  for (const file of files) {
    const unreadable = await whyUnreadable(file);
    if (unreadable) {
      errors.push({ file, line: 0, field: '', message: unreadable });
      out.error(`${file}: ${unreadable}`);
      continue;
    }
    try {
      const { spec } = await loadSpecFile(file);
      const other = ids.get(spec.id);
      if (other) {
        const e: SpecError = {
          file,
          line: 1,
          field: 'id',
          message: `project id "${spec.id}" is also used by ${other}`,
        };
        errors.push(e);
        out.error(formatSpecError(e));
        continue;
      }
      ids.set(spec.id, file);
      valid.push(file);
      out.ok(`${file}: ok`);
    } catch (e) {
      if (!(e instanceof SpecValidationError)) throw e;
      errors.push(...e.errors);
      for (const err of e.errors) out.error(formatSpecError(err));
    }
  }
  return { valid, errors };
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function whyUnreadable(file: string): Promise<string | undefined> {
  try {
    const s = await stat(file);
    return s.isFile() ? undefined : 'not a file';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'file not found';
    if (code === 'EACCES') return 'permission denied';
    return `cannot read (${code ?? 'unknown error'})`;
  }
}
