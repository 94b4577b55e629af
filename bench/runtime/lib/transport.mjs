// Candidate transports between the main thread and worker threads, and a closed-loop driver that measures
// dispatch round trips over them. Used by transport-bench.mjs and, as the raw baseline, by runtime-bench.mjs.
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { ClassicLevel } from 'classic-level';
import { wrap } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { Piscina } from 'piscina';
import { batchedSender } from './batched-port.mjs';
import { histogram, recordMs } from './report.mjs';

const workerUrl = (name) => new URL(`../workers/${name}`, import.meta.url);

export const MODES = ['raw', 'batched', 'comlink', 'piscina-pinned', 'piscina-default'];

export const MODE_NOTES = {
  raw: 'raw `postMessage`, one message per request and per reply',
  batched: 'raw `postMessage` of arrays, flushed once per event-loop turn with setImmediate, both directions',
  comlink: 'comlink `wrap(nodeEndpoint(worker)).dispatch(msg)`, one call per request',
  'piscina-pinned':
    'piscina 5 `run(msg, { name: "pin<k>" })`, custom `loadBalancer` pinning each task to worker k, `atomics: "disabled"`',
  'piscina-default':
    'piscina 5 `run(msg)` with its defaults: least-busy balancer (unpinned), 1 task per worker, `atomics: "sync"`',
};

/**
 * Opens `workers` workers speaking `mode`. Returns `{ call(worker, msg): Promise<reply>, close() }`.
 * Mode `turn` (the "same messages" baseline) needs `opts.turn`, a capture from lib/turn-capture.mjs: each call
 * is one whole turn's six messages (see workers/raw-turn.mjs), and resolves with `{ id: msg.id }`.
 */
export async function openTransport(mode, workers, opts = {}) {
  switch (mode) {
    case 'turn':
      return openTurnTransport(workers, opts.turn);
    case 'durable-fsync':
    case 'durable-buffered':
      return openTurnTransport(workers, opts.turn, {
        dir: opts.dir,
        sync: mode === 'durable-fsync',
      });
    case 'raw':
    case 'batched': {
      const batched = mode === 'batched';
      const pending = new Map();
      const settle = (m) => {
        const resolve = pending.get(m.id);
        pending.delete(m.id);
        resolve(m);
      };
      const links = [];
      for (let k = 0; k < workers; k++) {
        const w = new Worker(workerUrl('raw-echo.mjs'), { workerData: { batched } });
        await once(w, 'online');
        if (batched) {
          w.on('message', (batch) => {
            for (const m of batch) settle(m);
          });
          links.push({ w, send: batchedSender(w) });
        } else {
          w.on('message', settle);
          links.push({ w, send: (msg) => w.postMessage(msg) });
        }
      }
      return {
        call: (k, msg) =>
          new Promise((resolve) => {
            pending.set(msg.id, resolve);
            links[k].send(msg);
          }),
        close: () => Promise.all(links.map((l) => l.w.terminate())),
      };
    }
    case 'comlink': {
      const ws = [];
      const apis = [];
      for (let k = 0; k < workers; k++) {
        const w = new Worker(workerUrl('comlink-echo.mjs'));
        await once(w, 'online');
        ws.push(w);
        apis.push(wrap(nodeEndpoint(w)));
      }
      return {
        call: (k, msg) => apis[k].dispatch(msg),
        close: () => Promise.all(ws.map((w) => w.terminate())),
      };
    }
    case 'piscina-pinned':
    case 'piscina-default': {
      const pinned = mode === 'piscina-pinned';
      // The balancer sees the task's filename/name/taskId, not its payload: the target rides in `name`.
      // Workers get indexes in the order the balancer first sees them.
      const index = new Map();
      const loadBalancer = (task, list) => {
        for (const w of list) if (!index.has(w.id) && index.size < workers) index.set(w.id, index.size);
        const want = Number(task.name.slice(3));
        for (const w of list) if (index.get(w.id) === want) return w;
        return null; // not ready yet: piscina queues the task and retries when a worker becomes available
      };
      const pool = new Piscina({
        filename: workerUrl('piscina-echo.mjs').href,
        minThreads: workers,
        maxThreads: workers,
        idleTimeout: Number.POSITIVE_INFINITY,
        ...(pinned ? { loadBalancer, atomics: 'disabled', concurrentTasksPerWorker: 100_000 } : {}),
      });
      const names = Array.from({ length: workers }, (_, k) => `pin${k}`);
      const call = pinned ? (k, msg) => pool.run(msg, { name: names[k] }) : (_k, msg) => pool.run(msg);
      // Make sure every thread is up (and, when pinned, has its index) before anyone measures.
      await Promise.all(Array.from({ length: workers * 4 }, (_, i) => call(i % workers, { id: -1 - i })));
      if (pinned && index.size !== workers) throw new Error(`piscina pinned only ${index.size} workers`);
      return { call, close: () => pool.destroy() };
    }
    default:
      throw new Error(`unknown transport ${mode}`);
  }
}

/**
 * The main thread's side of the "same messages" baseline, batched like Shoal's MessageBatcher: sends the
 * recorded dispatch (with the caller's session id and request id), answers each store append at once with the
 * recorded store reply (no store: this is the transport alone), and counts a turn done once both the command's
 * reply and the second append arrived (in Shoal the turn's OperationCompleted is published when the second
 * append is durable).
 */
/** More than the messages of one kind in one batch (≤ the turns in flight), so none repeats within a batch. */
const TURN_COPIES = 4096;

async function openTurnTransport(workers, turn, durable) {
  if (!turn) throw new Error('the turn transport needs a recorded turn (lib/turn-capture.mjs)');
  const writer = durable ? await openRawWriter(durable) : undefined;
  // Distinct payload objects round-robin, as on the worker side (see workers/raw-turn.mjs): a structured
  // clone writes an object repeated within one batch only once.
  const copies = TURN_COPIES;
  const deepCopies = (m) => Array.from({ length: copies }, () => structuredClone(m));
  const storeReplies = turn.storeReplies.map(deepCopies);
  const dispatches = deepCopies(turn.dispatch);
  let nextReply = 0;
  let nextDispatch = 0;
  const secondSize = turn.stores[1].args[1].length;
  /** session id → { id, resolve, seen } (one turn in flight per client, each client its own session id) */
  const turns = new Map();
  const done = (sessionId) => {
    const t = turns.get(sessionId);
    if (++t.seen < 2) return;
    turns.delete(sessionId);
    t.resolve({ id: t.id });
  };
  const links = [];
  for (let k = 0; k < workers; k++) {
    const w = new Worker(workerUrl('raw-turn.mjs'), { workerData: { turn, copies } });
    await once(w, 'online');
    const send = batchedSender(w);
    const byDispatchId = new Map();
    w.on('message', (batch) => {
      for (const m of batch) {
        if (m.t === 'store') {
          const second = m.args[1].length === secondSize;
          const reply = () => {
            const r = storeReplies[second ? 1 : 0][nextReply++ % copies];
            r.id = m.id;
            send(r);
            if (second) done(m.args[0]);
          };
          if (writer) writer.append(m.args[0], m.args[1], reply);
          else reply();
        } else if (m.t === 'reply') {
          const sessionId = byDispatchId.get(m.id);
          byDispatchId.delete(m.id);
          done(sessionId);
        }
      }
      writer?.kick();
    });
    links.push({ w, send, byDispatchId });
  }
  return {
    call: (k, msg) =>
      new Promise((resolve) => {
        turns.set(msg.sessionId, { id: msg.id, resolve, seen: 0 });
        links[k].byDispatchId.set(msg.id, msg.sessionId);
        const d = dispatches[nextDispatch++ % copies];
        d.id = msg.id;
        d.sessionId = msg.sessionId;
        d.action.sessionId = msg.sessionId;
        links[k].send(d);
      }),
    close: async () => {
      await Promise.all(links.map((l) => l.w.terminate()));
      await writer?.close();
    },
  };
}

/**
 * The "same messages + raw LevelDB" baseline's store: what any runtime that persists the turn's events must
 * do at least, with no store code. Each append's events are JSON-encoded as they are written (as the store
 * bench's raw baseline does) under `<session id>\0<8-byte seq>` keys; appends arriving while a write is in
 * flight wait for it and then go out together in ONE classic-level chained batch (group commit, one write in
 * flight), with `sync` for fsync durability; each append's `onDurable` runs once its batch is written.
 */
async function openRawWriter({ dir, sync }) {
  const path = mkdtempSync(join(dir, 'shoal-raw-turn-'));
  const db = new ClassicLevel(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  const nextSeq = new Map();
  let queued = [];
  /** the write in flight, if any */
  let writing;
  let batch = db.batch();
  const write = () => {
    if (writing || queued.length === 0) return;
    const callbacks = queued;
    const b = batch;
    queued = [];
    batch = db.batch();
    writing = b.write({ sync }).then(() => {
      writing = undefined;
      for (const cb of callbacks) cb();
      write();
    });
  };
  return {
    append(sessionId, events, onDurable) {
      let seq = nextSeq.get(sessionId) ?? 0;
      const prefix = Buffer.byteLength(sessionId);
      for (const e of events) {
        const key = Buffer.allocUnsafe(prefix + 9);
        key.write(sessionId, 0);
        key[prefix] = 0;
        key.writeUIntBE(0, prefix + 1, 2);
        key.writeUIntBE(seq++, prefix + 3, 6);
        batch.put(key, Buffer.from(`\x01${JSON.stringify(e)}`, 'utf8'));
      }
      nextSeq.set(sessionId, seq);
      queued.push(onDurable);
    },
    /** Starts a write if none is in flight (called once per received message batch). */
    kick: write,
    async close() {
      while (writing) await writing;
      await db.close();
      rmSync(path, { recursive: true, force: true });
    },
  };
}

// ~300 bytes of structured-clone payload, shaped like the runtime's dispatch of a UserInput.
const TEXT = 'hello, please summarise the build log';
const uuid = (n) => `0b7e3f1c-5a2d-4c6e-9f10-${String(n).padStart(12, '0')}`;
export function dispatchMessage(id, client) {
  return {
    t: 'dispatch',
    id,
    sessionId: uuid(client),
    action: {
      type: 'UserInput',
      sessionId: uuid(client),
      content: [{ type: 'text', text: TEXT }],
      opId: uuid(1_000_000 + id),
      messageId: uuid(2_000_000 + id),
      model: { provider: 'simulated', id: 'simulated-1' },
      timestamp: 1735689600,
    },
  };
}

let nextId = 1;

/**
 * Closed loop: `inflight` clients, client c talks to worker c % workers; each sends a request, awaits the
 * reply, records the round trip and sends the next, until `ms` elapse. Returns round trips/s, latency
 * histogram (µs) and the main thread's event-loop utilisation over the run.
 */
export async function drive(transport, { workers, inflight, ms }) {
  const h = histogram();
  let count = 0;
  const deadline = performance.now() + ms;
  const client = async (c) => {
    const k = c % workers;
    while (performance.now() < deadline) {
      const msg = dispatchMessage(nextId++, c);
      const t0 = performance.now();
      const r = await transport.call(k, msg);
      recordMs(h, performance.now() - t0);
      if (r.id !== msg.id) throw new Error('reply mismatch');
      count++;
    }
  };
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inflight }, (_, c) => client(c)));
  const elapsed = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0).utilization;
  return {
    rps: (count / elapsed) * 1000,
    count,
    p50: h.getValueAtPercentile(50),
    p99: h.getValueAtPercentile(99),
    elu,
  };
}
