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
} from '@shoal/session-worker';
import { fromWireError, type LogLevel } from '@shoal/shared';
import { RuntimeError } from '../errors/runtime-error.js';
import { parseArg } from '../validation/arguments.js';

/**
 * What `Runtime.inspectShard(i)` returns: shard `i`'s `ShardInspection`, the same type whether the shard
 * runs on a worker thread (its comlink line) or on the caller's thread (`shards: 0`, called directly).
 * Arguments are checked here, before they travel; every failure reaches the caller as a `RuntimeError`.
 * Each call goes to the shard's current thread: after a crash, to its replacement once it is up.
 */
export class ShardInspectionClient implements ShardInspection {
  constructor(
    readonly shard: number,
    /** the shard's inspection on its current thread (waits for a replacement thread to be up) */
    private readonly target: () => Promise<ShardInspection>,
  ) {}

  async stats(): Promise<ShardStats> {
    return this.call('stats', (t) => t.stats());
  }

  async residentSessions(): Promise<ResidentSession[]> {
    return this.call('residentSessions', (t) => t.residentSessions());
  }

  async heap(options?: HeapOptions): Promise<ShardHeap> {
    const checked = parseArg(HeapOptionsSchema, options ?? {}, 'options');
    return this.call('heap', (t) => t.heap(checked));
  }

  async setLogLevel(level: LogLevel): Promise<void> {
    const checked = parseArg(LogLevelSchema, level, 'level');
    return this.call('setLogLevel', (t) => t.setLogLevel(checked));
  }

  async chaos(how: ChaosHow): Promise<void> {
    const checked = parseArg(ChaosHowSchema, how, 'how');
    return this.call('chaos', (t) => t.chaos(checked));
  }

  private async call<T>(what: string, fn: (target: ShardInspection) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.target());
    } catch (err) {
      throw inspectionError(this.shard, what, err);
    }
  }
}

/**
 * The one mapping of what an inspection call can fail with. A shard's own error keeps its code; what
 * comlink rethrows from a worker has lost its class and becomes `SESSION`, like any other fault there.
 */
function inspectionError(shard: number, what: string, err: unknown): RuntimeError {
  if (err instanceof RuntimeError) return err;
  // An error that carries a code of its own is read as a wire error: checked, never cast.
  if (err instanceof Error && typeof (err as { code?: unknown }).code === 'string') return fromWireError(err);
  const message = err instanceof Error ? err.message : String(err);
  return new RuntimeError('SESSION', `shard ${shard}: ${what} failed: ${message}`, undefined, undefined, {
    cause: err,
  });
}
