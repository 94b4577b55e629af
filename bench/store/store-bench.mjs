// Store benchmark: raw LevelDB (`level`) batch writes (the baseline) vs LevelEventStore appends, in one run.
//
//   npx turbo run build --filter=@shoal/store && node bench/store/store-bench.mjs [--seconds 2] [--repeat 3]
//     [--dir /tmp] [--sessions 1,100,1000] [--events 1,10] [--modes fsync,buffered]
//
// For 1, 100 and 1,000 concurrent sessions, both durability modes, 1 and 10 events per append:
// - raw: every round is ONE chained batch holding one append's worth of events for every session (the ideal
//   batching, no per-append work), awaited, then the next round. "raw" JSON-encodes each event as it writes it
//   (what any writer of these events pays); "raw pre-encoded" writes buffers encoded once up front (the I/O
//   ceiling).
// - store: every session is its own loop `await store.append(id, events, { expectedNextSeq })` (schema
//   validation, encoding, catalog and index upkeep, group commit), as the runtime drives it.
// All write the same event bytes (format byte + JSON) under the same key shape. Prints a markdown table.
// Each cell runs pre-encoded, raw and store alternately --repeat times and reports the median run of each.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LevelEventStore } from '@shoal/store';
import { Level } from 'level';
import {
  appendLoops,
  arg,
  commonArgs,
  createSessions,
  fmt,
  loadAverage,
  machineLine,
  median,
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
} = commonArgs({ seconds: '2', sessions: '1,100,1000' });
// Optional group-commit tuning passed to the store (LevelEventStoreOptions.flushAtOps).
// A number of ops, or 'auto' (start a write when half as many appends wait as the previous batch held).
const FLUSH_AT_ARG = arg('flush-at', undefined);
const FLUSH_AT =
  FLUSH_AT_ARG === undefined ? undefined : FLUSH_AT_ARG === 'auto' ? 'auto' : Number(FLUSH_AT_ARG);
const MODES = arg('modes', 'fsync,buffered').split(',');

const POOL = eventPool();
const encode = (ev) => {
  const s = JSON.stringify(ev);
  const b = Buffer.allocUnsafe(Buffer.byteLength(s) + 1);
  b[0] = 0x01;
  b.write(s, 1);
  return b;
};
const ENCODED = POOL.map(encode);
const prefixOf = (id) => Buffer.from(`s\0${id}\0`, 'utf8');
function eventKey(prefix, seq) {
  const b = Buffer.allocUnsafe(prefix.length + 9);
  prefix.copy(b, 0);
  b[prefix.length] = 0x65;
  b.writeUInt32BE(Math.floor(seq / 2 ** 32), prefix.length + 1);
  b.writeUInt32BE(seq % 2 ** 32, prefix.length + 5);
  return b;
}

function tempPath() {
  const dir = mkdtempSync(join(BASE_DIR, 'shoal-store-bench-'));
  return { dir, path: join(dir, 'db') };
}

async function runRaw(sessions, durability, perAppend, encodeEach) {
  const { dir, path } = tempPath();
  const db = new Level(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  const prefixes = Array.from({ length: sessions }, (_, i) => prefixOf(`sess-${i}`));
  const next = new Array(sessions).fill(0);
  const latencies = [];
  let events = 0;
  let k = 0;
  const sync = durability === 'fsync';
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  while (performance.now() < deadline) {
    // A chained batch: the fastest way to hand LevelDB a batch (db.batch(array) costs more JS time per op).
    const start = performance.now();
    const batch = db.batch();
    for (let s = 0; s < sessions; s++) {
      for (let j = 0; j < perAppend; j++) {
        const i = (k + j) % POOL.length;
        batch.put(eventKey(prefixes[s], next[s]++), encodeEach ? encode(POOL[i]) : ENCODED[i]);
      }
    }
    k++;
    await batch.write({ sync });
    const lat = performance.now() - start;
    for (let s = 0; s < sessions; s++) latencies.push(lat);
    events += sessions * perAppend;
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  return summarize(events, elapsed, latencies, cpu);
}

async function runStore(sessions, durability, perAppend) {
  const { dir, path } = tempPath();
  const store = await LevelEventStore.open(
    path,
    FLUSH_AT === undefined ? { durability } : { durability, flushAtOps: FLUSH_AT },
  );
  await createSessions(store, sessions);
  const before = { ...store.writeStats };
  const result = await appendLoops(store, POOL, sessions, perAppend, SECONDS);
  const batches = store.writeStats.batches - before.batches;
  const appends = store.writeStats.entries - before.entries;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { ...result, appendsPerBatch: appends / Math.max(1, batches) };
}

const ms = (n) => n.toFixed(2);

console.log(`${machineLine()}, ${SECONDS}s per run, median of ${REPEAT} runs, dir ${BASE_DIR}`);
console.log(`load average (1 min) at start: ${loadAverage()}`);
console.log('');
console.log(
  '| sessions | durability | events/append | raw pre-encoded events/s | raw events/s | raw p50 / p99 ms | store events/s | store p50 / p99 ms | store / raw | store / raw pre-encoded | appends per batch | CPU µs/event raw / store |',
);
console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const results = [];
for (const sessions of SESSION_COUNTS) {
  for (const durability of MODES) {
    for (const perAppend of BATCH_SIZES) {
      const pres = [];
      const raws = [];
      const sts = [];
      for (let r = 0; r < REPEAT; r++) {
        pres.push(await runRaw(sessions, durability, perAppend, false));
        raws.push(await runRaw(sessions, durability, perAppend, true));
        sts.push(await runStore(sessions, durability, perAppend));
      }
      if (verbose) {
        const each = (runs) =>
          runs.map((r) => `${fmt(r.eventsPerSec)} (${r.cpuUsPerEvent.toFixed(1)} cpu-µs/ev)`).join(' ');
        console.error(
          `  ${sessions}/${durability}/${perAppend}: pre ${each(pres)} | raw ${each(raws)} | store ${each(sts)}`,
        );
      }
      const pre = median(pres);
      const raw = median(raws);
      const st = median(sts);
      results.push({ sessions, durability, perAppend, raw, st });
      const cells = [
        sessions,
        durability,
        perAppend,
        fmt(pre.eventsPerSec),
        fmt(raw.eventsPerSec),
        `${ms(raw.p50)} / ${ms(raw.p99)}`,
        fmt(st.eventsPerSec),
        `${ms(st.p50)} / ${ms(st.p99)}`,
        (st.eventsPerSec / raw.eventsPerSec).toFixed(2),
        (st.eventsPerSec / pre.eventsPerSec).toFixed(2),
        st.appendsPerBatch.toFixed(1),
        `${raw.cpuUsPerEvent.toFixed(1)} / ${st.cpuUsPerEvent.toFixed(1)}`,
      ];
      console.log(`| ${cells.join(' | ')} |`);
    }
  }
}
console.log('');
for (const sessions of SESSION_COUNTS) {
  for (const perAppend of BATCH_SIZES) {
    const f = results.find(
      (r) => r.sessions === sessions && r.perAppend === perAppend && r.durability === 'fsync',
    );
    const b = results.find(
      (r) => r.sessions === sessions && r.perAppend === perAppend && r.durability === 'buffered',
    );
    if (f && b) {
      console.log(
        `- ${sessions} sessions, ${perAppend} event(s)/append: store buffered / fsync throughput = ${(b.st.eventsPerSec / f.st.eventsPerSec).toFixed(2)}x`,
      );
    }
  }
}
