import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CRASH_SESSIONS, crashRounds } from '../test-support/crash-harness.js';
import { ensureBuilt } from '../test-support/ensure-built.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { startTestPostgres, type TestPostgres } from './testing.js';

/**
 * The server learns that a SIGKILLed client is gone only when its backend next touches the socket, so a
 * statement the writer had sent may still commit after the kill. Wait until the writer's backends have
 * ended, so that what is verified no longer changes between two reads.
 */
async function waitForWriterBackends(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
      );
      if (rows[0]?.n === 0) return;
      if (Date.now() > deadline) throw new Error(`${rows[0]?.n} writer backends still running after 60 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await client.end();
  }
}

describe('PostgreSQL store crash safety (writer SIGKILLed at random moments)', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    ensureBuilt();
    server = await startTestPostgres();
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('every acknowledged batch survives, none is torn, sequences stay contiguous', async () => {
    const url = await server.createDatabase();
    await crashRounds(
      {
        writerArgs: (round) => ['postgres', url, String(CRASH_SESSIONS), String(round)],
        settle: () => waitForWriterBackends(url),
        open: () => PostgresEventStore.open(url),
      },
      4,
    );
  }, 180_000);
});
