import type { SessionEvent, StoredEvent } from '@shoal/shared';

/**
 * What a shard needs of the event store. With `shards: 0` this is the runtime's store itself; inside a
 * worker thread it is a `PortStoreClient` that forwards each call to the main thread, which owns the one
 * LevelDB (LevelDB locks its directory) and coalesces appends from every shard into one group commit.
 */
export interface ShardStore {
  /** `initialEvents` are written at seq 0.. in the same atomic write as the registration (EventStore). */
  createSession(
    sessionId: string,
    meta?: Record<string, string>,
    initialEvents?: SessionEvent[],
  ): Promise<void>;
  append(sessionId: string, events: SessionEvent[], opts?: { expectedNextSeq?: number }): Promise<number[]>;
  loadEventsAfter(sessionId: string, afterSeq: number, opts?: { limit?: number }): Promise<StoredEvent[]>;
  sessionExists(sessionId: string): Promise<boolean>;
  saveSnapshot(sessionId: string, seq: number, snapshot: unknown): Promise<void>;
  loadLatestSnapshot(sessionId: string): Promise<{ seq: number; snapshot: unknown } | null>;
}
