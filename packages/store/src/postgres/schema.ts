import type pg from 'pg';
import { StoreError } from '../errors.js';

/**
 * The store's tables live in one PostgreSQL schema (default `shoal`), so they can share a database with an
 * application's own tables. Every change is a numbered migration applied once, in order, inside one
 * transaction that holds an advisory lock: stores opening the same database at once (several processes of a
 * cluster) apply each migration exactly once, and a failed migration leaves the previous version intact.
 */
export interface Migration {
  version: number;
  description: string;
  /** Statements run in the migration's transaction; `{schema}` is replaced by the quoted schema name. */
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sessions (next_seq fence + catalog), events, snapshots',
    sql: `
      CREATE TABLE {schema}.sessions (
        -- "C" collation: ids order by their UTF-8 bytes, as in the LevelDB store's keys.
        id text COLLATE "C" PRIMARY KEY,
        -- The fence: an append commits only where next_seq is the value it expects.
        next_seq bigint NOT NULL DEFAULT 0,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        message_count bigint NOT NULL DEFAULT 0,
        -- JSON-encoded strings: text columns cannot hold NUL, JSON escapes it.
        last_model text,
        title text,
        metadata jsonb NOT NULL DEFAULT '{}',
        config text
      ) WITH (fillfactor = 70);
      CREATE INDEX sessions_newest_first ON {schema}.sessions (updated_at DESC, id);
      CREATE INDEX sessions_metadata ON {schema}.sessions USING gin (metadata jsonb_path_ops);
      CREATE TABLE {schema}.events (
        session_id text COLLATE "C" NOT NULL,
        seq bigint NOT NULL,
        body text NOT NULL,
        PRIMARY KEY (session_id, seq)
      );
      CREATE TABLE {schema}.snapshots (
        session_id text COLLATE "C" NOT NULL,
        seq bigint NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (session_id, seq)
      );
    `,
  },
];

/** Any fixed number: the advisory lock that serialises migrations of this store's schema. */
const MIGRATION_LOCK = 0x5340_414c; // "SHOAL"-ish

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Brings `schema` to the latest version; returns the versions it applied (none when already current). */
export async function migrate(client: pg.ClientBase, schema: string): Promise<number[]> {
  const q = quoteIdent(schema);
  const applied: number[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${q}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${q}.schema_migrations (
         version int PRIMARY KEY,
         description text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const res = await client.query<{ v: number | null }>(
      `SELECT max(version)::int AS v FROM ${q}.schema_migrations`,
    );
    const current = res.rows[0]?.v ?? 0;
    if (current > LATEST_VERSION) {
      throw new StoreError(
        'IO',
        `schema ${schema} is at version ${current}, newer than this store knows (${LATEST_VERSION})`,
      );
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query(m.sql.replaceAll('{schema}', q));
      await client.query(`INSERT INTO ${q}.schema_migrations (version, description) VALUES ($1, $2)`, [
        m.version,
        m.description,
      ]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return applied;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

export function isPlainIdentifier(name: string): boolean {
  return IDENT.test(name);
}

/** Quotes a name already checked with `isPlainIdentifier`. */
export function quoteIdent(name: string): string {
  return `"${name}"`;
}
