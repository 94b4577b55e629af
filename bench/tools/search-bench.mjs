// Search benchmark: what running grep/glob on the process's tool pool costs per call, beside the same
// search run inline on the calling thread (the baseline: what the tools did before the pool).
//
//   node bench/tools/search-bench.mjs [--files 500] [--lines 100] [--calls 40] [--repeat 3]
//
// Modes, alternated every round, median round reported:
// - inline: `grepSearch` / `globSearch` called on this thread (walk, reads, RE2 matching; no pool);
// - pool: `ToolPool.run` (a piscina thread does the work; what an in-process shard does);
// - port: `PortToolRunner` → `serveToolPool` → pool over a MessageChannel (the worker shard's path, both
//   ends on this thread here, so the thread hop itself is not counted).
// Workloads: `tiny` (one 10-line file: the fixed per-call cost) and `tree` (`files` × `lines`). For each:
// `calls` calls one after another; ms per call; and the event-loop delay (p99, max) on this thread while
// they ran: what every other session on a shard waits.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { MessageChannel } from 'node:worker_threads';
import { PortToolRunner, serveToolPool, ToolPool } from '@shoal/session-worker';
import { globSearch } from '../../packages/session-worker/dist/tools/pool/glob-search.js';
import { grepSearch } from '../../packages/session-worker/dist/tools/pool/grep-search.js';
import { arg, fmt1, median, printLoadAtEnd, printMachine, table } from '../runtime/lib/report.mjs';

const FILES = Number(arg('files', 500));
const LINES = Number(arg('lines', 100));
const CALLS = Number(arg('calls', 40));
const REPEAT = Number(arg('repeat', 3));

const root = mkdtempSync(join(tmpdir(), 'shoal-search-bench-'));
const tiny = join(root, 'tiny');
const tree = join(root, 'tree');
mkdirSync(tiny);
writeFileSync(join(tiny, 'a.ts'), Array.from({ length: 10 }, (_, i) => `const v${i} = ${i};`).join('\n'));
for (let f = 0; f < FILES; f++) {
  const dir = join(tree, `d${f % 20}`);
  mkdirSync(dir, { recursive: true });
  const lines = Array.from(
    { length: LINES },
    (_, i) => `export const value_${f}_${i} = compute(${i}); // TODO`,
  );
  writeFileSync(join(dir, `f${f}.ts`), lines.join('\n'));
}

const grep = (base) => ({ kind: 'grep', root: base, base, baseIsFile: false, pattern: 'value_\\d+_7\\b' });
const glob = (base) => ({ kind: 'glob', root: base, base, start: base, pattern: '**/*7.ts' });
const pool = new ToolPool();
const { port1, port2 } = new MessageChannel();
serveToolPool(port1, pool);
const ported = new PortToolRunner(port2);
const signal = new AbortController().signal;
const modes = {
  inline: (t) => (t.kind === 'grep' ? grepSearch(t) : globSearch(t)),
  pool: (t) => pool.run(t, signal),
  port: (t) => ported.run(t, signal),
};
const workloads = [
  ['grep tiny', grep(tiny)],
  ['grep tree', grep(tree)],
  ['glob tiny', glob(tiny)],
  ['glob tree', glob(tree)],
];

async function round(mode, task) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) await modes[mode](task);
  const ms = performance.now() - t0;
  h.disable();
  return { perCall: ms / CALLS, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}

printMachine(
  `Search: ${CALLS} calls per round; tree = ${FILES} files × ${LINES} lines; median of ${REPEAT} rounds`,
);
for (const mode of Object.keys(modes)) await round(mode, workloads[0][1]); // warm-up: threads, JIT
const rows = [];
for (const [name, task] of workloads) {
  const results = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
  for (let r = 0; r < REPEAT; r++)
    for (const mode of Object.keys(modes)) results[mode].push(await round(mode, task));
  for (const mode of Object.keys(modes)) {
    const xs = results[mode];
    rows.push([
      name,
      mode,
      fmt1(median(xs.map((x) => x.perCall)), 2),
      fmt1(median(xs.map((x) => x.p99)), 1),
      fmt1(median(xs.map((x) => x.max)), 1),
    ]);
  }
}
console.log(
  `\n${table(['workload', 'mode', 'ms per call', 'event-loop delay p99 ms', 'event-loop delay max ms'], rows)}\n`,
);
await pool.close();
port2.close();
rmSync(root, { recursive: true, force: true });
printLoadAtEnd();
