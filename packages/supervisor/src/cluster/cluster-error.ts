/**
 * Errors of the cluster layer, each with a stable code. The runtime maps them once, at its boundary:
 * start-up ones to `INVALID_INPUT`/`EVENT_STORE`, routing ones to the retryable `SESSION`.
 * - `SHARD_COUNT_MISMATCH`: the node's `logicalShards` differs from the one recorded in the database.
 * - `NODE_ID_IN_USE`: another live process heartbeats under this node id.
 * - `NOT_OWNER`: the node asked to serve a session does not hold the lease of its shard.
 * - `NO_OWNER`: no live node took the session's shard within the routing deadline.
 * - `PEER_FAILED`: the owner failed or went away while a forwarded command was in flight (it may have run).
 * - `UNAUTHORIZED`: a peer request without the cluster secret.
 * - `LEASE_LOST`: the epoch fence refused an append (nothing written); the shard moved to another node.
 */
export type ClusterErrorCode =
  | 'SHARD_COUNT_MISMATCH'
  | 'NODE_ID_IN_USE'
  | 'NOT_OWNER'
  | 'NO_OWNER'
  | 'PEER_FAILED'
  | 'UNAUTHORIZED'
  | 'LEASE_LOST';

export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  constructor(
    readonly code: ClusterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isClusterError(err: unknown, code?: ClusterErrorCode): err is ClusterError {
  return err instanceof ClusterError && (code === undefined || err.code === code);
}
