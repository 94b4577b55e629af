// Main-thread side of thread-probe.cjs: garbage-collect and read the heap, or read the CPU time, of the main
// thread and of every worker thread that has the probe.
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { BroadcastChannel } from 'node:worker_threads';
import { sleep } from './report.mjs';

let req = 0;

/** true when this process was started with --require thread-probe.cjs */
export const probed = () => typeof globalThis.__shoalThreadSched === 'function';

/** Full GC on the main thread, then its used heap (bytes). */
export async function mainHeap() {
  if (typeof globalThis.gc !== 'function') throw new Error('run node with --expose-gc');
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await sleep(20);
  }
  return v8.getHeapStatistics().used_heap_size;
}

/** `[cpuUs, waitUs]` of the main thread so far (see thread-probe.cjs). */
export const mainSched = () => globalThis.__shoalThreadSched();

/** Sum over every thread of this process of `[cpuUs, waitUs]` (/proc/self/task/<tid>/schedstat). */
export function processSched() {
  let cpu = 0;
  let wait = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const [c, w] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      cpu += c / 1000;
      wait += w / 1000;
    } catch {} // the thread exited meanwhile
  }
  return [cpu, wait];
}

/** Asks every probed worker for `what` ('heap' | 'cpu'); waits for `expected` answers (or `timeoutMs`). */
export async function probeWorkers(what, expected, timeoutMs = 10_000) {
  if (expected === 0) return [];
  const channel = new BroadcastChannel('shoal-bench-probe');
  const id = ++req;
  const answers = new Map();
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    channel.onmessage = ({ data }) => {
      if (data?.t !== 'probe' || data.req !== id) return;
      answers.set(data.threadId, data);
      if (answers.size >= expected) resolve();
    };
    channel.postMessage({ t: 'probe?', what, req: id });
    const timer = setInterval(() => {
      if (answers.size >= expected) clearInterval(timer);
      else if (performance.now() - t0 > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`only ${answers.size} of ${expected} workers answered the ${what} probe`));
      }
    }, 50);
  }).finally(() => channel.close());
  return [...answers.values()].sort((a, b) => a.threadId - b.threadId);
}

export const workerHeaps = (expected) => probeWorkers('heap', expected);
