import type { ShardStore } from '@shoal/session-worker';
import type { SessionEvent, StoredEvent } from '@shoal/shared';
import type { EncodedSnapshot, SessionStore } from '@shoal/store';
import type { SubscriptionHub } from './subscription-hub.js';

/** Told of every acknowledged append: how many events, and how long the store took (ms). */
export type AppendListener = (sessionId: string, events: number, durationMs: number) => void;

/**
 * The store as shards see it: appends go to the real store (where group commit coalesces appends from
 * every shard) and, once acknowledged, are published to subscribers. Nothing is published before it is
 * durable under the chosen durability.
 */
export class PublishingStore implements ShardStore {
  /** Append observers (metrics); empty on the common path, which then costs one size check. */
  readonly appendListeners = new Set<AppendListener>();

  constructor(
    private readonly store: SessionStore,
    private readonly hub: SubscriptionHub,
  ) {}

  /** Initial events are published like appended ones: once the creation's one write is acknowledged. */
  async createSession(
    sessionId: string,
    meta?: Record<string, string>,
    initialEvents?: SessionEvent[],
  ): Promise<void> {
    const started = this.appendListeners.size > 0 ? performance.now() : 0;
    await this.store.createSession(sessionId, meta, initialEvents);
    if (initialEvents !== undefined && initialEvents.length > 0) {
      if (started > 0) this.notifyAppend(sessionId, initialEvents.length, performance.now() - started);
      this.hub.publishEvents(
        sessionId,
        initialEvents,
        initialEvents.map((_, i) => i),
      );
    }
  }

  append(sessionId: string, events: SessionEvent[], opts?: { expectedNextSeq?: number }): Promise<number[]> {
    // Not async (one frame less per append); the stores' append never throws, it rejects.
    const started = this.appendListeners.size > 0 ? performance.now() : 0;
    return this.store.append(sessionId, events, opts).then((seqs) => {
      this.hub.publishEvents(sessionId, events, seqs);
      if (started > 0) this.notifyAppend(sessionId, events.length, performance.now() - started);
      return seqs;
    });
  }

  private notifyAppend(sessionId: string, events: number, durationMs: number): void {
    for (const listener of this.appendListeners) listener(sessionId, events, durationMs);
  }

  loadEventsAfter(sessionId: string, afterSeq: number, opts?: { limit?: number }): Promise<StoredEvent[]> {
    return this.store.loadEventsAfter(sessionId, afterSeq, opts);
  }

  sessionExists(sessionId: string): Promise<boolean> {
    return this.store.sessionExists(sessionId);
  }

  saveSnapshot(sessionId: string, seq: number, snapshot: unknown): Promise<void> {
    return this.store.saveSnapshot(sessionId, seq, snapshot);
  }

  loadLatestSnapshot(sessionId: string): Promise<{ seq: number; snapshot: unknown } | null> {
    return this.store.loadLatestSnapshot(sessionId);
  }

  /** Served to worker shards, which decode snapshots themselves. */
  loadLatestSnapshotEncoded(sessionId: string): Promise<EncodedSnapshot | null> {
    return this.store.loadLatestSnapshotEncoded(sessionId);
  }
}
