// Worker side of the "same messages" baseline: plays a shard's part of one real Shoal turn with the payloads
// recorded by lib/turn-capture.mjs (workerData.turn), over raw postMessage batched per event-loop turn (what
// Shoal's MessageBatcher does), with no Shoal code: on a `dispatch` it sends the first store append (the
// turn's UserMessageAdded + OperationStarted); on that append's `storeReply` it sends the command's `reply`
// and the second append (AssistantMessageAdded + LlmUsageUpdated + OperationCompleted), in the recorded
// order; the second `storeReply` ends the turn. The appends name the dispatch's session, so the main side can
// tell the turns apart.
//
// Payloads are taken round-robin from `copies` deep copies made at start-up: the structured clone of one
// postMessage writes an object it already wrote in that batch as a back-reference, so one template object
// reused in every message of a batch would be sent (and copied) only once per batch.
import { parentPort, workerData } from 'node:worker_threads';
import { batchedSender } from '../lib/batched-port.mjs';

const port = parentPort;
const { turn, copies } = workerData;
const deepCopies = (m) => Array.from({ length: copies }, () => structuredClone(m));
const append1s = deepCopies(turn.stores[0]);
const append2s = deepCopies(turn.stores[1]);
const replies = deepCopies(turn.reply);
let next1 = 0;
let next2 = 0;
let nextReply = 0;
const replyFirst = turn.order.indexOf('←reply') < turn.order.lastIndexOf('←store');
/** store request id → { dispatch id, session id, which append } */
const inFlight = new Map();
let nextStoreId = 1;

const send = batchedSender(port);

function append(step, dispatchId, sessionId) {
  const id = nextStoreId++;
  inFlight.set(id, { dispatchId, sessionId, step });
  const m = step === 1 ? append1s[next1++ % copies] : append2s[next2++ % copies];
  m.id = id;
  m.args[0] = sessionId;
  send(m);
}

port.on('message', (batch) => {
  for (const m of batch) {
    if (m.t === 'dispatch') {
      append(1, m.id, m.sessionId);
    } else if (m.t === 'storeReply') {
      const s = inFlight.get(m.id);
      inFlight.delete(m.id);
      if (s.step !== 1) continue;
      const reply = replies[nextReply++ % copies];
      reply.id = s.dispatchId;
      if (replyFirst) send(reply);
      append(2, s.dispatchId, s.sessionId);
      if (!replyFirst) send(reply);
    }
  }
});
