// Runtime benchmark (issue 5, item 2): user turns with the instant simulated model across many sessions,
// for each shard count and durability mode, beside the raw postMessage baseline measured in the same run.
//
//   npx turbo run build && node bench/runtime/runtime-bench.mjs [--sessions 1000] [--turns 5]
//     [--shards 1,2,4] [--durability fsync,buffered] [--baseline-seconds 2] [--no-baseline]
//
// Per configuration: a fresh runtime on a fresh temp dataDir (LevelDB), `sessions` sessions created and
// subscribed first; then every session runs `turns` turns one after the other, all sessions concurrently.
// A turn = `submitUserInput(id, 'hello')` and waiting for that op's OperationCompleted on the session's event
// subscription; its latency is measured from the submit to that delivery. Events/s counts every event
// delivered to the subscriptions during the turn phase. Main ELU = performance.eventLoopUtilization() of
// the main thread over the turn phase. Messages and batches per turn are counted on the worker ports.
//
// Baseline: for the same worker count and the same number of requests in flight (= sessions), the closed
// loop of transport-bench over raw postMessage, batched (arrays flushed per event-loop turn, as Shoal does)
// and unbatched. "Allowed turns/s" = baseline messages/s ÷ the messages Shoal needed per turn.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Runtime } from '@shoal/supervisor';
import { installPortCounter, portCounts, resetPortCounter } from './lib/port-counter.mjs';
import { arg, fmt1, fmtInt, fmtMs, histogram, list, printMachine, recordMs, table } from './lib/report.mjs';
import { pool, track } from './lib/sessions.mjs';
import { drive, openTransport } from './lib/transport.mjs';

const SESSIONS = Number(arg('sessions', '1000'));
const TURNS = Number(arg('turns', '5'));
const SHARDS = list('shards', '1,2,4').map(Number);
const DURABILITY = list('durability', 'fsync,buffered');
const BASELINE_MS = Number(arg('baseline-seconds', '2')) * 1000;
const BASELINE = !process.argv.includes('--no-baseline');
const DIR = arg('dir', os.tmpdir());

installPortCounter();

async function baseline(workers) {
  const out = {};
  for (const mode of ['batched', 'raw']) {
    const t = await openTransport(mode, workers);
    await drive(t, { workers, inflight: SESSIONS, ms: 300 });
    out[mode] = await drive(t, { workers, inflight: SESSIONS, ms: BASELINE_MS });
    await t.close();
  }
  return out;
}

async function runConfig(shards, durability) {
  const dataDir = mkdtempSync(join(DIR, 'shoal-rtbench-'));
  const runtime = await Runtime.start({
    dataDir,
    shards,
    durability,
    logLevel: 'silent',
    providers: { simulated: {} },
  });
  try {
    const tc = performance.now();
    const ids = [];
    await pool(Array.from({ length: SESSIONS }), 200, async () => ids.push(await runtime.createSession()));
    const counter = { events: 0 };
    const trackers = await Promise.all(ids.map((id) => track(runtime, id, counter)));
    const createMs = performance.now() - tc;

    const h = histogram();
    resetPortCounter();
    counter.events = 0;
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    await Promise.all(
      trackers.map(async (tr) => {
        for (let i = 0; i < TURNS; i++) {
          const s = performance.now();
          await tr.turn('hello');
          recordMs(h, performance.now() - s);
        }
      }),
    );
    const elapsed = performance.now() - t0;
    const elu = performance.eventLoopUtilization(elu0).utilization;
    const events = counter.events;
    const ports = portCounts();
    await Promise.all(trackers.map((t) => t.close()));
    const turns = SESSIONS * TURNS;
    return {
      shards,
      durability,
      createMs,
      turns,
      elapsed,
      turnsPerSec: (turns / elapsed) * 1000,
      eventsPerSec: (events / elapsed) * 1000,
      eventsPerTurn: events / turns,
      p50: h.getValueAtPercentile(50),
      p99: h.getValueAtPercentile(99),
      max: h.maxValue,
      elu,
      msgsPerTurn: ports.messages / turns,
      batchesPerTurn: ports.batches / turns,
      byType: Object.fromEntries(Object.entries(ports.byType).map(([k, v]) => [k, v / turns])),
    };
  } finally {
    await runtime.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

printMachine(
  `Runtime: ${SESSIONS.toLocaleString('en-US')} sessions × ${TURNS} turns, instant simulated model`,
);
const results = [];
const baselines = {};
for (const shards of SHARDS) {
  if (BASELINE && shards > 0) baselines[shards] = await baseline(shards);
  for (const durability of DURABILITY) {
    const r = await runConfig(shards, durability);
    results.push(r);
    console.error(
      `shards ${shards} ${durability}: ${fmtInt(r.turnsPerSec)} turns/s, ${fmtInt(r.eventsPerSec)} events/s (${(r.elapsed / 1000).toFixed(1)} s)`,
    );
  }
}

console.log(
  table(
    [
      'shards',
      'durability',
      'turns/s',
      'events/s',
      'events/turn',
      'p50 ms',
      'p99 ms',
      'max ms',
      'main ELU',
      'port msgs/turn',
      'port batches/turn',
      'create+subscribe s',
    ],
    results.map((r) => [
      r.shards,
      r.durability,
      fmtInt(r.turnsPerSec),
      fmtInt(r.eventsPerSec),
      fmt1(r.eventsPerTurn, 2),
      fmtMs(r.p50),
      fmtMs(r.p99),
      fmtMs(r.max),
      fmt1(r.elu * 100, 0) + '%',
      fmt1(r.msgsPerTurn, 2),
      fmt1(r.batchesPerTurn, 3),
      fmt1(r.createMs / 1000, 1),
    ]),
  ),
);

const withPorts = results.filter((r) => r.shards > 0);
if (withPorts.length) {
  const types = [...new Set(withPorts.flatMap((r) => Object.keys(r.byType)))].sort();
  console.log('\nPort messages per turn by type (→ main to worker, ← worker to main):\n');
  console.log(
    table(
      ['shards', 'durability', ...types],
      withPorts.map((r) => [r.shards, r.durability, ...types.map((t) => fmt1(r.byType[t] ?? 0, 2))]),
    ),
  );
}

if (BASELINE && withPorts.length) {
  console.log(
    `\nRaw postMessage baseline in the same run: ${SESSIONS} requests in flight to the same number of workers; ` +
      'allowed turns/s = baseline messages/s ÷ Shoal port messages per turn.\n',
  );
  const rows = [];
  for (const r of withPorts) {
    const b = baselines[r.shards];
    const allowedBatched = (2 * b.batched.rps) / r.msgsPerTurn;
    const allowedRaw = (2 * b.raw.rps) / r.msgsPerTurn;
    rows.push([
      r.shards,
      r.durability,
      fmtInt(2 * b.batched.rps),
      fmtInt(2 * b.raw.rps),
      fmt1(r.msgsPerTurn, 2),
      fmtInt(allowedBatched),
      fmtInt(allowedRaw),
      fmtInt(r.turnsPerSec),
      fmt1(r.turnsPerSec / allowedBatched, 2) + 'x',
      fmt1(r.turnsPerSec / allowedRaw, 2) + 'x',
    ]);
  }
  console.log(
    table(
      [
        'shards',
        'durability',
        'batched msgs/s',
        'unbatched msgs/s',
        'Shoal msgs/turn',
        'allowed turns/s (batched)',
        'allowed turns/s (unbatched)',
        'Shoal turns/s',
        'Shoal ÷ batched',
        'Shoal ÷ unbatched',
      ],
      rows,
    ),
  );
}
