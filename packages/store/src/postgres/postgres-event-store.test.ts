import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '../test-support/conformance.js';
import { expectStoreError, TestClock, userMessage } from '../test-support/fixtures.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { startTestPostgres, type TestPostgres } from './testing.js';

let server: TestPostgres;
let url: string;
beforeAll(async () => {
  server = await startTestPostgres();
  url = await server.createDatabase();
}, 180_000);
afterAll(async () => {
  await server?.stop();
});

let schemas = 0;
/** A fresh schema per test: isolated tables on the file's one server. */
const freshSchema = (): string => `t${++schemas}`;

describeConformance('PostgresEventStore', {
  open: (clock) => PostgresEventStore.open(url, { schema: freshSchema(), now: clock.now, poolSize: 2 }),
});

describe('PostgresEventStore', () => {
  it('opens with only a connection string (api.md) and migrates an existing schema idempotently', async () => {
    const schema = freshSchema();
    const first = await PostgresEventStore.open(url, { schema });
    await first.createSession('s');
    expect(await first.append('s', [userMessage('x')])).toEqual([0]);
    await first.close();
    const again = await PostgresEventStore.open(url, { schema });
    expect(await again.loadEvents('s')).toHaveLength(1);
    await again.close();
  });

  it('rejects bad options with INVALID_ARGUMENT and an unreachable server with IO', async () => {
    await expectStoreError(PostgresEventStore.open(''), 'INVALID_ARGUMENT');
    await expectStoreError(PostgresEventStore.open(url, { poolSize: 0 }), 'INVALID_ARGUMENT');
    await expectStoreError(PostgresEventStore.open(url, { schema: 'Bad"; DROP' }), 'INVALID_ARGUMENT');
    const err = await expectStoreError(PostgresEventStore.open('postgres://nobody@127.0.0.1:1/none'), 'IO');
    expect(err.message).toContain('PostgreSQL');
  });

  it('batches the appends of one event-loop turn into one statement', async () => {
    const clock = new TestClock();
    const store = await PostgresEventStore.open(url, { schema: freshSchema(), now: clock.now });
    try {
      const ids = Array.from({ length: 50 }, (_, i) => `s${i}`);
      for (const id of ids) await store.createSession(id);
      const before = { ...store.writeStats };
      const seqs = await Promise.all(ids.map((id) => store.append(id, [userMessage('a'), userMessage('b')])));
      expect(seqs).toEqual(ids.map(() => [0, 1]));
      expect(store.writeStats.appendStatements - before.appendStatements).toBe(1);
      expect(store.writeStats.appends - before.appends).toBe(50);
    } finally {
      await store.close();
    }
  });

  it('starts a large wave early and splits it over two statements on disjoint sessions, in order', async () => {
    const store = await PostgresEventStore.open(url, { schema: freshSchema() });
    try {
      const ids = Array.from({ length: 1200 }, (_, i) => `w${i}`);
      await Promise.all(ids.map((id) => store.createSession(id)));
      const before = { ...store.writeStats };
      // Two appends per session in one turn: the second of each waits for the first's statement.
      const first = ids.map((id) => store.append(id, [userMessage('a')]));
      const second = ids.map((id) => store.append(id, [userMessage('b')], { expectedNextSeq: 1 }));
      expect(await Promise.all(first)).toEqual(ids.map(() => [0]));
      expect(await Promise.all(second)).toEqual(ids.map(() => [1]));
      const statements = store.writeStats.appendStatements - before.appendStatements;
      expect(statements).toBeGreaterThanOrEqual(3);
      expect(store.writeStats.appends - before.appends).toBe(2400);
      for (const id of ['w0', 'w599', 'w1199']) {
        expect((await store.loadEvents(id)).map((e) => e.seq)).toEqual([0, 1]);
      }
    } finally {
      await store.close();
    }
  }, 120_000);
});
