import { z } from 'zod';

/** Default number of logical shards; fixed for the life of a database (every node must agree). */
export const DEFAULT_LOGICAL_SHARDS = 1024;
/** Default lease time-to-live: a dead node's shards are served again about this long after it died. */
export const DEFAULT_LEASE_TTL_MS = 10_000;

/**
 * api.md `RuntimeOptions.cluster`. `advertiseUrl` is also where the node listens for its peers (its host
 * and port); port 0 picks a free port and advertises the one bound.
 */
export const ClusterOptionsSchema = z
  .object({
    nodeId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-", at most 64 characters'),
    advertiseUrl: z
      .string()
      .url()
      // zod runs these even after `.url()` failed: a text that is no URL must not reach `new URL`.
      .refine((u) => !URL.canParse(u) || new URL(u).protocol === 'http:', 'must be an http:// URL')
      .refine((u) => !URL.canParse(u) || new URL(u).pathname === '/', 'must have no path'),
    logicalShards: z.number().int().min(1).max(65_536).default(DEFAULT_LOGICAL_SHARDS),
    leaseTtlMs: z.number().int().min(300).max(600_000).default(DEFAULT_LEASE_TTL_MS),
  })
  .strict();

export type ClusterOptions = z.input<typeof ClusterOptionsSchema>;
export type ResolvedClusterOptions = z.output<typeof ClusterOptionsSchema>;

/** The environment variable holding the shared secret peers present on the internal endpoint. */
export const CLUSTER_SECRET_ENV = 'SHOAL_CLUSTER_SECRET';

/** Timings derived from the TTL: renew 4 times per TTL, stop serving a quarter TTL before it ends. */
export function leaseTimings(leaseTtlMs: number): { renewEveryMs: number; safeForMs: number } {
  return {
    renewEveryMs: Math.max(50, Math.floor(leaseTtlMs / 4)),
    safeForMs: Math.floor((leaseTtlMs * 3) / 4),
  };
}
