/**
 * The `--data` folder of the local runtime: private to its user, held by one runtime at a time.
 *
 * Private: the outbox holds live approval links and the database holds secrets, so folders are
 * 0700 and files 0600, also those an earlier version left readable to others.
 * One holder: two runtimes on the same data would run two JVMs on one database file and two
 * supervisors on the same executions. A lock file holds the pid of the runtime; a second one
 * refuses to start and names it. A lock whose process is gone (a crash, SIGKILL) is taken over.
 */
import {
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { LocalRuntimeError } from './errors.js';

/** Name of the lock file under `--data`. */
export const LOCK_FILE = 'milepost.lock';

/** Creates `dir` (0700) and makes everything under it private: folders 0700, files 0600. */
export function makePrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const walk = (path: string) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return; // never follow a link out of the folder
    if (st.isDirectory()) {
      if ((st.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if ((st.mode & 0o777) !== 0o600) chmodSync(path, 0o600);
  };
  walk(dir);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What the process runs, shortly (from its script on), where the system shows it (Linux); empty elsewhere. */
function commandOf(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const script = args.findIndex((a) => /milepost(\.[cm]?[jt]s)?$|bin\.js$/.test(a));
    const shown = script >= 0 ? args.slice(script) : args.slice(0, 1);
    return shown.join(' ').slice(0, 120);
  } catch {
    return '';
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock of `dir` for this process, or throws a LocalRuntimeError naming the live process
 * that holds it. Returns the release (removes the lock if it is still this process's).
 */
export function lockDataDir(dir: string): () => void {
  const lock = join(dir, LOCK_FILE);
  const mine = `${lock}.${process.pid}`;
  writeFileSync(mine, `${process.pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        // A hard link is created atomically or not at all: two starts cannot both win.
        linkSync(mine, lock);
        return () => {
          if (readPid(lock) === process.pid) unlinkSync(lock);
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readPid(lock);
      // This process counts too: two runtimes in one process on one folder are refused alike.
      if (holder !== undefined && alive(holder)) {
        const cmd = commandOf(holder);
        throw new LocalRuntimeError(
          `${dir} is in use by another milepost runtime: process ${holder}${cmd ? ` (${cmd})` : ''}; stop it or pass --data DIR`,
        );
      }
      // Stale (its process is gone) or unreadable: remove it unless another start replaced it meanwhile.
      if (readPid(lock) === holder) {
        try {
          unlinkSync(lock);
        } catch {
          // Someone else removed it first; try again.
        }
      }
    }
    throw new LocalRuntimeError(`could not take the lock ${lock}: another runtime is starting on ${dir}`);
  } finally {
    unlinkSync(mine);
  }
}
