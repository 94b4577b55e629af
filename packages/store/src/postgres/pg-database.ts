import pg from 'pg';
import { isRetryable, pgStoreError } from './pg-errors.js';

/** A statement: its text, and a name when it is prepared once per connection. */
export type Statement = string | { name: string; text: string };

/** Runs of a statement that ended in a deadlock or serialization failure (rolled back whole) before it fails. */
const RETRIES = 5;
const INT8_OID = 20;

/** int8 columns as numbers: sequence numbers and ms times stay below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PgDatabaseOptions {
  poolSize: number;
  connectTimeoutMs: number;
  onConnectionError?: (err: Error) => void;
}

/**
 * The PostgreSQL store's connection pool and the three ways it talks to the server: a read, a write (retried
 * when the server rolled it back for a deadlock), and a transaction. Every `pg` error is mapped to a
 * StoreError here, naming what failed (pg-errors.ts).
 */
export class PgDatabase {
  readonly pool: pg.Pool;

  constructor(connectionString: string, opts: PgDatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString,
      max: opts.poolSize,
      types,
      connectionTimeoutMillis: opts.connectTimeoutMs,
      application_name: 'shoal-store',
    });
    // An idle connection that breaks is dropped by the pool; the next operation opens a fresh one.
    this.pool.on('error', (err) => opts.onConnectionError?.(err));
  }

  async read<R extends pg.QueryResultRow>(
    what: string,
    sessionId: string | undefined,
    text: string,
    params: unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, params);
    } catch (err) {
      throw pgStoreError(err, what, sessionId);
    }
  }

  async write<R extends pg.QueryResultRow>(
    what: string,
    sessionId: string | undefined,
    query: Statement,
    params: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const config = typeof query === 'string' ? { text: query, values: params } : { ...query, values: params };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.pool.query<R>(config);
      } catch (err) {
        if (attempt < RETRIES && isRetryable(err)) continue;
        throw pgStoreError(err, what, sessionId, true);
      }
    }
  }

  async transaction(
    what: string,
    sessionId: string,
    fn: (client: pg.PoolClient) => Promise<void>,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (err) {
        throw pgStoreError(err, what, sessionId, true);
      }
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        await fn(client);
        await client.query('COMMIT');
        return;
      } catch (err) {
        broken = err instanceof Error ? err : undefined;
        await client.query('ROLLBACK').catch(() => undefined); // a broken connection is discarded below
        if (attempt < RETRIES && isRetryable(err)) continue;
        throw pgStoreError(err, what, sessionId, true);
      } finally {
        client.release(broken);
      }
    }
  }

  async end(): Promise<void> {
    try {
      await this.pool.end();
    } catch (err) {
      throw pgStoreError(err, 'close');
    }
  }
}
