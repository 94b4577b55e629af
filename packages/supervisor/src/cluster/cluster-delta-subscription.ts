import { isRuntimeError, type StreamDelta } from '@shoal/shared';
import type { DeltaSubscription } from '../events/delta-subscription.js';
import type { ClusterRouter } from './cluster-router.js';
import { FollowingSubscription } from './following-subscription.js';
import type { LocalRuntime } from './local-runtime.js';
import type { PeerClient } from './peer-client.js';
import type { ShardWatchers } from './shard-watchers.js';

/**
 * Live deltas of a session from wherever it is served, following it across owners. Deltas are never
 * stored, so those produced while the subscription moves to a new owner are not seen (as with a slow
 * consumer, they are only a preview of events the event subscription delivers in full).
 */
export class ClusterDeltaSubscription
  extends FollowingSubscription<StreamDelta>
  implements DeltaSubscription
{
  constructor(
    private readonly sessionId: string,
    private readonly router: ClusterRouter,
    private readonly local: LocalRuntime,
    private readonly client: PeerClient,
    private readonly watchers: ShardWatchers,
  ) {
    super();
  }

  protected async *run(): AsyncGenerator<StreamDelta> {
    const shard = this.router.shardOf(this.sessionId);
    while (!this.closed) {
      const target = await this.router.targetOf(shard);
      if (this.closed) return;
      if (target.t === 'local') {
        try {
          await this.local.requestLocal({ t: 'ensureActive', sessionId: this.sessionId });
        } catch (err) {
          if (isRuntimeError(err, 'SESSION_NOT_FOUND')) return;
          await this.router.waiter(shard).next((err as Error).message);
          continue;
        }
        const source = this.local.subscribeDeltasLocal(this.sessionId);
        this.localSource = source;
        const unwatch = this.watchers.add(shard, { shardLost: () => void source.close() });
        try {
          yield* source;
        } finally {
          unwatch();
          this.localSource = undefined;
          await source.close();
        }
      } else {
        const end = yield* this.client.streamDeltas(target.url, this.sessionId, this.abort.signal);
        if (end === 'gone') return;
      }
      if (this.closed) return;
      await this.router.waiter(shard).next(`the delta source of session ${this.sessionId} ended`);
    }
  }
}
