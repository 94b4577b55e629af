// Runtime benchmark: user turns with the instant simulated model across many sessions,
// for each shard count and durability mode, beside the raw postMessage baseline measured in the same run.
//
//   npx turbo run build && node bench/runtime/runtime-bench.mjs [--sessions 1000] [--turns 10] [--warmup-turns 2]
//     [--shards 0,1,2,4] [--durability fsync,buffered] [--baseline-seconds 2] [--no-baseline]
//     [--repeat 3] [--profile-main <dir>]   (CPU profile of the main thread over the turn phase only)
//     [--window-file <file>]   (turn-phase time windows, for cpuprofile-summary.mjs --window)
//
// Per configuration: a fresh runtime on a fresh temp dataDir (LevelDB), `sessions` sessions created and
// subscribed first; every session runs `warmup-turns` unmeasured turns (JIT warm-up; the first turn also
// generates the title), then `turns` measured turns, one after the other, all sessions concurrently.
// A turn = `submitUserInput(id, 'hello')` and waiting for that op's OperationCompleted on the session's event
// subscription; its latency is measured from the submit to that delivery. Events/s counts every event
// delivered to the subscriptions during the turn phase. Main ELU = performance.eventLoopUtilization() of
// the main thread over the turn phase; worker ELU = each shard worker's, read from the main thread. CPU
// µs/turn = CPU time used over the turn phase ÷ turns, per OS thread (/proc/thread-self/schedstat, read by a
// preloaded probe — the script re-runs itself with `--require lib/thread-probe.cjs`) and for the whole
// process (process.cpuUsage: also LevelDB's libuv threads and V8's GC helpers). Unlike wall-clock
// throughput, CPU per turn hardly depends on what else the shared machine runs. At 10,000 turns/s the
// main thread's budget is 100 µs per turn and the process's 200 µs (2 cores). "Cores used" = process CPU
// time ÷ wall time. Run-queue wait = time our threads were ready to run but waited for a CPU (schedstat):
// on a shared machine this is what the other tenants (and our own extra threads) cost us. Messages and batches per turn are counted on the worker ports (over
// the turn phase plus 300 ms for the last acknowledgements).
//
// Baseline: for the same worker count and the same number of requests in flight (= sessions), the closed
// loop of transport-bench over raw postMessage, batched (arrays flushed per event-loop turn, as Shoal does)
// and unbatched. "Allowed turns/s" = baseline messages/s ÷ the messages Shoal needed per turn.
// "Same messages" baseline: one real turn's six port messages are recorded first (lib/turn-capture.mjs:
// shards 1, after warm-up turns) and replayed over raw batched postMessage with no Shoal code in the loop
// (workers/raw-turn.mjs): the dispatch of a UserInput, the two store appends carrying the turn's real events,
// the two store replies and the command's reply, in the recorded order; a baseline turn ends when the reply
// and the second append have reached the main thread. Shoal ÷ that = the turn throughput Shoal reaches
// relative to moving exactly its own messages.
// "Same messages + raw LevelDB" baseline (per durability): that replay with the main thread writing each
// append's events to a raw classic-level database, group-committed, before it replies (lib/transport.mjs
// openRawWriter): the floor for any runtime that persists the same events over the same messages.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Runtime } from '@shoal/supervisor';
import { mainSched, probed, probeWorkers, processSched } from './lib/heap.mjs';
import { installPortCounter, portCounts, resetPortCounter, workerElu } from './lib/port-counter.mjs';
import {
  arg,
  fmt1,
  fmtInt,
  fmtMs,
  histogram,
  list,
  median,
  printLoadAtEnd,
  printMachine,
  recordMs,
  reexecWith,
  sleep,
  table,
} from './lib/report.mjs';
import { pool, track } from './lib/sessions.mjs';
import { drive, openTransport } from './lib/transport.mjs';
import { captureTurn } from './lib/turn-capture.mjs';

const SESSIONS = Number(arg('sessions', '1000'));
const TURNS = Number(arg('turns', '10'));
const WARMUP_TURNS = Number(arg('warmup-turns', '2'));
const SHARDS = list('shards', '0,1,2,4').map(Number);
const DURABILITY = list('durability', 'fsync,buffered');
const BASELINE_MS = Number(arg('baseline-seconds', '2')) * 1000;
const BASELINE = !process.argv.includes('--no-baseline');
const REPEAT = Number(arg('repeat', '3'));
const DIR = arg('dir', os.tmpdir());
// --profile-main <dir>: CPU-profile the main thread during the turn phase only (node:inspector)
const PROFILE_MAIN = arg('profile-main', '');
// --window-file <file>: append each turn phase's [start, end] in CLOCK_MONOTONIC µs (the clock of V8's
// .cpuprofile timestamps), so lib/cpuprofile-summary.mjs --window <file> can keep only those samples.
const WINDOW_FILE = arg('window-file', '');
const monoUs = () => Number(process.hrtime.bigint() / 1000n);

async function startProfile() {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const call = (method, params) =>
    new Promise((resolve, reject) =>
      session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
    );
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 200 });
  await call('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await call('Profiler.stop');
      session.disconnect();
      mkdirSync(PROFILE_MAIN, { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}

// Per-thread CPU time needs the thread probe in every thread: re-run with it preloaded if it is not.
await reexecWith(['--require', fileURLToPath(new URL('./lib/thread-probe.cjs', import.meta.url))], probed);
installPortCounter();

/**
 * CPU time so far (µs) of the main thread, the workers (sum) and the whole process (incl. libuv and V8
 * helper threads), and the time the main thread and all threads waited in the run queue for a CPU.
 */
async function cpuNow(workers) {
  const w = await probeWorkers('cpu', workers);
  const p = process.cpuUsage();
  const [main, mainWait] = mainSched();
  const [, processWait] = processSched();
  return {
    main,
    mainWait,
    workers: w.reduce((n, x) => n + x.cpuUs, 0),
    process: p.user + p.system,
    processWait,
  };
}

async function baseline(workers, turn) {
  const out = {};
  const durableModes = DURABILITY.map((d) => `durable-${d}`);
  for (const mode of ['batched', 'raw', 'turn', ...durableModes]) {
    const t = await openTransport(mode, workers, { turn, dir: DIR });
    await drive(t, { workers, inflight: SESSIONS, ms: 300 });
    const c0 = await cpuNow(workers);
    out[mode] = await drive(t, { workers, inflight: SESSIONS, ms: BASELINE_MS });
    const c1 = await cpuNow(workers);
    // per message for the echo baselines (2 per round trip); per turn (6 messages) for the same-messages one
    const msgs = mode === 'batched' || mode === 'raw' ? 2 * out[mode].count : out[mode].count;
    out[mode].cpuPerMsg = {
      main: (c1.main - c0.main) / msgs,
      workers: (c1.workers - c0.workers) / msgs,
      process: (c1.process - c0.process) / msgs,
    };
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

    // Warm-up, not measured: lets V8 optimise the hot paths (in a cold process, JIT compilation on V8's
    // helper threads costs more CPU than the turns themselves) and takes the first turn's title
    // generation out of the measured turns.
    await Promise.all(
      trackers.map(async (tr) => {
        for (let i = 0; i < WARMUP_TURNS; i++) await tr.turn('hello');
      }),
    );
    await sleep(300);

    const h = histogram();
    resetPortCounter();
    counter.events = 0;
    const cpu0 = await cpuNow(shards);
    const elu0 = performance.eventLoopUtilization();
    const readWorkerElu = workerElu();
    const profiler = PROFILE_MAIN ? await startProfile() : undefined;
    const t0 = performance.now();
    const w0 = monoUs();
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
    if (WINDOW_FILE)
      appendFileSync(
        WINDOW_FILE,
        `${JSON.stringify({ shards, durability, startUs: w0, endUs: monoUs() })}\n`,
      );
    const elu = performance.eventLoopUtilization(elu0).utilization;
    const wElu = readWorkerElu();
    const cpu1 = await cpuNow(shards);
    if (profiler)
      await profiler.stop(join(PROFILE_MAIN, `main-turns-shards${shards}-${durability}.cpuprofile`));
    const events = counter.events;
    // A turn's last acknowledgements (and the title append) cross the ports after its OperationCompleted
    // was delivered: let them land before counting messages.
    await sleep(300);
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
      wElu,
      mainUsPerTurn: (elu * elapsed * 1000) / turns,
      cpuMain: (cpu1.main - cpu0.main) / turns,
      cpuWorkers: (cpu1.workers - cpu0.workers) / turns,
      cpuProcess: (cpu1.process - cpu0.process) / turns,
      waitMain: (cpu1.mainWait - cpu0.mainWait) / turns,
      waitProcess: (cpu1.processWait - cpu0.processWait) / turns,
      cores: (cpu1.process - cpu0.process) / (elapsed * 1000),
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
// Every configuration runs `repeat` times, the rounds interleaved (the machine's load drifts); each
// configuration reports its median run by turns/s, and the baseline its median by batched throughput.
const runs = new Map();
const baselineRuns = {};
const recordedTurn = BASELINE && SHARDS.some((n) => n > 0) ? await captureTurn(DIR) : undefined;
for (let round = 0; round < REPEAT; round++) {
  for (const shards of SHARDS) {
    if (BASELINE && shards > 0) {
      baselineRuns[shards] ??= [];
      baselineRuns[shards].push(await baseline(shards, recordedTurn));
    }
    for (const durability of DURABILITY) {
      const r = await runConfig(shards, durability);
      const key = `${shards}/${durability}`;
      if (!runs.has(key)) runs.set(key, []);
      runs.get(key).push(r);
      console.error(
        `round ${round + 1}: shards ${shards} ${durability}: ${fmtInt(r.turnsPerSec)} turns/s, ${fmtInt(r.eventsPerSec)} events/s (${(r.elapsed / 1000).toFixed(1)} s, ${fmt1(r.cores, 2)} cores)`,
      );
    }
  }
}
const medianBy = (xs, f) => {
  const m = median(xs.map(f));
  return xs.find((x) => f(x) === m) ?? [...xs].sort((a, b) => f(a) - f(b))[xs.length >> 1];
};
const results = [...runs.values()].map((rs) => ({
  ...medianBy(rs, (r) => r.turnsPerSec),
  all: rs.map((r) => r.turnsPerSec),
}));
const baselines = Object.fromEntries(
  Object.entries(baselineRuns).map(([k, bs]) => [k, medianBy(bs, (b) => b.batched.rps)]),
);

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
      'worker ELU',
      'CPU µs/turn: main',
      'workers',
      'process',
      'cores used',
      'run-queue wait µs/turn: main',
      'all threads',
      'port msgs/turn',
      'port batches/turn',
      'create+subscribe s',
      'all runs turns/s',
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
      r.wElu.map((u) => fmt1(u * 100, 0) + '%').join(' ') || '—',
      fmtInt(r.cpuMain),
      r.shards === 0 ? '—' : fmtInt(r.cpuWorkers),
      fmtInt(r.cpuProcess),
      fmt1(r.cores, 2),
      fmtInt(r.waitMain),
      fmtInt(r.waitProcess),
      fmt1(r.msgsPerTurn, 2),
      fmt1(r.batchesPerTurn, 3),
      fmt1(r.createMs / 1000, 1),
      r.all.map(fmtInt).join(' / '),
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

/** A per-turn baseline's CPU µs per turn (process, main, workers), Shoal's, and their ratio. */
const cpuCells = (b, r) => [
  fmt1(b.cpuPerMsg.process, 1),
  fmt1(b.cpuPerMsg.main, 1),
  fmt1(b.cpuPerMsg.workers, 1),
  fmtInt(r.cpuProcess),
  `${fmt1(b.cpuPerMsg.process / r.cpuProcess, 2)}x`,
];

if (BASELINE && withPorts.length) {
  console.log(
    `\nRaw postMessage baseline in the same run: ${SESSIONS} requests in flight to the same number of workers; ` +
      'allowed turns/s = baseline messages/s ÷ Shoal port messages per turn. The CPU columns: CPU time the ' +
      "batched baseline spends on as many messages as one Shoal turn sends, and its ratio to Shoal's CPU per turn " +
      '(a wall-clock-free version of the same comparison).\n',
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
      fmt1(b.batched.cpuPerMsg.process * r.msgsPerTurn, 1),
      fmt1(b.batched.cpuPerMsg.main * r.msgsPerTurn, 1),
      fmt1((b.batched.cpuPerMsg.process * r.msgsPerTurn) / r.cpuProcess, 2) + 'x',
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
        'batched CPU µs for one turn’s msgs: process',
        'main',
        'CPU ratio (batched ÷ Shoal, process)',
      ],
      rows,
    ),
  );

  console.log(
    `\n"Same messages" baseline in the same run: one recorded Shoal turn's port messages (${recordedTurn.order
      .map((t, i) => `${t} ${Object.values(recordedTurn.bytes)[i]} B`)
      .join(
        ', ',
      )}; sizes as JSON) replayed over raw batched postMessage, ${SESSIONS} turns in flight, no Shoal code. ` +
      "Turns/s and CPU per turn compare directly with Shoal's.\n",
  );
  console.log(
    table(
      [
        'shards',
        'durability',
        'same-messages turns/s',
        'Shoal turns/s',
        'Shoal ÷ same messages',
        'same-messages CPU µs/turn: process',
        'main',
        'workers',
        'Shoal CPU µs/turn: process',
        'CPU ratio (same messages ÷ Shoal, process)',
      ],
      withPorts.map((r) => {
        const b = baselines[r.shards].turn;
        return [
          r.shards,
          r.durability,
          fmtInt(b.rps),
          fmtInt(r.turnsPerSec),
          fmt1(r.turnsPerSec / b.rps, 2) + 'x',
          ...cpuCells(b, r),
        ];
      }),
    ),
  );
}
if (BASELINE && withPorts.length) {
  console.log(
    '\n"Same messages + raw LevelDB" baseline in the same run: the same-messages replay, but the main thread ' +
      "writes each append's events to a raw classic-level database before it replies (JSON-encoded as written, " +
      'group-committed: appends arriving during a write go out together in one chained batch; `sync` for ' +
      'fsync), no store code. The least any runtime that persists the same events over the same messages ' +
      'must do.\n',
  );
  console.log(
    table(
      [
        'shards',
        'durability',
        'same msgs + raw LevelDB turns/s',
        'events/s',
        'p50 ms',
        'p99 ms',
        'Shoal turns/s',
        'Shoal ÷ it',
        'its ÷ same messages alone',
        'its CPU µs/turn: process',
        'main',
        'workers',
        'Shoal CPU µs/turn: process',
        'CPU ratio (it ÷ Shoal)',
      ],
      withPorts.map((r) => {
        const b = baselines[r.shards][`durable-${r.durability}`];
        const same = baselines[r.shards].turn;
        return [
          r.shards,
          r.durability,
          fmtInt(b.rps),
          fmtInt(b.rps * recordedTurn.stores.reduce((n, s) => n + s.args[1].length, 0)),
          fmt1(b.p50 / 1000, 1),
          fmt1(b.p99 / 1000, 1),
          fmtInt(r.turnsPerSec),
          fmt1(r.turnsPerSec / b.rps, 2) + 'x',
          fmt1(b.rps / same.rps, 2) + 'x',
          ...cpuCells(b, r),
        ];
      }),
    ),
  );
}
printLoadAtEnd();
