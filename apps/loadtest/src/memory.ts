import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFn = () => void;

let cachedGc: GcFn | null | undefined;

/**
 * A function that forces a full garbage collection on the calling thread: `globalThis.gc` when node runs with
 * `--expose-gc`, otherwise one obtained by turning that flag on at run time (a fresh context then sees `gc`).
 * Null if neither works.
 */
export function forceGc(): GcFn | null {
  if (cachedGc !== undefined) return cachedGc;
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') {
    cachedGc = existing as GcFn;
    return cachedGc;
  }
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as unknown;
    cachedGc = typeof fn === 'function' ? (fn as GcFn) : null;
  } catch {
    cachedGc = null;
  }
  return cachedGc;
}

/** Heap used by the calling thread's isolate, after a forced GC when one is available. */
export function mainHeapUsed(): number {
  const gc = forceGc();
  if (gc) {
    gc();
    gc(); // a second pass collects what the first one's finalizers released
  }
  return process.memoryUsage().heapUsed;
}

/**
 * Peak resident set size of the process so far (all threads), from getrusage: `maxRSS` is in KiB.
 * Node may report 0 where the platform does not provide it; then the current RSS is the best answer.
 */
export function peakRssBytes(): number {
  const peak = process.resourceUsage().maxRSS * 1024;
  return peak > 0 ? peak : process.memoryUsage.rss();
}
