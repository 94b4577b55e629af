// Preloaded with `node [--expose-gc] --require bench/runtime/lib/thread-probe.cjs …`. `--require` also runs in
// every worker thread, so each of the runtime's shard workers gets a probe that answers on a BroadcastChannel
// (not on the worker's parent port, which belongs to the runtime). It touches nothing else.
// - `{ t: 'probe?', what: 'heap' }`: two full GCs in that isolate (needs --expose-gc), then its V8 heap stats;
// - `{ t: 'probe?', what: 'cpu' }`: the CPU time this OS thread has used and the time it waited for a CPU
//   (µs, from /proc/thread-self/schedstat);
// - `{ t: 'probe?', what: 'alloc-start' | 'alloc-stop' }`: start / stop V8's sampling heap profiler in that
//   isolate (node:inspector); the stop answer carries the profile (alloc-profile.mjs).
const { BroadcastChannel, isMainThread, threadId } = require('node:worker_threads');
const { readFileSync } = require('node:fs');
const v8 = require('node:v8');

/**
 * `[cpuUs, waitUs]` of the calling OS thread so far, from /proc/thread-self/schedstat: time on a CPU, and
 * time spent runnable but waiting for a CPU (run-queue delay: what other threads and processes cost it).
 * NaNs where /proc is unavailable.
 */
function threadSched() {
  try {
    const [cpuNs, waitNs] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return [cpuNs / 1000, waitNs / 1000];
  } catch {
    return [Number.NaN, Number.NaN];
  }
}
globalThis.__shoalThreadSched = threadSched;

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
    } else if (data.what === 'alloc-start' || data.what === 'alloc-stop') {
      allocProfiler(data.what, data.interval).then(
        (profile) => channel.postMessage({ ...reply, profile }),
        (err) => channel.postMessage({ ...reply, error: String(err) }),
      );
      return;
    } else {
      [reply.cpuUs, reply.waitUs] = threadSched();
    }
    channel.postMessage(reply);
  };
}

let inspectorSession;
function allocProfiler(what, interval) {
  const { Session } = require('node:inspector');
  if (!inspectorSession) {
    inspectorSession = new Session();
    inspectorSession.connect();
  }
  const call = (method, params) =>
    new Promise((resolve, reject) =>
      inspectorSession.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
    );
  if (what === 'alloc-start') {
    return call('HeapProfiler.enable').then(() =>
      call('HeapProfiler.startSampling', {
        samplingInterval: interval ?? 4096,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      }),
    );
  }
  return call('HeapProfiler.stopSampling').then((r) => r.profile);
}
