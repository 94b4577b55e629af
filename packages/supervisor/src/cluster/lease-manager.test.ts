import { startTestPostgres, type TestPostgres } from '@shoal/store/testing';
import type pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../test-support/wait-for.js';
import { isClusterError } from './cluster-error.js';
import { ensureLogicalShards, migrateClusterSchema } from './cluster-schema.js';
import { type LeaseListener, LeaseManager } from './lease-manager.js';
import { LeaseTable } from './lease-table.js';
import { openClusterPool } from './pg-pool.js';
import { placeShards } from './placement.js';

const SHARDS = 64;
const TTL = 1_000;
const silent = pino({ level: 'silent' });

let server: TestPostgres;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
}, 180_000);

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await server?.stop();
});

async function database(): Promise<string> {
  const url = await server.createDatabase();
  const pool = openClusterPool(url, silent);
  pools.push(pool);
  await migrateClusterSchema(pool);
  await ensureLogicalShards(pool, SHARDS);
  return url;
}

function tableOn(url: string): LeaseTable {
  const pool = openClusterPool(url, silent);
  pools.push(pool);
  return new LeaseTable(pool);
}

class Recorder implements LeaseListener {
  readonly events: string[] = [];
  acquired(leases: readonly { shard: number }[]): void {
    this.events.push(`+${leases.length}`);
  }
  lost(shards: readonly number[], reason: string): void {
    this.events.push(`-${shards.length} ${reason}`);
  }
  refreshed(): void {}
}

function node(url: string, nodeId: string, ttl = TTL): { m: LeaseManager; r: Recorder } {
  const r = new Recorder();
  const m = new LeaseManager(
    tableOn(url),
    { nodeId, advertiseUrl: `http://127.0.0.1/${nodeId}`, logicalShards: SHARDS, leaseTtlMs: ttl },
    r,
    silent,
  );
  return { m, r };
}

/** Every shard held by exactly the node placement picks among `ids`. */
function settled(managers: LeaseManager[], ids: string[]): boolean {
  const placement = placeShards(SHARDS, ids);
  for (let s = 0; s < SHARDS; s++) {
    const holders = managers.filter((m) => m.holds(s)).map((m) => m.nodeId);
    if (holders.length !== 1 || holders[0] !== placement[s]) return false;
  }
  return true;
}

describe('cluster schema', () => {
  it('migrates idempotently and refuses a different logical shard count', async () => {
    const url = await database();
    const pool = openClusterPool(url, silent);
    pools.push(pool);
    await expect(migrateClusterSchema(pool)).resolves.toBe(1);
    await ensureLogicalShards(pool, SHARDS);
    const err = await ensureLogicalShards(pool, SHARDS * 2).catch((e: unknown) => e);
    expect(isClusterError(err, 'SHARD_COUNT_MISMATCH')).toBe(true);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM shoal_cluster.leases');
    expect(rows[0].n).toBe(SHARDS);
  });
});

describe('LeaseManager', () => {
  it('spreads shards over live nodes, hands off on join, takes over from a node that stopped renewing', async () => {
    const url = await database();
    const a = node(url, 'a');
    await a.m.start();
    await waitFor('a holds every shard', () => settled([a.m], ['a']));

    const b = node(url, 'b');
    await b.m.start();
    await waitFor('a and b share the shards', () => settled([a.m, b.m], ['a', 'b']));
    expect(a.r.events.some((e) => e.includes('handed off'))).toBe(true);

    // b stops renewing but never says so (as a paused process): a takes its shards after the TTL.
    const bShards = b.m.heldShards();
    b.m.freezeForTest();
    await waitFor('a took b’s shards', () => bShards.every((s) => a.m.holds(s)));
    const rows = await tableOn(url).leases();
    for (const s of bShards) expect(rows[s]).toMatchObject({ owner: 'a', live: true });
    await a.m.stop();
  });

  it('stops serving on its own when it cannot renew before the lease ends', async () => {
    const url = await database();
    const a = node(url, 'solo');
    await a.m.start();
    await waitFor('solo holds every shard', () => settled([a.m], ['solo']));
    await server.stopServer();
    try {
      await waitFor('solo stopped serving', () => a.m.heldShards().length === 0 && !a.m.holds(0));
      expect(a.r.events.at(-1)).toContain('could not be renewed in time');
    } finally {
      await server.startServer();
    }
    await waitFor('solo serves again', () => settled([a.m], ['solo']));
    await a.m.stop();
  });

  it('lets exactly one of two racing nodes acquire a free shard, and raises its epoch', async () => {
    const url = await database();
    const t1 = tableOn(url);
    const t2 = tableOn(url);
    for (let round = 0; round < 20; round++) {
      const shard = round;
      const [x, y] = await Promise.all([t1.acquire('x', [shard], TTL), t2.acquire('y', [shard], TTL)]);
      expect(x.length + y.length).toBe(1);
      expect([...x, ...y][0]).toEqual({ shard, epoch: 1 });
    }
    await t1.release('x', [0]);
    await t1.release('y', [0]);
    const again = await t2.acquire('y', [0], TTL);
    expect(again).toEqual([{ shard: 0, epoch: 2 }]);
  });

  it('refuses a second live process with the same node id', async () => {
    const url = await database();
    const a = node(url, 'same', 400);
    await a.m.start();
    const twin = node(url, 'same', 400);
    const err = await twin.m.start().catch((e: unknown) => e);
    expect(isClusterError(err, 'NODE_ID_IN_USE')).toBe(true);
    await a.m.stop();
  });
});
