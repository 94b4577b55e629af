// Store benchmark: raw classic-level batch writes (the baseline) vs LevelEventStore appends, in one run.
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
import os from 'node:os';
import { join } from 'node:path';
import { LevelEventStore } from '@shoal/store';
import { ClassicLevel } from 'classic-level';
import { batchesOf as batchesFrom, eventPool, percentile } from './events.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const SECONDS = Number(arg('seconds', '2'));
// Each cell runs raw and store alternately this many times and reports the median run (shared machines are noisy).
const REPEAT = Number(arg('repeat', '3'));
const BASE_DIR = arg('dir', os.tmpdir());
const SESSION_COUNTS = (arg('sessions', '1,100,1000') ?? '').split(',').map(Number);
const BATCH_SIZES = (arg('events', '1,10') ?? '').split(',').map(Number);
// Optional group-commit tuning passed to the store (LevelEventStoreOptions.flushAtOps).
// A number of ops, or 'auto' (start a write when half as many appends wait as the previous batch held).
const FLUSH_AT_ARG = arg('flush-at', undefined);
const FLUSH_AT =
  FLUSH_AT_ARG === undefined ? undefined : FLUSH_AT_ARG === 'auto' ? 'auto' : Number(FLUSH_AT_ARG);
const MODES = (arg('modes', 'fsync,buffered') ?? '').split(',');

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
  const db = new ClassicLevel(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
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
    // A chained batch: the fastest way to hand classic-level a batch (db.batch(array) costs ~5x more JS time).
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
  return { ...summarize(events, elapsed, latencies), cpuUsPerEvent: (cpu.user + cpu.system) / events };
}

async function runStore(sessions, durability, perAppend) {
  const { dir, path } = tempPath();
  const store = await LevelEventStore.open(
    path,
    FLUSH_AT === undefined ? { durability } : { durability, flushAtOps: FLUSH_AT },
  );
  const ids = Array.from({ length: sessions }, (_, i) => `sess-${i}`);
  await Promise.all(ids.map((id) => store.createSession(id, { tenant: `t${id.length % 7}` })));
  const before = { ...store.writeStats };
  const appendBatches = batchesFrom(POOL, perAppend);
  const latencies = [];
  let events = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  await Promise.all(
    ids.map(async (id) => {
      let next = 0;
      for (let k = 0; performance.now() < deadline; k++) {
        const batch = appendBatches[k % appendBatches.length];
        const start = performance.now();
        await store.append(id, batch, { expectedNextSeq: next });
        latencies.push(performance.now() - start);
        next += perAppend;
        events += perAppend;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const batches = store.writeStats.batches - before.batches;
  const appends = store.writeStats.entries - before.entries;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    ...summarize(events, elapsed, latencies),
    appendsPerBatch: appends / Math.max(1, batches),
    cpuUsPerEvent: (cpu.user + cpu.system) / events,
  };
}

function median(runs) {
  return [...runs].sort((a, b) => a.eventsPerSec - b.eventsPerSec)[Math.floor(runs.length / 2)];
}

function summarize(events, elapsed, latencies) {
  const sorted = Float64Array.from(latencies).sort();
  return { eventsPerSec: events / elapsed, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const ms = (n) => n.toFixed(2);

const cpu = os.cpus()[0]?.model ?? 'unknown';
console.log(
  `node ${process.version}, ${os.availableParallelism()} CPUs (${cpu}), ${SECONDS}s per run, median of ${REPEAT} runs, dir ${BASE_DIR}`,
);
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
      if (process.argv.includes('--verbose')) {
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
