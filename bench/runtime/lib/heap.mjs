// Main-thread side of heap-probe.cjs: garbage-collect and read the heap of the main thread and of every
// worker thread that has the probe.
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { BroadcastChannel } from 'node:worker_threads';
import { sleep } from './report.mjs';

let req = 0;

/** Full GC on the main thread, then its used heap (bytes). */
export async function mainHeap() {
  if (typeof globalThis.gc !== 'function') throw new Error('run node with --expose-gc');
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await sleep(20);
  }
  return v8.getHeapStatistics().used_heap_size;
}

/** Asks every probed worker to GC and report; waits for `expected` answers (or `timeoutMs`). */
export async function workerHeaps(expected, timeoutMs = 10_000) {
  if (expected === 0) return [];
  const channel = new BroadcastChannel('shoal-bench-heap');
  const id = ++req;
  const answers = new Map();
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    channel.onmessage = ({ data }) => {
      if (data?.t !== 'heap' || data.req !== id) return;
      answers.set(data.threadId, data);
      if (answers.size >= expected) resolve();
    };
    channel.postMessage({ t: 'heap?', req: id });
    const timer = setInterval(() => {
      if (performance.now() - t0 > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`only ${answers.size} of ${expected} workers answered the heap probe`));
      }
      if (answers.size >= expected) clearInterval(timer);
    }, 50);
  }).finally(() => channel.close());
  return [...answers.values()].sort((a, b) => a.threadId - b.threadId);
}
