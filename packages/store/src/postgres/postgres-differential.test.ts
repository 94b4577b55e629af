import { afterAll, beforeAll, describe, it } from 'vitest';
import { checkAgainstMemory } from '../test-support/differential.js';
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

describe('PostgresEventStore and MemoryEventStore agree (differential, random operation sequences)', () => {
  it('gives the same outcome for every operation and the same final state, across reopens', async () => {
    let runs = 0;
    let schema = '';
    await checkAgainstMemory((clock, fresh) => {
      if (fresh) schema = `diff${++runs}`;
      return PostgresEventStore.open(url, { schema, now: clock.now, poolSize: 2 });
    }, 30);
  }, 300_000);
});
