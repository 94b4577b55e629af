// Allocation profile of the turn phase: which functions allocate how many bytes per turn.
// Uses V8's sampling heap profiler (node:inspector HeapProfiler.startSampling, objects later collected by
// minor and major GCs included), so the numbers are estimates from samples (one per `--interval` bytes on
// average), not exact counts. Not a test; prints markdown.
//
//   npx turbo run build && node bench/runtime/alloc-profile.mjs [--sessions 1000] [--turns 10]
//     [--warmup-turns 2] [--shards 0] [--top 40] [--interval 4096]
//
// With `--shards 0` the whole turn (supervisor, actor, reducer, store) runs on the main thread, so the
// profile covers all of it; with shards > 0 each worker is profiled too (through lib/thread-probe.cjs, which
// the script preloads into every thread by re-running itself with `--require`).
import { mkdtempSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Runtime } from '@shoal/supervisor';
import { probed, probeWorkers } from './lib/heap.mjs';
import { arg, fmt1, reexecWith, table } from './lib/report.mjs';
import { pool, track } from './lib/sessions.mjs';

const SESSIONS = Number(arg('sessions', '1000'));
const TURNS = Number(arg('turns', '10'));
const WARMUP_TURNS = Number(arg('warmup-turns', '2'));
const SHARDS = Number(arg('shards', '0'));
const TOP = Number(arg('top', '40'));
const INTERVAL = Number(arg('interval', '4096'));

await reexecWith(['--require', fileURLToPath(new URL('./lib/thread-probe.cjs', import.meta.url))], probed);

const session = new Session();
session.connect();
const call = (method, params) =>
  new Promise((resolve, reject) =>
    session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
  );

const dataDir = mkdtempSync(join(os.tmpdir(), 'shoal-alloc-'));
const runtime = await Runtime.start({
  dataDir,
  shards: SHARDS,
  durability: 'fsync',
  logLevel: 'silent',
  providers: { simulated: {} },
});
const ids = [];
await pool(Array.from({ length: SESSIONS }), 200, async () => ids.push(await runtime.createSession()));
const counter = { events: 0 };
const trackers = await Promise.all(ids.map((id) => track(runtime, id, counter)));
const runTurns = (n) =>
  Promise.all(
    trackers.map(async (tr) => {
      for (let i = 0; i < n; i++) await tr.turn('hello');
    }),
  );
await runTurns(WARMUP_TURNS);

await call('HeapProfiler.enable');
await call('HeapProfiler.startSampling', {
  samplingInterval: INTERVAL,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
await probeWorkers('alloc-start', SHARDS);
await runTurns(TURNS);
const { profile } = await call('HeapProfiler.stopSampling');
const workerProfiles = (await probeWorkers('alloc-stop', SHARDS)).map((a) => a.profile);
session.disconnect();
await Promise.all(trackers.map((t) => t.close()));
await runtime.shutdown();
rmSync(dataDir, { recursive: true, force: true });

const turns = SESSIONS * TURNS;
const rows = (m, total, n) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => [`\`${k}\``, fmt1(v / turns, 0), `${fmt1((100 * v) / total, 1)}%`]);

function summarise(name, profile) {
  const bySelf = new Map();
  const byArea = new Map();
  let total = 0;
  const visit = (node) => {
    const f = node.callFrame;
    const url = f.url.replace(/^file:\/\/.*?\/(packages|node_modules|bench)\//, '$1/');
    const key = `${f.functionName || '(anonymous)'} ${url}:${f.lineNumber + 1}`;
    const bytes = node.selfSize;
    total += bytes;
    bySelf.set(key, (bySelf.get(key) ?? 0) + bytes);
    const m = /packages\/([^/]+)\//.exec(url) ?? /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    const a = m ? m[1] : url.startsWith('node:') ? 'node core' : url ? url : '(native / V8)';
    byArea.set(a, (byArea.get(a) ?? 0) + bytes);
    for (const c of node.children) visit(c);
  };
  visit(profile.head);
  console.log(`#### ${name}: ${fmt1(total / turns, 0)} B/turn\n`);
  console.log(table(['function', 'B/turn', 'share'], rows(bySelf, total, TOP)));
  console.log();
  console.log(table(['area', 'B/turn', 'share'], rows(byArea, total, 30)));
  console.log();
  return total;
}

console.log(`### Allocation per turn (sampled), shards ${SHARDS}, ${SESSIONS} sessions × ${TURNS} turns\n`);
let all = summarise('main thread', profile);
workerProfiles.forEach((p, i) => {
  all += summarise(`worker ${i + 1}`, p);
});
console.log(`All threads: ${fmt1(all / turns, 0)} B/turn`);
