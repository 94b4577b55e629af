// Preloaded with `node --expose-gc --require bench/runtime/lib/heap-probe.cjs`: `--require` also runs in
// every worker thread, so each shard worker gets a probe that answers heap requests on a BroadcastChannel
// (not on the worker's parent port, which belongs to the runtime). On a request it runs a full GC twice in
// its own isolate and replies with that isolate's V8 heap statistics. It touches nothing else.
const { BroadcastChannel, isMainThread, threadId } = require('node:worker_threads');
const v8 = require('node:v8');

if (!isMainThread) {
  const channel = new BroadcastChannel('shoal-bench-heap');
  channel.unref();
  channel.onmessage = ({ data }) => {
    if (data?.t !== 'heap?') return;
    if (typeof globalThis.gc === 'function') {
      globalThis.gc();
      globalThis.gc();
    }
    const s = v8.getHeapStatistics();
    channel.postMessage({
      t: 'heap',
      req: data.req,
      threadId,
      gc: typeof globalThis.gc === 'function',
      usedHeapSize: s.used_heap_size,
      totalHeapSize: s.total_heap_size,
      externalMemory: s.external_memory,
    });
  };
}
