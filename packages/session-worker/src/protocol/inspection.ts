import type { HeapInfo } from 'node:v8';
import { LOG_LEVELS, type LogLevel } from '@shoal/shared';
import { z } from 'zod';

/**
 * The control plane of one shard: low-rate questions and orders (figures, the resident sessions, the heap,
 * the log level, fault injection for chaos tests). On a worker thread it is served with comlink on a
 * `MessageChannel` of its own, beside (never on) the batched command port; with `shards: 0` the same object
 * is called directly. Every method answers with plain structured-cloneable data.
 */
export interface ShardInspection {
  /** The shard's counters and its thread's memory and event-loop figures. */
  stats(): Promise<ShardStats>;
  /** One entry per session whose actor is in memory on this shard, in no particular order. */
  residentSessions(): Promise<ResidentSession[]>;
  /** The V8 heap of the shard's thread, after a full garbage collection when asked and possible. */
  heap(options?: HeapOptions): Promise<ShardHeap>;
  /** Changes the level of the shard's logger (and of its sessions' loggers) from now on. */
  setLogLevel(level: LogLevel): Promise<void>;
  /**
   * Fault injection, for chaos tests: `'throw'` (an uncaught error) or `'exit'` (`process.exit`) makes the
   * worker thread die as a real fault would, right after this call resolves; `'unreadableReply'` makes the
   * batch carrying the shard's next reply unreadable on the main thread. Only a worker thread can do this.
   */
  chaos(how: ChaosHow): Promise<void>;
}

export type ChaosHow = 'throw' | 'exit' | 'unreadableReply';

export const LogLevelSchema = z.enum(LOG_LEVELS);
export const ChaosHowSchema = z.enum(['throw', 'exit', 'unreadableReply']);

export interface ShardStats {
  shard: number;
  /** `worker_threads.threadId` of the thread the shard runs on (0: the main thread) */
  threadId: number;
  /** session actors in memory */
  residentSessions: number;
  /** resident sessions with at least one event or delta subscriber */
  watchedSessions: number;
  /** commands accepted and not yet answered, across the shard's sessions (bounded by `maxPendingPerShard`) */
  pendingCommands: number;
  /** store calls sent to the main thread and not yet answered */
  pendingStoreCalls: number;
  logLevel: LogLevel;
  /** `process.memoryUsage()` read on the shard's thread: the heap figures are that thread's isolate */
  memory: NodeJS.MemoryUsage;
  /** `performance.eventLoopUtilization()` of the shard's thread, cumulative since it started; diff two readings */
  eventLoop: { idle: number; active: number; utilization: number };
}

export interface ResidentSession {
  sessionId: string;
  /** commands waiting in the session's mailbox, the running one included */
  pendingCommands: number;
  /** an operation (model call, tool) is running */
  busy: boolean;
  /** epoch milliseconds of the session's last command or event */
  lastActivityMs: number;
  subscribers: { events: number; deltas: number };
}

export interface HeapOptions {
  /** run a full garbage collection first (only possible when node runs with `--expose-gc`) */
  collectGarbage?: boolean;
}

export const HeapOptionsSchema = z.object({ collectGarbage: z.boolean().optional() }).strict();

export interface ShardHeap {
  shard: number;
  threadId: number;
  /** whether a full garbage collection ran just before the reading */
  collectedGarbage: boolean;
  /** `v8.getHeapStatistics()` of the shard's thread */
  statistics: HeapInfo;
}
