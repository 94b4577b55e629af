import type { Action, SessionConfig, StreamDelta, WireError } from '@shoal/shared';
import type { ShardRunnerOptions } from '../shard/shard-runner-options.js';

/**
 * The shard protocol. Every message is plain, structured-cloneable data, so the same protocol runs over a
 * worker thread's MessagePort (`shards > 0`) and in-process through a direct call (`shards: 0`).
 *
 * Main → shard: `ShardCommand`. Shard → main: `ShardMessage`. Requests carry a numeric `id` that the reply
 * echoes. The shard reaches the event store (owned by the main thread) with `StoreRequest`s.
 */
export type ShardCommand =
  | { t: 'init'; options: ShardRunnerOptions }
  | { t: 'create'; id: number; sessionId: string; config: SessionConfig; metadata: Record<string, string> }
  | { t: 'dispatch'; id: number; sessionId: string; action: Action }
  | { t: 'getState'; id: number; sessionId: string }
  | { t: 'ensureActive'; id: number; sessionId: string }
  | { t: 'suspend'; id: number; sessionId: string }
  | { t: 'evict'; id: number; sessionId: string }
  | { t: 'subscribers'; sessionId: string; events: number; deltas: number }
  | { t: 'storeReply'; id: number; ok: true; value: unknown }
  | { t: 'storeReply'; id: number; ok: false; error: WireError }
  // The main thread could not read the shard's post number `seq` (`messageerror`): fail what it carried.
  | { t: 'lost'; seq: number }
  // The main thread no longer knows what one of its own lost posts carried: fail every store call waiting.
  | { t: 'lostUnknown' }
  | { t: 'shutdown'; id: number };

export type ShardMessage =
  | { t: 'ready' }
  | { t: 'reply'; id: number; ok: true; value: unknown }
  | { t: 'reply'; id: number; ok: false; error: WireError }
  | { t: 'store'; id: number; op: StoreOp; args: unknown[] }
  | { t: 'deltas'; sessionId: string; deltas: StreamDelta[] }
  | { t: 'activity'; sessionId: string; active: boolean }
  // The shard could not read the main thread's post number `seq` (`messageerror`): fail what it carried.
  | { t: 'lost'; seq: number }
  // The shard no longer knows what one of its lost posts carried: fail every request in flight on it.
  | { t: 'lostUnknown' }
  // Fault injection `unreadableReply` (protocol/inspection.ts): a value too deep for the main thread to
  // deserialise; never read.
  | { t: 'chaosJunk'; value: unknown };

/** Store operations a shard may ask of the main thread (a subset of `EventStore` plus snapshots). */
export type StoreOp =
  | 'createSession'
  | 'append'
  | 'loadEventsAfter'
  | 'sessionExists'
  | 'saveSnapshot'
  | 'loadLatestSnapshotEncoded';
