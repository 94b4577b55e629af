import type pg from 'pg';
import { LEASE_TABLE, NODE_TABLE } from './cluster-schema.js';

/** A lease this node holds: writing to the shard is allowed while `epoch` is the lease row's epoch. */
export interface HeldLease {
  shard: number;
  epoch: number;
}

export interface LiveNode {
  nodeId: string;
  advertiseUrl: string;
}

/** One row of the lease table as routing needs it. `live` = not expired by the database's clock. */
export interface LeaseRow {
  shard: number;
  owner: string | null;
  epoch: number;
  live: boolean;
  ownerUrl: string | null;
}

const ttl = "($3::bigint * interval '1 millisecond')";

/**
 * The SQL of membership and leases, all timed by the database's clock (`now()`), so nodes' clocks never
 * decide who owns what. Epochs only grow: every acquisition adds one.
 *
 * Lock discipline (what makes the fence exact): a fenced append locks its shard's lease row `FOR KEY
 * SHARE`; acquiring locks it `FOR UPDATE`, which conflicts with that, so a takeover waits for appends in
 * flight under the old epoch and every later append sees the new epoch. A renewal is a plain `UPDATE`
 * (`FOR NO KEY UPDATE`), which does not conflict with `FOR KEY SHARE`: renewals never wait for appends.
 */
export class LeaseTable {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Registers this process under `nodeId`, unless another live process holds that id (returns false).
   * A dead predecessor's row (expired) is taken over and its leases released: it can no longer write.
   */
  async join(nodeId: string, instanceId: string, advertiseUrl: string, ttlMs: number): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ instance_id: string }>(
        `INSERT INTO ${NODE_TABLE} AS n (node_id, instance_id, advertise_url, expires_at)
         VALUES ($1, $2, $4, now() + ${ttl})
         ON CONFLICT (node_id) DO UPDATE
           SET instance_id = EXCLUDED.instance_id, advertise_url = EXCLUDED.advertise_url,
               started_at = now(), expires_at = EXCLUDED.expires_at
           WHERE n.expires_at <= now() OR n.instance_id = EXCLUDED.instance_id
         RETURNING instance_id`,
        [nodeId, instanceId, ttlMs, advertiseUrl],
      );
      if (rows.length === 0) {
        await client.query('ROLLBACK');
        return false;
      }
      await client.query(
        `UPDATE ${LEASE_TABLE} SET owner = NULL, expires_at = '-infinity' WHERE owner = $1`,
        [nodeId],
      );
      await client.query('COMMIT');
      return true;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /**
   * One round trip: the node's heartbeat and the renewal of every lease the database says it holds.
   * Returns those leases, or null when this process no longer owns its node row (another instance
   * took the id after this one was presumed dead): then it must stop serving everything.
   */
  async heartbeat(nodeId: string, instanceId: string, ttlMs: number): Promise<HeldLease[] | null> {
    const { rows } = await this.pool.query<{ shard: number | null; epoch: string | null }>(
      `WITH me AS (
         UPDATE ${NODE_TABLE} SET expires_at = now() + ${ttl}
         WHERE node_id = $1 AND instance_id = $2 RETURNING node_id
       ), renewed AS (
         UPDATE ${LEASE_TABLE} SET expires_at = now() + ${ttl}
         WHERE owner = (SELECT node_id FROM me) AND expires_at > now() RETURNING shard, epoch
       )
       SELECT r.shard, r.epoch FROM me LEFT JOIN renewed r ON true`,
      [nodeId, instanceId, ttlMs],
    );
    if (rows.length === 0) return null;
    const held: HeldLease[] = [];
    for (const r of rows) if (r.shard !== null) held.push({ shard: r.shard, epoch: Number(r.epoch) });
    return held;
  }

  /**
   * Takes the listed shards that nobody holds (never held, released, or expired), each with its epoch
   * raised by one. Two nodes racing for a shard: the row lock lets exactly one of them have it.
   */
  async acquire(nodeId: string, shards: readonly number[], ttlMs: number): Promise<HeldLease[]> {
    if (shards.length === 0) return [];
    const { rows } = await this.pool.query<{ shard: number; epoch: string }>(
      `WITH free AS (
         SELECT shard FROM ${LEASE_TABLE}
         WHERE shard = ANY($2::int[]) AND (owner IS NULL OR expires_at <= now())
         FOR UPDATE
       )
       UPDATE ${LEASE_TABLE} l SET owner = $1, epoch = l.epoch + 1, expires_at = now() + ${ttl}
       FROM free WHERE l.shard = free.shard
       RETURNING l.shard, l.epoch`,
      [nodeId, shards, ttlMs],
    );
    return rows.map((r) => ({ shard: r.shard, epoch: Number(r.epoch) }));
  }

  /** Gives up leases (a handoff, or shutdown); the next holder's acquisition raises the epoch. */
  async release(nodeId: string, shards: readonly number[]): Promise<void> {
    if (shards.length === 0) return;
    await this.pool.query(
      `UPDATE ${LEASE_TABLE} SET owner = NULL, expires_at = '-infinity'
       WHERE owner = $1 AND shard = ANY($2::int[])`,
      [nodeId, shards],
    );
  }

  /** Leaves the cluster: releases every lease and expires the node row (peers re-place at once). */
  async leave(nodeId: string, instanceId: string): Promise<void> {
    await this.pool.query(
      `WITH me AS (
         UPDATE ${NODE_TABLE} SET expires_at = '-infinity'
         WHERE node_id = $1 AND instance_id = $2 RETURNING node_id
       )
       UPDATE ${LEASE_TABLE} SET owner = NULL, expires_at = '-infinity'
       WHERE owner = (SELECT node_id FROM me)`,
      [nodeId, instanceId],
    );
  }

  async liveNodes(): Promise<LiveNode[]> {
    const { rows } = await this.pool.query<{ node_id: string; advertise_url: string }>(
      `SELECT node_id, advertise_url FROM ${NODE_TABLE} WHERE expires_at > now() ORDER BY node_id`,
    );
    return rows.map((r) => ({ nodeId: r.node_id, advertiseUrl: r.advertise_url }));
  }

  /** Every lease row with its owner's address, in shard order. */
  async leases(): Promise<LeaseRow[]> {
    const { rows } = await this.pool.query<{
      shard: number;
      owner: string | null;
      epoch: string;
      live: boolean;
      advertise_url: string | null;
    }>(
      `SELECT l.shard, l.owner, l.epoch, (l.owner IS NOT NULL AND l.expires_at > now()) AS live, n.advertise_url
       FROM ${LEASE_TABLE} l LEFT JOIN ${NODE_TABLE} n ON n.node_id = l.owner
       ORDER BY l.shard`,
    );
    return rows.map((r) => ({
      shard: r.shard,
      owner: r.owner,
      epoch: Number(r.epoch),
      live: r.live,
      ownerUrl: r.advertise_url,
    }));
  }
}
