/** The data folder: private modes (also fixed for old files), one holder at a time, a dead holder's lock taken over. */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDataDir, makePrivate } from '../../local/data-dir.js';
import { LocalRuntimeError } from '../../local/errors.js';

const root = mkdtempSync(join(tmpdir(), 'milepost-data-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const mode = (p: string) => (lstatSync(p).mode & 0o777).toString(8);

describe('data folder', () => {
  it('makes folders 0700 and files 0600, also ones left readable before', () => {
    const dir = join(root, 'private');
    mkdirSync(join(dir, 'documents', 'p1'), { recursive: true, mode: 0o755 });
    writeFileSync(join(dir, 'documents', 'p1', 'plan.html'), 'x', { mode: 0o644 });
    writeFileSync(join(dir, 'outbox.json'), '[]', { mode: 0o666 });
    chmodSync(dir, 0o777);
    makePrivate(dir);
    expect(mode(dir)).toBe('700');
    expect(mode(join(dir, 'documents'))).toBe('700');
    expect(mode(join(dir, 'documents', 'p1'))).toBe('700');
    expect(mode(join(dir, 'documents', 'p1', 'plan.html'))).toBe('600');
    expect(mode(join(dir, 'outbox.json'))).toBe('600');
  });

  it('refuses a second holder while the first lives, naming its process, and frees the folder on release', () => {
    const dir = join(root, 'locked');
    makePrivate(dir);
    const release = lockDataDir(dir);
    expect(mode(join(dir, LOCK_FILE))).toBe('600');
    const err = (() => {
      try {
        lockDataDir(dir);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(LocalRuntimeError);
    expect((err as Error).message).toMatch(
      new RegExp(`in use by another milepost runtime: process ${process.pid}\\b`),
    );
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDataDir(dir)();
  });

  it('takes over the lock of a process that is gone', () => {
    const dir = join(root, 'stale');
    makePrivate(dir);
    // The pid of a process that has exited.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(join(dir, LOCK_FILE), `${gone.stdout}\n`);
    const release = lockDataDir(dir);
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});
