/**
 * The sessions resident on the shards (an actor is in memory), as the shards' `activity` messages report
 * them; read by `isSessionActive`/`listActiveSessions` and by the cluster layer.
 */
export class ResidentSessions implements Iterable<string> {
  private readonly ids = new Set<string>();

  /** `onPassivated` runs when a shard reports a session's actor gone from memory. */
  constructor(private readonly onPassivated: (sessionId: string) => void) {}

  report(sessionId: string, active: boolean): void {
    if (active) this.ids.add(sessionId);
    else {
      this.ids.delete(sessionId);
      this.onPassivated(sessionId);
    }
  }

  has(sessionId: string): boolean {
    return this.ids.has(sessionId);
  }

  /** The session's actor is gone without a report (it was deleted). */
  forget(sessionId: string): void {
    this.ids.delete(sessionId);
  }

  /** Shard `index` died: none of its sessions is resident any more. */
  forgetShard(index: number, shardFor: (sessionId: string) => number): void {
    for (const id of [...this.ids]) if (shardFor(id) === index) this.ids.delete(id);
  }

  clear(): void {
    this.ids.clear();
  }

  [Symbol.iterator](): Iterator<string> {
    return this.ids[Symbol.iterator]();
  }
}
