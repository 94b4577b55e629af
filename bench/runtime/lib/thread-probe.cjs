// Preloaded with `node [--expose-gc] --require bench/runtime/lib/thread-probe.cjs …`. `--require` also runs in
// every worker thread, so each of the runtime's shard workers gets a probe that answers on a BroadcastChannel
// (not on the worker's parent port, which belongs to the runtime). It touches nothing else.
// - `{ t: 'probe?', what: 'heap' }`: two full GCs in that isolate (needs --expose-gc), then its V8 heap stats;
// - `{ t: 'probe?', what: 'cpu' }`: the CPU time this OS thread has used (user + system, from
//   /proc/thread-self/stat, in µs; clock-tick resolution, usually 10 ms).
const { BroadcastChannel, isMainThread, threadId } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const v8 = require('node:v8');

const TICK_US = 10_000; // CLK_TCK = 100 on Linux

/** CPU time (µs) used so far by the calling OS thread, or NaN where /proc is unavailable. */
function threadCpuUs() {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  } catch {
    return Number.NaN;
  }
}
globalThis.__shoalThreadCpuUs = threadCpuUs;

if (!isMainThread) {
  const channel = new BroadcastChannel('shoal-bench-probe');
  channel.unref();
  channel.onmessage = ({ data }) => {
    if (data?.t !== 'probe?') return;
    const reply = { t: 'probe', req: data.req, threadId };
    if (data.what === 'heap') {
      if (typeof globalThis.gc === 'function') {
        globalThis.gc();
        globalThis.gc();
      }
      const s = v8.getHeapStatistics();
      Object.assign(reply, {
        gc: typeof globalThis.gc === 'function',
        usedHeapSize: s.used_heap_size,
        totalHeapSize: s.total_heap_size,
      });
    } else {
      reply.cpuUs = threadCpuUs();
    }
    channel.postMessage(reply);
  };
}
