import type { ProviderOptions } from '../providers/registry.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Everything a shard host needs, as plain data (it is posted to worker threads). */
export interface ShardHostOptions {
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
}

export const DEFAULT_HOST_LIMITS = {
  maxPendingPerSession: 256,
  maxPendingPerShard: 100_000,
  snapshotEveryEvents: 200,
} as const;
