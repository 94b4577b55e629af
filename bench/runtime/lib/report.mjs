// Shared helpers for the runtime benchmarks: histograms, markdown tables, machine description.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { relative } from 'node:path';
import * as hdr from 'hdr-histogram-js';

/** A latency histogram in microseconds (1 µs .. 100 s, 3 significant digits). */
export function histogram() {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 100_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/** Records a duration given in milliseconds (performance.now() deltas) into a µs histogram. */
export function recordMs(h, ms) {
  h.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
export const list = (name, fallback) => String(arg(name, fallback)).split(',').filter(Boolean);

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : String(n));
export const fmtMs = (us) => (us / 1000).toFixed(us < 10_000 ? 3 : 1);
export const fmt1 = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : String(n));

export function table(headers, rows) {
  const lines = [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

export function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {}
  return {
    nproc: os.availableParallelism(),
    cpu,
    ramGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    date: new Date().toISOString(),
    load: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  };
}

/** The command line that started this process, as typed from the current directory. */
export function commandLine() {
  const flags = process.execArgv.length ? `${process.execArgv.join(' ')} ` : '';
  return `node ${flags}${relative(process.cwd(), process.argv[1])} ${process.argv.slice(2).join(' ')}`.trim();
}

export function printMachine(title, command = process.env.SHOAL_BENCH_COMMAND ?? commandLine()) {
  const m = machine();
  console.log(`### ${title}\n`);
  console.log(`Command (from \`${process.cwd()}\`): \`${command}\`  `);
  console.log(
    `Machine: nproc ${m.nproc}, ${m.cpu}, ${m.ramGiB} GiB RAM, node ${m.node}; ${m.date}; load average at start ${m.load}\n`,
  );
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Re-runs this script in a child process with `extraArgs` node flags (e.g. the thread probe preload) unless
 * `ready()` says they are already in effect; the child prints the command the user typed.
 */
export async function reexecWith(extraArgs, ready) {
  if (ready()) return;
  const { spawnSync } = await import('node:child_process');
  const args = [...process.execArgv, ...extraArgs, process.argv[1], ...process.argv.slice(2)];
  const env = { ...process.env, SHOAL_BENCH_COMMAND: process.env.SHOAL_BENCH_COMMAND ?? commandLine() };
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', env });
  process.exit(r.status ?? 1);
}

/** The shared machine's load average, printed after a benchmark so readers can judge its numbers. */
export function printLoadAtEnd() {
  console.log(
    `\nLoad average at end: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (${os.availableParallelism()} CPUs)`,
  );
}
