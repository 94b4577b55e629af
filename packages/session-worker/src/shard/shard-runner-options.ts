import type { LogLevel } from '@shoal/shared';
import type { ProviderOptions } from '../providers/registry.js';

/** Everything a shard runner needs, as plain data (it is posted to worker threads). */
export interface ShardRunnerOptions {
  shardIndex: number;
  /** root of per-session workspaces: `<dataDir>/workspaces/<sessionId>` unless a session names its own */
  dataDir: string;
  providers: ProviderOptions;
  logLevel: LogLevel;
  /** an idle session with no subscribers is suspended after this long */
  idleTimeoutMs: number;
  /** commands waiting in one session's mailbox before new ones are refused with OVERLOADED */
  maxPendingPerSession: number;
  /** commands waiting across all sessions of this shard before new ones are refused with OVERLOADED */
  maxPendingPerShard: number;
  /** write a snapshot on suspend when at least this many events were appended since the last one */
  snapshotEveryEvents: number;
  /** a model reply (assistant message, title, compaction summary) larger than this ends its turn with an error */
  maxMessageBytes?: number;
  /** a tool result larger than this becomes a tool error */
  maxToolOutputBytes?: number;
  /** an event larger than this is never appended: the action that made it fails */
  maxEventBytes?: number;
  /** items (user messages, bash commands) waiting in one session's queue; more are refused */
  maxQueuedInputs?: number;
  /** total size of one session's queued content; more is refused */
  maxQueuedBytes?: number;
}

export const DEFAULT_SHARD_LIMITS = {
  maxPendingPerSession: 256,
  maxPendingPerShard: 100_000,
  snapshotEveryEvents: 200,
  maxMessageBytes: 1024 * 1024,
  maxToolOutputBytes: 1024 * 1024,
  maxEventBytes: 4 * 1024 * 1024,
  maxQueuedInputs: 64,
  maxQueuedBytes: 2 * 1024 * 1024,
} as const;
