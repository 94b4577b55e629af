import pg from 'pg';
import type { Logger } from 'pino';

/**
 * A pool for the cluster's own statements (heartbeats, leases), apart from the store's pool so that a
 * busy store never delays a renewal. An idle connection that the server drops (restart, failover) is
 * logged and replaced on next use; unhandled, it would crash the process.
 */
export function openClusterPool(connectionString: string, logger: Logger, max = 4): pg.Pool {
  // Renewals need not wait for fsync: safety never rests on a lease row surviving a crash (the epoch fence
  // is checked against the database's durable state in each append), only liveness does.
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: 10_000,
    options: '-c synchronous_commit=off',
  });
  pool.on('error', (err) => logger.warn({ err }, 'an idle cluster database connection failed'));
  return pool;
}
