// Summarises .cpuprofile files written by `node --cpu-prof` (one per thread): the top functions by self
// time, and self time grouped by package/file area.
//
//   node bench/runtime/lib/cpuprofile-summary.mjs <dir or files…> [--top 25] [--window <file>]
//
// --window: a file of JSON lines `{ startUs, endUs }` (runtime-bench.mjs --window-file): only samples taken
// inside one of those windows count (the timestamps of .cpuprofile files and process.hrtime share
// CLOCK_MONOTONIC). Profiles that are mostly a blocked spawnSync (a launcher process) are skipped.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { arg, fmt1, table } from './report.mjs';

const TOP = Number(arg('top', '25'));
const WINDOW = arg('window', '');
const windows = WINDOW
  ? readFileSync(WINDOW, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  : [];
const inWindow = (t) => windows.length === 0 || windows.some((w) => t >= w.startUs && t <= w.endUs);
const inputs = process.argv
  .slice(2)
  .filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--top' && all[i - 1] !== '--window');
const files = inputs.flatMap((p) =>
  statSync(p).isDirectory()
    ? readdirSync(p)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(p, f))
    : [p],
);

function area(url) {
  if (!url) return '(native / V8)';
  const m = /packages\/([^/]+)\//.exec(url);
  if (m) return `@shoal/${m[1]}`;
  const n = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (n) return n[1];
  if (url.startsWith('node:')) return 'node core';
  if (url.includes('/bench/')) return 'bench harness';
  return url;
}

for (const file of files) {
  const prof = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = prof.timeDeltas;
  let total = 0;
  let t = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    t += deltas[i];
    const dt = deltas[i + 1] ?? 0; // the delta after a sample is the time it represents
    if (!inWindow(t)) continue;
    const id = prof.samples[i];
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  }
  const fn = new Map();
  const areas = new Map();
  for (const [id, us] of self) {
    const { callFrame: c } = byId.get(id);
    const name = c.functionName || '(anonymous)';
    const where = c.url
      ? `${c.url.replace(/^.*\/(packages|node_modules|bench)\//, '$1/')}:${c.lineNumber + 1}`
      : '';
    const key = `${name} ${where}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + us);
    const a = ['(idle)', '(program)', '(garbage collector)'].includes(name) ? name : area(c.url);
    areas.set(a, (areas.get(a) ?? 0) + us);
  }
  const idle = fn.get('(idle)') ?? 0;
  const busy = total - idle;
  if (busy < 100_000 || (fn.get('spawnSync node:internal/child_process:1108') ?? 0) > busy / 2) continue;
  console.log(
    `\n#### ${basename(file)}${windows.length ? ' (turn phases only)' : ''}: ${fmt1(total / 1e6, 2)} s sampled, ${fmt1(busy / 1e6, 2)} s not idle (${fmt1((busy / total) * 100, 0)}%)\n`,
  );
  const pct = (us) => `${fmt1((us / busy) * 100, 1)}%`;
  const top = [...fn]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP);
  console.log(
    table(
      ['function', 'self ms', 'of busy'],
      top.map(([k, us]) => [`\`${k}\``, fmt1(us / 1000, 0), pct(us)]),
    ),
  );
  const ar = [...areas]
    .filter(([k]) => k !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15);
  console.log('');
  console.log(
    table(
      ['area', 'self ms', 'of busy'],
      ar.map(([k, us]) => [k, fmt1(us / 1000, 0), pct(us)]),
    ),
  );
}
