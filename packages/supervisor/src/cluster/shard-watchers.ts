/** Something served from this node's copy of a shard, to be cut over when the shard leaves the node. */
export interface ShardWatcher {
  shardLost(): void;
}

/** The local subscriptions and peer streams of each logical shard, so losing a shard ends them at once. */
export class ShardWatchers {
  private readonly byShard = new Map<number, Set<ShardWatcher>>();

  add(shard: number, w: ShardWatcher): () => void {
    let set = this.byShard.get(shard);
    if (!set) {
      set = new Set();
      this.byShard.set(shard, set);
    }
    set.add(w);
    return () => {
      const s = this.byShard.get(shard);
      if (s?.delete(w) && s.size === 0) this.byShard.delete(shard);
    };
  }

  lost(shards: readonly number[]): void {
    for (const shard of shards) for (const w of [...(this.byShard.get(shard) ?? [])]) w.shardLost();
  }
}
