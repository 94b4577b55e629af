import { fileURLToPath } from 'node:url';
import { BroadcastChannel } from 'node:worker_threads';

/** Same values as in heap-probe.cts. */
const HEAP_PROBE_CHANNEL = 'shoal-loadtest-heap';
const HEAP_PROBE_MARK = Symbol.for('shoal.loadtest.heapProbe');

/** Absolute path of the CommonJS preload that answers heap requests inside worker threads (built to dist/). */
export function heapProbePath(): string {
  return fileURLToPath(new URL('./heap-probe.cjs', import.meta.url));
}

/** True when this process was started with `--require heap-probe.cjs` (so its worker threads have it too). */
export function heapProbeLoaded(): boolean {
  return (globalThis as Record<symbol, unknown>)[HEAP_PROBE_MARK] === true;
}

export interface WorkerHeap {
  threadId: number;
  /** whether the worker could force a GC before measuring (node ran with --expose-gc) */
  gc: boolean;
  usedHeapSize: number;
}

let nextRequest = 0;

/**
 * Asks every worker thread with the probe to run a full GC and report its used heap; resolves once
 * `expected` workers answered, or with null after `timeoutMs`.
 */
export async function probeWorkerHeaps(expected: number, timeoutMs = 10_000): Promise<WorkerHeap[] | null> {
  if (expected === 0) return [];
  const channel = new BroadcastChannel(HEAP_PROBE_CHANNEL);
  const req = ++nextRequest;
  const answers = new Map<number, WorkerHeap>();
  try {
    return await new Promise<WorkerHeap[] | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      channel.onmessage = (message: unknown) => {
        const data = (message as { data?: Partial<WorkerHeap> & { t?: unknown; req?: unknown } }).data;
        if (data?.t !== 'heap' || data.req !== req || typeof data.threadId !== 'number') return;
        answers.set(data.threadId, {
          threadId: data.threadId,
          gc: data.gc === true,
          usedHeapSize: Number(data.usedHeapSize) || 0,
        });
        if (answers.size >= expected) {
          clearTimeout(timer);
          resolve([...answers.values()]);
        }
      };
      channel.postMessage({ t: 'heap?', req });
    });
  } finally {
    channel.close();
  }
}
