// Server CPU per append statement, in one run: the PostgresEventStore's batched append statement, the same
// statement with an id-ordered row-locking step first (`SELECT … ORDER BY id FOR UPDATE`), and the raw
// batched insert of the same event rows (the floor). One connection per variant, each on its own fresh
// database of --sessions sessions; the variants take turns, one statement each, --rounds times. The server
// backend's CPU (from /proc) is robust to a loaded machine, unlike wall time.
//
//   npx turbo run build --filter=@shoal/store && node bench/store/pg-append-cpu.mjs [--sessions 1000]
//     [--batch 1000] [--rounds 30]
import { PostgresEventStore } from '@shoal/store';
import { startTestPostgres } from '@shoal/store/testing';
import pg from 'pg';
import {
  appendParams,
  catalogDelta,
  encodeEventTexts,
} from '../../packages/store/dist/postgres/append-rows.js';
import { buildStatements } from '../../packages/store/dist/postgres/statements.js';
import { arg, createSessions, loadAverage, machineLine, processTreeCpuUs } from './bench-lib.mjs';
import { eventPool } from './events.mjs';

const SESSIONS = Number(arg('sessions', '1000'));
const BATCH = Number(arg('batch', '1000'));
const ROUNDS = Number(arg('rounds', '30'));
const POOL = eventPool();

const storeStatement = buildStatements('"shoal"', undefined).append;
const lockedFirst = storeStatement
  .replace(
    'WITH input AS (',
    `WITH locked AS (
        SELECT s.id FROM "shoal".sessions s WHERE s.id = ANY($2::text[]) ORDER BY s.id FOR UPDATE
      ),
      input AS (`,
  )
  .replace('WHERE s.id = i.id', 'WHERE s.id = i.id AND s.id IN (SELECT id FROM locked)');
const RAW =
  'INSERT INTO shoal.events (session_id, seq, body) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])';

const server = await startTestPostgres();
try {
  const variants = [];
  for (const name of ['store statement', 'with id-ordered lock step', 'raw insert']) {
    const url = await server.createDatabase();
    const store = await PostgresEventStore.open(url);
    await createSessions(store, SESSIONS);
    await store.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    variants.push({ name, client, pid, cpu: [], next: 0 });
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of variants) {
      const batch = [];
      for (let i = 0; i < BATCH; i++) {
        const events = [POOL[(r + i) % POOL.length]];
        const sessionId = `sess-${i % SESSIONS}`;
        batch.push({
          sessionId,
          expected: v.next,
          bodies: encodeEventTexts(sessionId, events),
          delta: catalogDelta(events, Date.now()),
          fence: null,
        });
      }
      batch.sort((a, b) => (a.sessionId < b.sessionId ? -1 : 1));
      const before = processTreeCpuUs(v.pid);
      if (v.name === 'raw insert') {
        const values = [
          batch.map((a) => a.sessionId),
          batch.map(() => v.next),
          batch.map((a) => a.bodies[0]),
        ];
        await v.client.query({ name: 'raw', text: RAW, values });
      } else {
        const text = v.name === 'store statement' ? storeStatement : lockedFirst;
        const res = await v.client.query({ name: 'append', text, values: appendParams(batch, false) });
        if (res.rowCount !== BATCH)
          throw new Error(`${v.name}: ${res.rowCount} of ${BATCH} appends committed`);
      }
      v.cpu.push((processTreeCpuUs(v.pid) - before) / 1000);
      v.next++;
    }
  }
  console.log(
    `${machineLine()}, ${SESSIONS} sessions, ${BATCH} appends of 1 event per statement, ${ROUNDS} rounds`,
  );
  console.log(`load average (1 min): ${loadAverage()}`);
  console.log('');
  // /proc counts in 10 ms ticks: the mean over the rounds, not a median, resolves below that.
  console.log('| statement | server CPU ms per statement (mean) |');
  console.log('|---|---:|');
  for (const v of variants) {
    const mean = v.cpu.reduce((a, b) => a + b, 0) / v.cpu.length;
    console.log(`| ${v.name} | ${mean.toFixed(1)} |`);
    await v.client.end();
  }
} finally {
  await server.stop();
}
