// The batching of the raw postMessage baselines (what Shoal's MessageBatcher does): messages sent during one
// event-loop turn leave as one array in one postMessage, flushed by setImmediate.

/** Returns `send(msg)`, which queues `msg` for `port` and posts the turn's queue as one array. */
export function batchedSender(port) {
  let out = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const batch = out;
    out = [];
    port.postMessage(batch);
  };
  return (msg) => {
    out.push(msg);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}
