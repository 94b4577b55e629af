import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './testing.js';

describe('startTestPostgres', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  async function select1(connectionString: string): Promise<number> {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      const res = await client.query<{ one: number }>('SELECT 1::int AS one');
      return res.rows[0]!.one;
    } finally {
      await client.end();
    }
  }

  it('serves queries on its connection string and on a created database', async () => {
    expect(await select1(server.connectionString)).toBe(1);
    const other = await server.createDatabase();
    expect(other).not.toBe(server.connectionString);
    expect(await select1(other)).toBe(1);
  });

  it('can be stopped and started again with its data', async () => {
    const db = await server.createDatabase('kept_data');
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    await client.query('CREATE TABLE t (v int); INSERT INTO t VALUES (42)');
    await client.end();
    await server.stopServer();
    await expect(select1(db)).rejects.toThrow();
    await server.startServer();
    const again = new pg.Client({ connectionString: db });
    await again.connect();
    const res = await again.query<{ v: number }>('SELECT v FROM t');
    await again.end();
    expect(res.rows).toEqual([{ v: 42 }]);
  }, 120_000);

  it('two servers run side by side on different ports', async () => {
    const second = await startTestPostgres();
    try {
      expect(second.port).not.toBe(server.port);
      expect(await select1(second.connectionString)).toBe(1);
    } finally {
      await second.stop();
    }
    await expect(select1(second.connectionString)).rejects.toThrow();
  }, 180_000);
});
