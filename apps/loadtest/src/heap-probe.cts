// Preloaded by the CLI (`node --expose-gc --require dist/heap-probe.cjs dist/cli.js …`): `--require` also
// runs in every worker thread the runtime starts, because workers inherit the parent's options. In a worker
// it answers heap requests on a BroadcastChannel (not on the worker's parent port, which belongs to the
// runtime): on a request it runs a full GC in its own isolate and replies with that isolate's used heap.
// On the main thread it only marks that the probe is loaded. It touches nothing else.
import v8 = require('node:v8');
import workerThreads = require('node:worker_threads');

// Keep in sync with heap-probe-client.ts (this file is CommonJS and is loaded on its own).
const HEAP_PROBE_CHANNEL = 'shoal-loadtest-heap';
const HEAP_PROBE_MARK = Symbol.for('shoal.loadtest.heapProbe');

if (workerThreads.isMainThread) {
  (globalThis as Record<symbol, unknown>)[HEAP_PROBE_MARK] = true;
} else {
  const channel = new workerThreads.BroadcastChannel(HEAP_PROBE_CHANNEL);
  channel.unref();
  channel.onmessage = (message: unknown) => {
    const data = (message as { data?: { t?: unknown; req?: unknown } }).data;
    if (data?.t !== 'heap?') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (typeof gc === 'function') {
      gc();
      gc();
    }
    channel.postMessage({
      t: 'heap',
      req: data.req,
      threadId: workerThreads.threadId,
      gc: typeof gc === 'function',
      usedHeapSize: v8.getHeapStatistics().used_heap_size,
    });
  };
}
