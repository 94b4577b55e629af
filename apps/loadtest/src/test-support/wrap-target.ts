import type { StoredEvent } from '@shoal/shared';
import type { EventStream, LoadTarget } from '../target.js';

/** A target that forwards every call to `inner`, with hooks to record or tamper with what flows through. */
export function wrapTarget(
  inner: LoadTarget,
  hooks: {
    /** rewrites a live stream: return the events to deliver in place of `e` ([] drops it) */
    live?(sessionId: string, e: StoredEvent): StoredEvent[];
    /** sees each log the final comparison reads */
    onReadLog?(sessionId: string, log: StoredEvent[]): void;
  },
): LoadTarget {
  return {
    kind: inner.kind,
    shards: inner.shards,
    keepsCallOrder: inner.keepsCallOrder,
    createSession: (m) => inner.createSession(m),
    async subscribe(sessionId, afterSeq): Promise<EventStream> {
      const stream = await inner.subscribe(sessionId, afterSeq);
      const live = hooks.live;
      if (live === undefined) return stream;
      async function* rewritten() {
        for await (const e of stream) yield* live!(sessionId, e);
      }
      const it = rewritten();
      return { [Symbol.asyncIterator]: () => it, close: () => stream.close() };
    },
    submitInput: (s, t) => inner.submitInput(s, t),
    approve: (s, r, a, m) => inner.approve(s, r, a, m),
    cancel: (s, o) => inner.cancel(s, o),
    executeBash: (s, c) => inner.executeBash(s, c),
    compact: (s) => inner.compact(s),
    switchAgent: (s, a) => inner.switchAgent(s, a),
    editMessage: (s, m, t) => inner.editMessage(s, m, t),
    dequeue: (s) => inner.dequeue(s),
    async readLog(sessionId) {
      const log = await inner.readLog(sessionId);
      hooks.onReadLog?.(sessionId, log);
      return log;
    },
    memory: () => inner.memory(),
    close: () => inner.close(),
  };
}
