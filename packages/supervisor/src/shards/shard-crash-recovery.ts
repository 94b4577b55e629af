import type { Logger } from 'pino';
import { RuntimeError } from '../errors/runtime-error.js';
import type { SubscriptionHub } from '../events/subscription-hub.js';
import type { ResidentSessions } from './resident-sessions.js';
import type { ShardPool } from './shard-pool.js';

/** What recovering from a dead shard touches. */
export interface CrashRecoveryContext {
  readonly shards: ShardPool;
  /** The sessions resident on the shards; the dead shard's ones are gone. */
  readonly active: ResidentSessions;
  readonly hub: SubscriptionHub;
  readonly logger: Logger;
}

/**
 * A worker died (it is being replaced by its WorkerShard): fail its in-flight commands with SESSION; its
 * sessions are rebuilt from the store on their next command. Subscriber counts are sent again so the
 * new thread knows which sessions are watched.
 */
export function recoverFromShardExit(ctx: CrashRecoveryContext, index: number, error: Error): void {
  const { shards } = ctx;
  shards.failAll(
    index,
    () =>
      new RuntimeError('SESSION', `shard ${index} restarted (${error.message}); the command may be retried`),
  );
  ctx.active.forgetShard(index, (id) => shards.shardFor(id));
  if (shards.isClosing) return;
  ctx.logger.error({ shard: index, err: error }, 'shard died; it is being replaced');
  for (const [sessionId, events, deltas] of ctx.hub.counts()) {
    if (shards.shardFor(sessionId) === index)
      shards.sendTo(index, { t: 'subscribers', sessionId, events, deltas });
  }
}
