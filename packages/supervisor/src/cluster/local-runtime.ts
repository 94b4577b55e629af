import type { StoredEvent, StreamDelta } from '@shoal/shared';
import type { PeerCommand } from './peer-protocol.js';

/** A subscription of this node's own subscription hub. */
export interface LocalSubscription<T> extends AsyncIterable<T> {
  close(): Promise<void>;
}

/** What the cluster layer needs of the runtime it is part of: its own shards and subscription hub. */
export interface LocalRuntime {
  /** Runs a shard command on this node's worker shards (the caller made sure this node owns it). */
  requestLocal(cmd: PeerCommand): Promise<unknown>;
  subscribeEventsLocal(sessionId: string, afterSeq: number): LocalSubscription<StoredEvent>;
  subscribeDeltasLocal(sessionId: string): LocalSubscription<StreamDelta>;
  /** Stops the actors of these sessions here (their shard moved); what they had queued is refused. */
  evictLocal(sessionIds: readonly string[]): void;
  /** The sessions resident on this node's shards. */
  activeSessions(): Iterable<string>;
  latestSequence(sessionId: string): Promise<number | null>;
}
