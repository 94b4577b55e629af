// Counts what crosses the main thread ⇄ worker ports of the runtime, without touching the runtime: it wraps
// `Worker.prototype.postMessage` (main → worker) and `Worker.prototype.emit('message')` (worker → main),
// which every worker the supervisor spawns inherits. Each postMessage of an array is one batch; every
// element is one protocol message, counted by its `t`.
import { Worker } from 'node:worker_threads';

const counts = { batchesOut: 0, batchesIn: 0, out: new Map(), in: new Map() };
/** while recording: every protocol message crossing a port, in order, as `{ dir: 'out' | 'in', msg }` (cloned) */
let recording;
/** every live Worker seen posting or receiving (for worker.performance.eventLoopUtilization()) */
const workers = new Set();
let installed = false;

function tally(map, payload, dir) {
  const items = Array.isArray(payload) ? payload : [payload];
  for (const m of items) {
    const t = m?.t ?? '?';
    map.set(t, (map.get(t) ?? 0) + 1);
    recording?.push({ dir, msg: structuredClone(m) });
  }
}

export function installPortCounter() {
  if (installed) return;
  installed = true;
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (payload, transfer) {
    workers.add(this);
    counts.batchesOut++;
    tally(counts.out, payload, 'out');
    return post.call(this, payload, transfer);
  };
  const emit = Worker.prototype.emit;
  Worker.prototype.emit = function (event, payload, ...rest) {
    if (event === 'exit') workers.delete(this);
    if (event === 'message') {
      workers.add(this);
      counts.batchesIn++;
      tally(counts.in, payload, 'in');
    }
    return emit.call(this, event, payload, ...rest);
  };
}

/** Starts recording every message (main → worker: `out`, worker → main: `in`); `stopRecording` returns them. */
export function startRecording() {
  recording = [];
}

export function stopRecording() {
  const r = recording ?? [];
  recording = undefined;
  return r;
}

export function resetPortCounter() {
  counts.batchesOut = 0;
  counts.batchesIn = 0;
  counts.out.clear();
  counts.in.clear();
}

/** `{ batches, messages, byType: { 'out:dispatch': n, 'in:reply': n, … } }` since the last reset. */
export function portCounts() {
  const byType = {};
  let messages = 0;
  for (const [t, n] of counts.out) {
    byType[`→${t}`] = n;
    messages += n;
  }
  for (const [t, n] of counts.in) {
    byType[`←${t}`] = n;
    messages += n;
  }
  return { batches: counts.batchesOut + counts.batchesIn, messages, byType };
}

/** Starts measuring every known worker's event-loop utilisation; call the result to read it. */
export function workerElu() {
  const start = new Map([...workers].map((w) => [w, w.performance.eventLoopUtilization()]));
  return () =>
    [...start]
      .filter(([w]) => workers.has(w))
      .sort(([a], [b]) => a.threadId - b.threadId)
      .map(([w, e0]) => w.performance.eventLoopUtilization(e0).utilization);
}
