// Worker side of the "same messages" baseline: plays a shard's part of one real Shoal turn with the payloads
// recorded by lib/turn-capture.mjs (workerData.turn), over raw postMessage batched per event-loop turn (what
// Shoal's MessageBatcher does), with no Shoal code: on a `dispatch` it sends the first store append (the
// turn's UserMessageAdded + OperationStarted); on that append's `storeReply` it sends the command's `reply`
// and the second append (AssistantMessageAdded + LlmUsageUpdated + OperationCompleted), in the recorded
// order; the second `storeReply` ends the turn. The appends name the dispatch's session, so the main side can
// tell the turns apart.
import { parentPort, workerData } from 'node:worker_threads';

const port = parentPort;
const { turn } = workerData;
const [append1, append2] = turn.stores;
const replyFirst = turn.order.indexOf('←reply') < turn.order.lastIndexOf('←store');
/** store request id → { dispatch id, session id, which append } */
const inFlight = new Map();
let nextStoreId = 1;

let out = [];
let scheduled = false;
const flush = () => {
  scheduled = false;
  const batch = out;
  out = [];
  port.postMessage(batch);
};

function append(template, step, dispatchId, sessionId) {
  const id = nextStoreId++;
  inFlight.set(id, { dispatchId, sessionId, step });
  out.push({ ...template, id, args: [sessionId, template.args[1], template.args[2]] });
}

port.on('message', (batch) => {
  for (const m of batch) {
    if (m.t === 'dispatch') {
      append(append1, 1, m.id, m.sessionId);
    } else if (m.t === 'storeReply') {
      const s = inFlight.get(m.id);
      inFlight.delete(m.id);
      if (s.step !== 1) continue;
      const reply = { ...turn.reply, id: s.dispatchId };
      if (replyFirst) out.push(reply);
      append(append2, 2, s.dispatchId, s.sessionId);
      if (!replyFirst) out.push(reply);
    }
  }
  if (!scheduled && out.length > 0) {
    scheduled = true;
    setImmediate(flush);
  }
});
