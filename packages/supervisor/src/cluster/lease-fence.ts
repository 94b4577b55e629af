import { shardOf } from '@shoal/shared';
import { ClusterError } from './cluster-error.js';
import { LEASE_TABLE } from './cluster-schema.js';
import type { LeaseManager } from './lease-manager.js';

/** The shape of the PostgreSQL store's `appendFence` option (its statements.ts). */
export interface LeaseAppendFence {
  condition: string;
  valueFor(sessionId: string): string;
  rejected(sessionId: string): Error;
}

/**
 * The epoch fence: the store's append statement commits a session's events only while the lease row of
 * the session's shard still names this node under the epoch this node holds. The value travels with each
 * append as `shard:epoch:nodeId` (no literal in the SQL, so one prepared statement serves every node).
 * `FOR KEY SHARE` on the lease row makes the check exact: a takeover locks the row `FOR UPDATE`, so it
 * waits for appends in flight under the old epoch and every append after it sees the new epoch. A node
 * that no longer believes it holds the shard sends epoch -1, which never matches.
 */
export function leaseFence(
  leases: LeaseManager,
  logicalShards: number,
  /** told of every append the fence refused (for the node's log and counters) */
  onRefused: (shard: number, sessionId: string) => void = () => undefined,
): LeaseAppendFence {
  return {
    condition: `EXISTS (SELECT 1 FROM ${LEASE_TABLE} l
      WHERE l.shard = split_part(i.fence, ':', 1)::int
        AND l.epoch = split_part(i.fence, ':', 2)::bigint
        AND l.owner = split_part(i.fence, ':', 3)
      FOR KEY SHARE)`,
    valueFor(sessionId: string): string {
      const shard = shardOf(sessionId, logicalShards);
      return `${shard}:${leases.epochOf(shard) ?? -1}:${leases.nodeId}`;
    },
    rejected(sessionId: string): Error {
      const shard = shardOf(sessionId, logicalShards);
      onRefused(shard, sessionId);
      return new ClusterError(
        'LEASE_LOST',
        `node ${leases.nodeId} no longer holds the lease of shard ${shard} (session ${sessionId}); nothing was written`,
      );
    },
  };
}
