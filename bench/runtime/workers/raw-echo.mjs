// Worker side of the raw postMessage baselines: echoes every `dispatch` as a `reply`.
// workerData.batched = false: one postMessage per message each way.
// workerData.batched = true: the port carries arrays both ways; replies produced during one event-loop turn
// leave in one postMessage, flushed by setImmediate (what Shoal's MessageBatcher does).
import { parentPort, workerData } from 'node:worker_threads';
import { batchedSender } from '../lib/batched-port.mjs';

const port = parentPort;
const reply = (m) => ({ t: 'reply', id: m.id, ok: true, value: undefined });

if (workerData?.batched) {
  const send = batchedSender(port);
  port.on('message', (batch) => {
    for (const m of batch) send(reply(m));
  });
} else {
  port.on('message', (m) => port.postMessage(reply(m)));
}
