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
      link.send({
        t: 'storeReply',
        id,
        ok: false,
        error: { code: 'SESSION', message: `unknown store op ${op}`, origin: 'host' },
      });
      return;
    }
    fn.apply(this.publishing, args).then(
      (value) => link.send({ t: 'storeReply', id, ok: true, value }),
      (err: Error & { code?: string }) =>
        link.send({
          t: 'storeReply',
          id,
          ok: false,
          error: {
            code: err.code ?? 'IO',
            message: err.message,
            details: (err as { details?: unknown }).details,
            origin: 'store',
          },
        }),
    );
  }
}
