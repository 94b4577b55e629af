import { runtimeErrorFromStore } from '@shoal/session-worker';
import { toWireError } from '@shoal/shared';
import { RuntimeError } from '../errors/runtime-error.js';
import type { PublishingStore } from '../events/publishing-store.js';
import type { ShardLink } from '../shards/shard-link.js';

/**
 * Serves the store requests of worker shards: they append and read through the main thread's one store
 * (one LevelDB, one group commit for all shards); the reply goes back over the shard's link.
 */
export class StoreRpcServer {
  constructor(private readonly publishing: PublishingStore) {}

  serve(link: ShardLink, id: number, op: string, args: unknown[]): void {
    const s = this.publishing as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const fn = s[op];
    if (typeof fn !== 'function') {
      const error = new RuntimeError('SESSION', `unknown store op ${op}`);
      link.send({ t: 'storeReply', id, ok: false, error: toWireError(error) });
      return;
    }
    fn.apply(this.publishing, args).then(
      (value) => link.send({ t: 'storeReply', id, ok: true, value }),
      // The worker's side of the store boundary; in-process shards map the same way (ShardRunner).
      (err: unknown) =>
        link.send({ t: 'storeReply', id, ok: false, error: toWireError(runtimeErrorFromStore(err)) }),
    );
  }
}
