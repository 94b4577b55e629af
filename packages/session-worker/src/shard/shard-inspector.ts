import { getHeapStatistics } from 'node:v8';
import { threadId } from 'node:worker_threads';
import { type LogLevel, RuntimeError } from '@shoal/shared';
import {
  type ChaosHow,
  ChaosHowSchema,
  type HeapOptions,
  HeapOptionsSchema,
  LogLevelSchema,
  type ResidentSession,
  type ShardHeap,
  type ShardInspection,
  type ShardStats,
} from '../protocol/inspection.js';

/** What an inspector reads and changes on its shard (ShardRunner). */
export interface InspectedShard {
  readonly shardIndex: number;
  readonly residentSessions: number;
  readonly watchedSessions: number;
  readonly pendingCommands: number;
  readonly pendingStoreCalls: number;
  readonly logLevel: LogLevel;
  setLogLevel(level: LogLevel): void;
  residents(): ResidentSession[];
}

/**
 * The shard's `ShardInspection`, answered on the shard's own thread. Arguments are checked here too: on a
 * worker thread they arrive over a port from whoever holds its other end. `injectFault` exists only on a
 * worker thread (worker-entry.ts); in-process there is no thread of the shard's own to break.
 */
export class ShardInspector implements ShardInspection {
  constructor(
    private readonly shard: InspectedShard,
    private readonly injectFault?: (how: ChaosHow) => void,
  ) {}

  async stats(): Promise<ShardStats> {
    const s = this.shard;
    const elu = performance.eventLoopUtilization();
    return {
      shard: s.shardIndex,
      threadId,
      residentSessions: s.residentSessions,
      watchedSessions: s.watchedSessions,
      pendingCommands: s.pendingCommands,
      pendingStoreCalls: s.pendingStoreCalls,
      logLevel: s.logLevel,
      memory: process.memoryUsage(),
      eventLoop: { idle: elu.idle, active: elu.active, utilization: elu.utilization },
    };
  }

  async residentSessions(): Promise<ResidentSession[]> {
    return this.shard.residents();
  }

  async heap(options: HeapOptions = {}): Promise<ShardHeap> {
    const { collectGarbage } = HeapOptionsSchema.parse(options);
    const gc = (globalThis as { gc?: unknown }).gc;
    const collect = collectGarbage === true && typeof gc === 'function';
    if (collect) {
      gc();
      gc(); // a second pass collects what the first one's finalizers released
    }
    return {
      shard: this.shard.shardIndex,
      threadId,
      collectedGarbage: collect,
      statistics: getHeapStatistics(),
    };
  }

  async setLogLevel(level: LogLevel): Promise<void> {
    this.shard.setLogLevel(LogLevelSchema.parse(level));
  }

  async chaos(how: ChaosHow): Promise<void> {
    const checked = ChaosHowSchema.parse(how);
    if (!this.injectFault) {
      throw new RuntimeError(
        'INVALID_INPUT',
        'this shard runs on the caller’s thread: there is no thread to break',
      );
    }
    this.injectFault(checked);
  }
}
