import type { SessionStore } from '@shoal/store';
import type { Logger } from 'pino';
import type { LocalRuntime } from './cluster/local-runtime.js';
import type { SubscriptionHub } from './events/subscription-hub.js';
import type { ShardPool, ShardRequest } from './shards/shard-pool.js';

/** What the cluster layer may do on this node: run commands on its shards, read its subscription hub. */
export function localRuntimeOf(node: {
  readonly shards: ShardPool;
  readonly hub: SubscriptionHub;
  readonly active: Iterable<string>;
  readonly store: SessionStore;
  readonly logger: Logger;
}): LocalRuntime {
  const { shards, hub, store, logger } = node;
  return {
    requestLocal: (cmd) => shards.request(shards.shardFor(cmd.sessionId), { ...cmd, id: 0 } as ShardRequest),
    subscribeEventsLocal: (sessionId, afterSeq) => hub.subscribeEvents(sessionId, afterSeq),
    subscribeDeltasLocal: (sessionId) => hub.subscribeDeltas(sessionId),
    evictLocal: (sessionIds) => {
      // Suspending (not deleting) stops the actor; what was queued behind it runs on a fresh actor whose
      // appends the fence refuses, so each such command is routed again to the new owner.
      for (const sessionId of sessionIds) {
        shards
          .request(shards.shardFor(sessionId), { t: 'suspend', id: 0, sessionId }, true)
          .catch((err: unknown) => logger.debug({ err, sessionId }, 'suspend after losing the shard failed'));
      }
    },
    activeSessions: () => node.active,
    latestSequence: (sessionId) => store.latestSequence(sessionId),
  };
}
