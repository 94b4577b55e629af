import { invalidArgument } from './errors.js';
import type { Durability } from './event-store.js';
import type { EventValidator } from './validate.js';

export interface LevelEventStoreOptions {
  /**
   * `fsync` (default): an append resolves only after its batch was written with sync, so it survives a
   * machine crash or power loss. `buffered`: no sync; an acknowledged append survives a process crash
   * (the data is in the OS page cache) but the last moments before a machine crash may be lost.
   */
  durability?: Durability;
  /** Checks each appended event; default `SessionEventSchema.parse` from `@shoal/shared`. */
  validateEvent?: EventValidator;
  /** Clock for catalog times (ms since epoch); default `Date.now`. Injected by tests. */
  now?: () => number;
  /**
   * Group-commit tuning: start a batch write as soon as this many operations wait (and none is in flight)
   * instead of at the end of the event-loop turn, so the rest of the turn's appends are prepared while it is
   * on disk. Default `'auto'`: appends that arrive in one turn share one batch and one sync, except that
   * after a batch of 512 or more appends the next wave goes out in two halves (group-commit.ts). `Infinity`:
   * always one batch per turn.
   */
  flushAtOps?: number | 'auto';
  /**
   * How many sessions' sequence/catalog state is kept in memory (~0.25 KiB each, README "Session cache"); the
   * least recently used idle ones beyond it are dropped and reloaded from disk (two reads) on their next use.
   * A positive integer or `Infinity`; default 10,000. Size it above the sessions appending concurrently.
   */
  maxCachedSessions?: number;
}

/** Default bound of the session cache (README "Session cache": ~2.3 MiB, far above the active working set). */
export const DEFAULT_MAX_CACHED_SESSIONS = 10_000;

/** The options `LevelEventStore.open` checks before it touches the disk, with their defaults applied. */
export function checkOpenOptions(opts: LevelEventStoreOptions): {
  durability: Durability;
  flushAtOps: number | 'auto' | undefined;
  maxCachedSessions: number;
} {
  const durability = opts.durability ?? 'fsync';
  if (durability !== 'fsync' && durability !== 'buffered') {
    throw invalidArgument(`durability must be 'fsync' or 'buffered', got ${String(durability)}`);
  }
  const flushAtOps = opts.flushAtOps;
  if (
    flushAtOps !== undefined &&
    flushAtOps !== 'auto' &&
    !(typeof flushAtOps === 'number' && flushAtOps >= 1)
  ) {
    throw invalidArgument(`flushAtOps must be a number >= 1 or 'auto', got ${String(flushAtOps)}`);
  }
  const maxCachedSessions = opts.maxCachedSessions ?? DEFAULT_MAX_CACHED_SESSIONS;
  if (
    !(Number.isInteger(maxCachedSessions) && maxCachedSessions >= 1) &&
    maxCachedSessions !== Number.POSITIVE_INFINITY
  ) {
    throw invalidArgument(
      `maxCachedSessions must be a positive integer or Infinity, got ${String(maxCachedSessions)}`,
    );
  }
  return { durability, flushAtOps, maxCachedSessions };
}
