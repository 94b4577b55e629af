// Helpers that drive Shoal sessions the way a client does: submit a turn, then wait for that operation's
// OperationCompleted on the session's event subscription.

/**
 * Subscribes to a session's events and tracks completed operations. `turn(runtime, text)` submits a user
 * input and resolves once its OperationCompleted has been delivered. Every delivered event is counted in
 * `counter.events`.
 */
export async function track(runtime, sessionId, counter) {
  const sub = await runtime.subscribeEvents(sessionId);
  const completed = new Set();
  const waiters = new Map();
  const done = (async () => {
    for await (const e of sub) {
      counter.events++;
      if (e.event.type !== 'OperationCompleted') continue;
      const w = waiters.get(e.event.opId);
      if (w) {
        waiters.delete(e.event.opId);
        w();
      } else completed.add(e.event.opId);
    }
  })();
  return {
    sessionId,
    async turn(text) {
      const { opId } = await runtime.submitUserInput(sessionId, text);
      if (completed.delete(opId)) return;
      await new Promise((resolve) => waiters.set(opId, resolve));
    },
    async close() {
      await sub.close();
      await done;
    },
  };
}

/** Runs `fn(item)` over `items` with at most `limit` in flight. */
export async function pool(items, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
