import { fmix32, fnv1a32 } from '@shoal/shared';

/**
 * Where each logical shard should live, by rendezvous (highest-random-weight) hashing: every node scores
 * every shard with a hash of (node, shard) and the highest score wins. Pure and deterministic, so every
 * node computes the same placement from the same membership, and a change of membership moves only what
 * it must: when a node leaves, only its shards move (each to the runner-up); when a node joins, only the
 * shards it now wins move (to it). Ties (vanishingly rare) go to the smaller node id.
 */
export function placeShards(logicalShards: number, nodeIds: readonly string[]): (string | null)[] {
  if (!Number.isSafeInteger(logicalShards) || logicalShards < 1) {
    throw new RangeError(`logicalShards must be a positive integer, got ${String(logicalShards)}`);
  }
  const nodes = [...new Set(nodeIds)].sort();
  const nodeHashes = nodes.map((id) => fmix32(fnv1a32(id)));
  const owners: (string | null)[] = new Array(logicalShards).fill(null);
  for (let shard = 0; shard < logicalShards; shard++) {
    const shardHash = fmix32(Math.imul(shard + 1, 0x9e3779b1));
    let best = -1;
    let bestScore = -1;
    for (let i = 0; i < nodes.length; i++) {
      const score = fmix32((nodeHashes[i]! ^ shardHash) >>> 0);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    owners[shard] = best < 0 ? null : nodes[best]!;
  }
  return owners;
}

/** The shards `placeShards` gives to `nodeId`, ascending. */
export function shardsPlacedOn(owners: readonly (string | null)[], nodeId: string): number[] {
  const mine: number[] = [];
  for (let shard = 0; shard < owners.length; shard++) if (owners[shard] === nodeId) mine.push(shard);
  return mine;
}
