// Spawn benchmark: what starting `bash` costs the thread that asks for it, in a process as big as a loaded
// runtime. `child_process.spawn` forks the calling process; a fork copies the page tables of every mapping,
// so the calling thread is blocked for time that grows with the process's memory. Shoal's shards hand their
// `bash` commands to a small spawn helper process instead (session-worker `SpawnHelper`).
//
//   node bench/tools/spawn-bench.mjs [--rss-mb 400] [--runs 500] [--repeat 3]
//
// Modes, alternated every round, median round reported:
// - raw spawn: `child_process.spawn('/bin/bash', ['-c', 'echo hi'])` from this process (the baseline);
// - here: session-worker's `startGroupProcess` (what the bash tool does without a helper: spawn + own group);
// - helper: `SpawnHelper.launch` (a request over IPC; the helper forks itself, ~50 MB).
// For each: `runs` commands started back to back, one per event-loop turn; wall time until all finished; how
// long each launch call blocked this thread (mean, and the longest); the event-loop delay while they ran
// (`monitorEventLoopDelay`): what every other session on a shard waits.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { SpawnHelper, startGroupProcess } from '@shoal/session-worker';
import { arg, fmt1, median, printLoadAtEnd, printMachine, table } from '../runtime/lib/report.mjs';

const RSS_MB = Number(arg('rss-mb', 400));
const RUNS = Number(arg('runs', 500));
const REPEAT = Number(arg('repeat', 3));
const COMMAND = 'echo hi';

// Grow this process to about RSS_MB of touched memory, as a runtime with thousands of sessions is.
const ballast = [];
while (process.memoryUsage().rss < RSS_MB * 2 ** 20) ballast.push(Buffer.alloc(8 * 2 ** 20, 1));

const cwd = mkdtempSync(join(tmpdir(), 'shoal-spawn-bench-'));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const helper = new SpawnHelper();

const modes = {
  'raw spawn': () =>
    new Promise((resolve, reject) => {
      const c = spawn('/bin/bash', ['-c', COMMAND], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      c.stdout.resume();
      c.stderr.resume();
      c.on('error', reject);
      c.on('close', resolve);
    }),
  here: () => startGroupProcess({ command: COMMAND, cwd, env }).done,
  helper: () => helper.launch({ command: COMMAND, cwd, env }).done,
};

async function round(mode) {
  const start = modes[mode];
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  let blocked = 0;
  let longest = 0;
  const t0 = performance.now();
  // One launch per event-loop turn, as tool calls arrive on a shard between its other work.
  const done = [];
  await new Promise((resolve) => {
    const next = () => {
      const s = performance.now();
      done.push(start());
      const d = performance.now() - s;
      blocked += d;
      if (d > longest) longest = d;
      if (done.length < RUNS) setImmediate(next);
      else resolve();
    };
    setImmediate(next);
  });
  await Promise.all(done);
  const wall = performance.now() - t0;
  eld.disable();
  return {
    wall,
    blockedPerRun: blocked / RUNS,
    longest,
    eldP99: eld.percentile(99) / 1e6,
    eldMax: eld.max / 1e6,
  };
}

printMachine(`Spawn: ${RUNS} × bash -c '${COMMAND}' at once, process RSS ≈ ${RSS_MB} MiB`);
console.log(`RSS at start: ${fmt1(process.memoryUsage().rss / 2 ** 20, 0)} MiB\n`);
await helper.launch({ command: 'true', cwd, env }).done; // start the helper outside the measurement
for (const mode of Object.keys(modes)) await round(mode); // warm-up
const results = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
for (let r = 0; r < REPEAT; r++) {
  for (const mode of Object.keys(modes)) {
    const x = await round(mode);
    results[mode].push(x);
    console.error(
      `round ${r + 1} ${mode}: ${fmt1(x.wall, 0)} ms, ${fmt1(x.blockedPerRun, 2)} ms blocked/run`,
    );
  }
}
/** The median of one measure over a mode's rounds, formatted with `digits` decimals. */
const med = (xs, measure, digits) => fmt1(median(xs.map(measure)), digits);
console.log(
  table(
    [
      'mode',
      'wall ms (all runs)',
      'runs/s',
      'thread blocked per launch ms (mean)',
      'longest launch ms',
      'event-loop delay p99 ms',
      'event-loop delay max ms',
    ],
    Object.entries(results).map(([mode, xs]) => [
      mode,
      med(xs, (x) => x.wall, 0),
      med(xs, (x) => RUNS / (x.wall / 1000), 0),
      med(xs, (x) => x.blockedPerRun, 3),
      med(xs, (x) => x.longest, 1),
      med(xs, (x) => x.eldP99, 1),
      med(xs, (x) => x.eldMax, 1),
    ]),
  ),
);
helper.close();
rmSync(cwd, { recursive: true, force: true });
printLoadAtEnd();
