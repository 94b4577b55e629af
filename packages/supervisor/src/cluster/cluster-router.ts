import { fromWireError, shardOf } from '@shoal/shared';
import type { Logger } from 'pino';
import { RuntimeError } from '../errors/runtime-error.js';
import { isClusterError } from './cluster-error.js';
import { leaseTimings } from './cluster-options.js';
import type { LeaseManager } from './lease-manager.js';
import type { LocalRuntime } from './local-runtime.js';
import type { PeerClient } from './peer-client.js';
import { isReadOnly, type PeerCommand } from './peer-protocol.js';

/** Where a shard is served: here, or at a peer's address. */
export type ShardTarget = { t: 'local' } | { t: 'peer'; nodeId: string; url: string };

/** An append the epoch fence refused: nothing was written, so the command may run elsewhere. */
export function isLeaseLost(err: unknown): boolean {
  return err instanceof RuntimeError && err.code === 'SESSION' && err.kind === 'LeaseLost';
}

/**
 * Serves a command wherever its session's shard is: locally when this node holds the lease, else at the
 * owner. What provably did not run (the owner said it is not the owner, its append was fenced, or it
 * could not be reached) is routed again once the owner map is refreshed, until `routeDeadlineMs`; what
 * may have run on an owner that failed rejects with the retryable `SESSION` code (reads are retried).
 */
export class ClusterRouter {
  private readonly renewEveryMs: number;
  /** Long enough for a dead owner's lease to expire and a survivor to take it, with room to spare. */
  private readonly routeDeadlineMs: number;

  constructor(
    private readonly leases: LeaseManager,
    private readonly local: LocalRuntime,
    private readonly client: PeerClient,
    private readonly logicalShards: number,
    leaseTtlMs: number,
    private readonly logger: Logger,
  ) {
    this.renewEveryMs = leaseTimings(leaseTtlMs).renewEveryMs;
    this.routeDeadlineMs = 2 * leaseTtlMs + 10_000;
  }

  shardOf(sessionId: string): number {
    return shardOf(sessionId, this.logicalShards);
  }

  async route(cmd: PeerCommand): Promise<unknown> {
    const shard = this.shardOf(cmd.sessionId);
    const wait = this.waiter(shard);
    for (;;) {
      const target = await this.targetOf(shard, wait);
      try {
        if (target.t === 'local') return await this.local.requestLocal(cmd);
        const result = await this.client.forward(target.url, cmd);
        if (result.t === 'notOwner') {
          await wait.next('the node asked does not own the shard');
          continue;
        }
        if (result.reply.ok) return result.reply.value;
        throw fromWireError(result.reply.error);
      } catch (err) {
        if (isLeaseLost(err) || isClusterError(err, 'NO_OWNER')) {
          await wait.next((err as Error).message);
          continue;
        }
        if (isClusterError(err, 'PEER_FAILED')) {
          if (isReadOnly(cmd)) {
            await wait.next(err.message);
            continue;
          }
          throw new RuntimeError(
            'SESSION',
            `${err.message}; the command may be retried`,
            'NodeFailed',
            undefined,
            {
              cause: err,
            },
          );
        }
        throw err;
      }
    }
  }

  /** The current owner of `shard`, waiting (refreshing the owner map) while it has none. */
  async targetOf(shard: number, wait = this.waiter(shard)): Promise<ShardTarget> {
    for (;;) {
      if (this.leases.holds(shard)) return { t: 'local' };
      const row = this.leases.leaseOf(shard);
      if (row?.live && row.owner !== null && row.owner !== this.leases.nodeId && row.ownerUrl !== null) {
        return { t: 'peer', nodeId: row.owner, url: row.ownerUrl };
      }
      await wait.next(`shard ${shard} has no live owner`);
    }
  }

  /** Backoff between attempts for one call, each followed by a refresh of the owner map. */
  waiter(shard: number): { next(why: string): Promise<void> } {
    const deadline = performance.now() + this.routeDeadlineMs;
    let delay = 10;
    return {
      next: async (why: string) => {
        if (performance.now() > deadline) {
          throw new RuntimeError(
            'SESSION',
            `no cluster node served shard ${shard} within ${this.routeDeadlineMs} ms (${why}); the command may be retried`,
            'NoOwner',
          );
        }
        this.logger.debug({ shard, why }, 'routing again');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, this.renewEveryMs);
        await this.leases.refresh();
      },
    };
  }
}
