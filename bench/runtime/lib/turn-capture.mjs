// Records the port messages of one real Shoal turn (shards: 1, instant simulated model, after warm-up turns),
// so the "same messages" baseline (workers/raw-turn.mjs) can replay exactly those payloads over raw batched
// postMessage: the dispatch of a UserInput, the worker's two store appends carrying the turn's real events,
// the main thread's two store replies, and the command's reply.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Runtime } from '@shoal/supervisor';
import { installPortCounter, startRecording, stopRecording } from './port-counter.mjs';
import { sleep } from './report.mjs';
import { track } from './sessions.mjs';

/**
 * `{ dispatch, stores: [append1, append2], storeReplies: [r1, r2], reply, order, bytes }`: the messages of one
 * turn in the order they crossed (`order`, e.g. `['→dispatch', '←store', …]`), with their JSON sizes.
 */
export async function captureTurn(dir, warmupTurns = 2) {
  installPortCounter();
  const dataDir = mkdtempSync(join(dir, 'shoal-capture-'));
  const runtime = await Runtime.start({
    dataDir,
    shards: 1,
    durability: 'fsync',
    logLevel: 'silent',
    providers: { simulated: {} },
  });
  try {
    const id = await runtime.createSession();
    const tr = await track(runtime, id, { events: 0 });
    for (let i = 0; i < warmupTurns; i++) await tr.turn('hello');
    await sleep(100);
    startRecording();
    await tr.turn('hello');
    await sleep(200); // the last acknowledgement crosses after the OperationCompleted was delivered
    const msgs = stopRecording();
    await tr.close();
    return shape(msgs);
  } finally {
    await runtime.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function shape(msgs) {
  const order = msgs.map((m) => `${m.dir === 'out' ? '→' : '←'}${m.msg.t}`);
  const pick = (dir, t) => msgs.filter((m) => m.dir === dir && m.msg.t === t).map((m) => m.msg);
  const dispatch = pick('out', 'dispatch');
  const stores = pick('in', 'store');
  const storeReplies = pick('out', 'storeReply');
  const reply = pick('in', 'reply');
  if (
    msgs.length !== 6 ||
    dispatch.length !== 1 ||
    reply.length !== 1 ||
    stores.length !== 2 ||
    storeReplies.length !== 2 ||
    stores.some((s) => s.op !== 'append')
  ) {
    throw new Error(`unexpected messages for one turn: ${order.join(' ')}`);
  }
  const bytes = Object.fromEntries(
    msgs.map((m, i) => [`${i + 1} ${order[i]}`, JSON.stringify(m.msg).length]),
  );
  return { dispatch: dispatch[0], stores, storeReplies, reply: reply[0], order, bytes };
}
