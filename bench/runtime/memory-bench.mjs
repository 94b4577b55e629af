// Memory benchmark: heap and RSS per resident idle session, and after passivation.
//
//   npx turbo run build && node bench/runtime/memory-bench.mjs [--sessions 10000] [--shards 0,2] [--idle-ms 200]
//
// Every (shards, phase) runs in its own child process (`node --expose-gc --require lib/thread-probe.cjs`), so
// each starts from a clean heap. In the child: a runtime on a temp LevelDB (buffered durability; memory does
// not depend on it) with the instant simulated model; 20 warm-up sessions (one turn each, then deleted) so
// that lazily compiled code is not charged to sessions; a baseline; then `sessions` sessions are created
// and each runs one short turn ('hi', waiting for its OperationCompleted on an event subscription which is
// then closed), 200 at a time. Then:
// - phase `resident`: idleTimeoutMs 0 (passivation off), so every session stays resident and idle;
// - phase `passivated`: idleTimeoutMs = --idle-ms; we wait until listActiveSessions() is empty.
// Heap is V8 used heap after forced full GCs, measured in each isolate: the main thread, and each worker via
// the probe (workers inherit --expose-gc and the --require preload). RSS is process-wide.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Runtime } from '@shoal/supervisor';
import { mainHeap, workerHeaps } from './lib/heap.mjs';
import { arg, fmt1, fmtInt, list, printLoadAtEnd, printMachine, sleep, table } from './lib/report.mjs';
import { pool, track } from './lib/sessions.mjs';

const SESSIONS = Number(arg('sessions', '10000'));
const SHARDS = list('shards', '0,2').map(Number);
const IDLE_MS = Number(arg('idle-ms', '200'));
const DIR = arg('dir', os.tmpdir());
const MiB = 2 ** 20;

async function snapshot(runtime, shards) {
  const main = await mainHeap();
  const workers = await workerHeaps(shards);
  const rss = process.memoryUsage().rss;
  const stats = await runtime.shardStats();
  return {
    main,
    workers: workers.map((w) => w.usedHeapSize),
    workersGc: workers.every((w) => w.gc),
    rss,
    resident: stats.reduce((n, s) => n + s.residentSessions, 0),
    // what the runtime itself reports per shard (process.memoryUsage() inside the shard, no forced GC)
    shardStatsHeapUsed: stats.map((s) => s.memory?.heapUsed),
  };
}

async function child(shards, phase) {
  const dataDir = mkdtempSync(join(DIR, 'shoal-membench-'));
  const runtime = await Runtime.start({
    dataDir,
    shards,
    durability: 'buffered',
    logLevel: 'silent',
    idleTimeoutMs: phase === 'resident' ? 0 : IDLE_MS,
    providers: { simulated: {} },
  });
  try {
    const counter = { events: 0 };
    const oneTurn = async () => {
      const id = await runtime.createSession();
      const t = await track(runtime, id, counter);
      await t.turn('hi');
      await t.close();
      return id;
    };
    const warm = [];
    await pool(Array.from({ length: 20 }), 20, async () => warm.push(await oneTurn()));
    for (const id of warm) await runtime.deleteSession(id);
    await sleep(300);
    const before = await snapshot(runtime, shards);

    const t0 = performance.now();
    await pool(Array.from({ length: SESSIONS }), 200, oneTurn);
    const loadMs = performance.now() - t0;
    let waitMs = 0;
    if (phase === 'passivated') {
      const w0 = performance.now();
      while ((await runtime.listActiveSessions()).length > 0) {
        if (performance.now() - w0 > 120_000) throw new Error('sessions were not passivated within 120 s');
        await sleep(100);
      }
      waitMs = performance.now() - w0;
    }
    await sleep(500);
    const active = (await runtime.listActiveSessions()).length;
    const after = await snapshot(runtime, shards);
    return {
      shards,
      phase,
      sessions: SESSIONS,
      loadMs,
      waitMs,
      active,
      events: counter.events,
      before,
      after,
    };
  } finally {
    await runtime.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--child')) {
  const r = await child(Number(arg('child-shards', '0')), arg('phase', 'resident'));
  console.log(`RESULT ${JSON.stringify(r)}`);
  process.exit(0);
}

printMachine(`Memory: ${SESSIONS.toLocaleString('en-US')} idle sessions, resident and passivated`);
const self = fileURLToPath(import.meta.url);
const probe = fileURLToPath(new URL('./lib/thread-probe.cjs', import.meta.url));
const rows = [];
const detail = [];
for (const shards of SHARDS) {
  for (const phase of ['resident', 'passivated']) {
    const args = ['--expose-gc', '--require', probe, self, '--child', '--child-shards', String(shards)];
    args.push('--phase', phase, '--sessions', String(SESSIONS), '--idle-ms', String(IDLE_MS), '--dir', DIR);
    const t0 = performance.now();
    const out = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * MiB });
    const line = out.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) {
      console.error(out.stdout, out.stderr);
      throw new Error(`child shards=${shards} phase=${phase} failed (exit ${out.status})`);
    }
    const r = JSON.parse(line.slice(7));
    console.error(`shards ${shards} ${phase}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const n = r.sessions;
    const sum = (xs) => xs.reduce((a, b) => a + b, 0);
    const dMain = r.after.main - r.before.main;
    const dWorkers = sum(r.after.workers) - sum(r.before.workers);
    const dRss = r.after.rss - r.before.rss;
    rows.push([
      shards,
      phase,
      fmtInt(n),
      fmtInt(r.after.resident),
      fmtInt(r.active),
      fmt1(dMain / n / 1024, 2),
      shards === 0 ? '—' : fmt1(dWorkers / n / 1024, 2),
      fmt1((dMain + dWorkers) / n / 1024, 2),
      fmt1(dRss / n / 1024, 2),
      fmt1(r.loadMs / 1000, 1) + (r.waitMs ? ` + ${fmt1(r.waitMs / 1000, 1)}` : ''),
    ]);
    detail.push([
      shards,
      phase,
      fmt1(r.before.main / MiB, 1) + ' → ' + fmt1(r.after.main / MiB, 1),
      r.before.workers
        .map((b, i) => `${fmt1(b / MiB, 1)} → ${fmt1(r.after.workers[i] / MiB, 1)}`)
        .join('; ') || '—',
      fmt1(r.before.rss / MiB, 0) + ' → ' + fmt1(r.after.rss / MiB, 0),
      r.after.shardStatsHeapUsed.map((x) => fmt1(x / MiB, 1)).join('; '),
    ]);
  }
}
console.log(
  table(
    [
      'shards',
      'phase',
      'sessions',
      'resident (shardStats)',
      'active (listActiveSessions)',
      'main heap KiB/session',
      'worker heap KiB/session',
      'total heap KiB/session',
      'RSS KiB/session',
      'load (+ passivation wait) s',
    ],
    rows,
  ),
);
console.log('\nRaw numbers (MiB, after forced GC; baseline → after):\n');
console.log(
  table(
    [
      'shards',
      'phase',
      'main heap',
      'worker heaps',
      'RSS',
      'shardStats memory.heapUsed (read after the probe GC)',
    ],
    detail,
  ),
);
printLoadAtEnd();
