import type pg from 'pg';
import { ClusterError } from './cluster-error.js';

/** The lease table the store's fenced append checks (the fence is a condition on this table's row). */
export const CLUSTER_SCHEMA = 'shoal_cluster';
export const LEASE_TABLE = `${CLUSTER_SCHEMA}.leases`;
export const NODE_TABLE = `${CLUSTER_SCHEMA}.nodes`;
const VERSION_TABLE = `${CLUSTER_SCHEMA}.schema_migrations`;
const CONFIG_TABLE = `${CLUSTER_SCHEMA}.config`;
/** Serialises schema changes of nodes starting at once (any fixed 64-bit number). */
const MIGRATION_LOCK = 0x5_40a1_c1;

/**
 * Versioned migrations of the cluster tables, applied in order, each once, in one transaction under an
 * advisory lock. Never edit a released migration: append a new one.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE ${NODE_TABLE} (
     node_id text PRIMARY KEY,
     instance_id text NOT NULL,
     advertise_url text NOT NULL,
     started_at timestamptz NOT NULL DEFAULT now(),
     expires_at timestamptz NOT NULL
   );
   CREATE TABLE ${CONFIG_TABLE} (key text PRIMARY KEY, value text NOT NULL);
   CREATE TABLE ${LEASE_TABLE} (
     shard integer PRIMARY KEY,
     owner text,
     epoch bigint NOT NULL DEFAULT 0,
     expires_at timestamptz NOT NULL DEFAULT '-infinity'
   );`,
];

/** Brings the cluster tables to the newest version; returns the version now in place. */
export async function migrateClusterSchema(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${CLUSTER_SCHEMA}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${VERSION_TABLE} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ v: number | null }>(
      `SELECT max(version) AS v FROM ${VERSION_TABLE}`,
    );
    const current = rows[0]?.v ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(
        `the cluster schema is at version ${current}, newer than this code knows (${MIGRATIONS.length})`,
      );
    }
    for (let v = current + 1; v <= MIGRATIONS.length; v++) {
      await client.query(MIGRATIONS[v - 1]!);
      await client.query(`INSERT INTO ${VERSION_TABLE} (version) VALUES ($1)`, [v]);
    }
    await client.query('COMMIT');
    return MIGRATIONS.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Records the logical shard count on first start and creates one lease row per shard; a later node with a
 * different count is refused (sessions would hash onto other shards and escape their leases).
 */
export async function ensureLogicalShards(pool: pg.Pool, logicalShards: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `INSERT INTO ${CONFIG_TABLE} (key, value) VALUES ('logical_shards', $1) ON CONFLICT (key) DO NOTHING`,
      [String(logicalShards)],
    );
    const { rows } = await client.query<{ value: string }>(
      `SELECT value FROM ${CONFIG_TABLE} WHERE key = 'logical_shards'`,
    );
    const recorded = Number(rows[0]?.value);
    if (recorded !== logicalShards) {
      throw new ClusterError(
        'SHARD_COUNT_MISMATCH',
        `this database's cluster has ${recorded} logical shards (fixed for the life of the database); ` +
          `the node was started with ${logicalShards}`,
      );
    }
    await client.query(
      `INSERT INTO ${LEASE_TABLE} (shard) SELECT generate_series(0, $1::int - 1) ON CONFLICT (shard) DO NOTHING`,
      [logicalShards],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
