// What both store benchmarks (store-bench.mjs, pg-store-bench.mjs) share: arguments, the append loops that
// drive a store as the runtime does, summaries, medians and the machine line.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { batchesOf, percentile } from './events.mjs';

/** `--name value` from the command line, or `fallback`. */
export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}

/** A comma-separated numeric list argument. */
export const listArg = (name, fallback) => arg(name, fallback).split(',').map(Number);

export const verbose = process.argv.includes('--verbose');

/** `sess-0` ... `sess-{n-1}`. */
export const sessionIds = (n) => Array.from({ length: n }, (_, i) => `sess-${i}`);

/** Registers the sessions the loops append to (metadata as a multi-tenant host would give them). */
export function createSessions(store, sessions) {
  return Promise.all(
    sessionIds(sessions).map((id) => store.createSession(id, { tenant: `t${id.length % 7}` })),
  );
}

/** Throughput, latency percentiles and client CPU per event of one run. */
export function summarize(events, elapsedSec, latencies, cpu) {
  const sorted = Float64Array.from(latencies).sort();
  return {
    eventsPerSec: events / elapsedSec,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    cpuUsPerEvent: (cpu.user + cpu.system) / events,
  };
}

/**
 * Every session is its own loop `await store.append(id, events, { expectedNextSeq })` for `seconds`, as the
 * runtime drives a store. The event arrays are built once: the loop allocates nothing per append.
 */
export async function appendLoops(store, pool, sessions, perAppend, seconds) {
  const appendBatches = batchesOf(pool, perAppend);
  const latencies = [];
  let events = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    sessionIds(sessions).map(async (id) => {
      let next = 0;
      for (let k = 0; performance.now() < deadline; k++) {
        const start = performance.now();
        await store.append(id, appendBatches[k % appendBatches.length], { expectedNextSeq: next });
        latencies.push(performance.now() - start);
        next += perAppend;
        events += perAppend;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  return summarize(events, elapsed, latencies, process.cpuUsage(cpu0));
}

/** The run with the median throughput. */
export const median = (runs) =>
  [...runs].sort((a, b) => a.eventsPerSec - b.eventsPerSec)[Math.floor(runs.length / 2)];

/** The median of plain numbers. */
export const medianOf = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** `node …, N CPUs (model)`. */
export function machineLine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  return `node ${process.version}, ${os.availableParallelism()} CPUs (${cpu})`;
}

/** The 1-minute load average, for the record beside the numbers it disturbs. */
export const loadAverage = () => os.loadavg()[0].toFixed(1);

const TICK_US = 10_000; // Linux USER_HZ is 100

function procStat(pid) {
  try {
    // Fields after the command name: state ppid ... utime(14) stime(15) cutime(16) cstime(17) (1-based).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return {
      ppid: Number(fields[1]),
      own: Number(fields[11]) + Number(fields[12]),
      children: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined; // the process has exited
  }
}

/**
 * CPU microseconds used so far by a server process and all its children, living or exited (Linux /proc):
 * the server side of a benchmark, which the client's `process.cpuUsage()` does not see.
 */
export function processTreeCpuUs(rootPid) {
  const root = procStat(rootPid);
  if (root === undefined) return Number.NaN;
  let ticks = root.own + root.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const st = procStat(entry);
    if (st !== undefined && st.ppid === rootPid) ticks += st.own;
  }
  return ticks * TICK_US;
}

/** The parent (postmaster) of a server backend. */
export const parentPid = (pid) => procStat(pid)?.ppid ?? Number.NaN;

/** The arguments both benchmarks take: `--seconds`, `--repeat`, `--dir`, `--sessions`, `--events`. */
export function commonArgs({ seconds, sessions }) {
  return {
    seconds: Number(arg('seconds', seconds)),
    repeat: Number(arg('repeat', '3')),
    baseDir: arg('dir', os.tmpdir()),
    sessionCounts: listArg('sessions', sessions),
    batchSizes: listArg('events', '1,10'),
  };
}
