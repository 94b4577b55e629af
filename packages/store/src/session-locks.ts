/**
 * Per-session locks of the LevelDB store: create, delete, snapshot and cache loads of one session run one after
 * another; appends to a cached session never wait here (they are ordered by the group commit's FIFO).
 */
export class SessionLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Whether an operation of the session holds or waits for its lock (its cache entry must stay). */
  has(sessionId: string): boolean {
    return this.tails.has(sessionId);
  }

  /** Runs `fn` once every earlier operation of the session has settled. */
  run<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(sessionId) ?? Promise.resolve();
    let tail: Promise<void> | undefined;
    // Released before `run` settles, so a caller that awaited the operation sees the session unlocked (and
    // its cache entry evictable, e.g. `await saveSnapshot(); evictSession()`).
    const release = (): void => {
      if (this.tails.get(sessionId) === tail) this.tails.delete(sessionId);
    };
    const run = prev.then(fn).finally(release);
    tail = run.then(noop, noop);
    this.tails.set(sessionId, tail);
    return run;
  }

  /** Settles once every operation holding or waiting for a lock now has settled. */
  async drain(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }
}

function noop(): void {}
