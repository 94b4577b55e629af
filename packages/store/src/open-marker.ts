import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { StoreError } from './errors.js';

/*
 * Why this exists: LevelDB refuses a second open of a directory in the same process ("already held by
 * process"), but only after it opened the LOCK file a second time, and it then closes that descriptor. POSIX
 * record locks belong to the process, and closing *any* descriptor of the file drops them: the first store
 * keeps running with no lock, and another process can open the database and write beside it (acknowledged data
 * lost on the next open). So a second open in this process must be refused before LevelDB is touched.
 *
 * The registry is a marker file inside the database directory, named after this process: creating it with
 * O_EXCL is atomic across every thread of the process (worker threads have their own module state, so a
 * module-level Set would not see them), and it follows the directory itself, whatever path (symlink, `..`,
 * bind mount) names it. Markers of other processes are ignored (LevelDB's own lock decides between processes)
 * and removed once this process holds the LevelDB lock; a crashed process leaves its marker behind, which no
 * later process reuses because the name includes the process's start time and the machine's boot id.
 */

const MARKER_PREFIX = 'SHOAL-OPEN-';

let cachedToken: string | undefined;

/** Identifies this process (all its threads) uniquely on this machine, across reboots and pid reuse. */
function processToken(): string {
  if (cachedToken !== undefined) return cachedToken;
  let token = `${process.pid}`;
  try {
    // /proc/self is the process (thread group), the same for every thread. Field 22 is the start time.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    token += `-${fields[19]}-${boot}`;
  } catch {
    // Not Linux: the pid alone. A crash followed by pid reuse before the next successful open of the same
    // directory would then make that directory look open here (README "Locking").
  }
  cachedToken = token;
  return token;
}

/** The held marker of one open store; `release` removes it (idempotent). */
export interface OpenMarker {
  release(): void;
  /** Removes markers left by other processes (call once this process holds the LevelDB lock). */
  clearStale(): void;
}

/** Claims `dir` for this process, or fails with LOCKED if a store of this process (any thread) has it open. */
export function claimDirectory(dir: string): OpenMarker {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new StoreError('IO', `cannot open ${dir}: ${String(err)}`, { cause: err });
  }
  const name = MARKER_PREFIX + processToken();
  const file = join(dir, name);
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new StoreError(
        'LOCKED',
        `cannot open ${dir}: another store of this process has it open (refused before touching LevelDB, whose second open would drop the first one's lock)`,
      );
    }
    throw new StoreError('IO', `cannot open ${dir}: ${String(err)}`, { cause: err });
  }
  try {
    writeSync(fd, `pid ${process.pid} thread ${threadId}\n`);
  } finally {
    closeSync(fd);
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      try {
        unlinkSync(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    },
    clearStale() {
      for (const entry of readdirSync(dir)) {
        if (entry.startsWith(MARKER_PREFIX) && entry !== name) {
          try {
            unlinkSync(join(dir, entry));
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          }
        }
      }
    },
  };
}
