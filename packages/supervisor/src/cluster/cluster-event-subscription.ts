import { isRuntimeError, type StoredEvent } from '@shoal/shared';
import type { EventSubscription } from '../events/event-subscription.js';
import type { ClusterRouter } from './cluster-router.js';
import { FollowingSubscription } from './following-subscription.js';
import type { LocalRuntime } from './local-runtime.js';
import type { PeerClient } from './peer-client.js';
import type { ShardWatchers } from './shard-watchers.js';

/** How long a peer's stream must have stayed open to count as the session having been served. */
const SERVED_STREAM_MS = 1_000;

/**
 * An event subscription that follows its session across owners. It reads from wherever the shard is
 * served — this node's hub, or the owner's event stream — always asking for `seq > lastSeq`, the last
 * event it delivered. When the source ends (the shard moved, the owner died), it finds the new owner and
 * resumes from `lastSeq`: each source yields stored events from PostgreSQL first, then live ones, so the
 * sequence has no gap and no duplicate across owner changes. It ends when the session is deleted, and
 * fails (`SESSION`/`NoOwner`) only when no node served the session for the router's whole deadline: the
 * deadline starts again whenever a source served it, so an idle session survives any number of moves.
 */
export class ClusterEventSubscription
  extends FollowingSubscription<StoredEvent>
  implements EventSubscription
{
  constructor(
    private readonly sessionId: string,
    private lastSeq: number,
    private readonly router: ClusterRouter,
    private readonly local: LocalRuntime,
    private readonly client: PeerClient,
    private readonly watchers: ShardWatchers,
  ) {
    super();
  }

  protected async *run(): AsyncGenerator<StoredEvent> {
    const shard = this.router.shardOf(this.sessionId);
    const wait = () => this.router.waiter(shard);
    let backoff = wait();
    while (!this.closed) {
      const target = await this.router.targetOf(shard);
      if (this.closed) return;
      let delivered = false;
      let served = false;
      if (target.t === 'local') {
        // Resume the session here first, so its interrupted work is recovered and its events flow.
        try {
          await this.local.requestLocal({ t: 'ensureActive', sessionId: this.sessionId });
        } catch (err) {
          if (isRuntimeError(err, 'SESSION_NOT_FOUND')) return;
          await backoff.next((err as Error).message);
          continue;
        }
        const source = this.local.subscribeEventsLocal(this.sessionId, this.lastSeq);
        // Served here: the deadline for finding an owner starts again from the next move.
        served = true;
        this.localSource = source;
        const unwatch = this.watchers.add(shard, { shardLost: () => void source.close() });
        try {
          for await (const e of source) {
            if (e.seq <= this.lastSeq) continue;
            this.lastSeq = e.seq;
            delivered = true;
            yield e;
          }
        } finally {
          unwatch();
          this.localSource = undefined;
          await source.close();
        }
      } else {
        const opened = performance.now();
        const stream = this.client.streamEvents(target.url, this.sessionId, this.lastSeq, this.abort.signal);
        for (;;) {
          const r = await stream.next();
          if (r.done) {
            if (r.value === 'gone') return;
            break;
          }
          const e = r.value;
          if (e.seq <= this.lastSeq) continue;
          if (e.seq !== this.lastSeq + 1) break; // never expected; resume from what we have
          this.lastSeq = e.seq;
          delivered = true;
          yield e;
        }
        // A stream that stayed open a while was a working source (an idle session delivers nothing).
        served = performance.now() - opened >= SERVED_STREAM_MS;
      }
      if (this.closed) return;
      if (delivered || served) backoff = wait();
      await backoff.next(`the event source of session ${this.sessionId} ended`);
    }
  }
}
