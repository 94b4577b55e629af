import type { SessionEvent, StoredEvent } from '@shoal/shared';
import { describe, expect, it } from 'vitest';
import { type EventSource, EventSubscriber } from './event-subscription.js';

const ev = (seq: number): StoredEvent => ({
  seq,
  event: { type: 'OperationCompleted', opId: `op${seq}` } as SessionEvent,
});

/** A store holding events 0..n-1. */
function source(n: () => number): EventSource {
  return {
    loadEventsAfter: async (_id, after, opts) => {
      const out: StoredEvent[] = [];
      for (let s = after + 1; s < n() && out.length < (opts?.limit ?? Infinity); s++) out.push(ev(s));
      return out;
    },
  };
}

describe('EventSubscriber', () => {
  it('hands live events to a waiting consumer in order, batch after batch', async () => {
    const sub = new EventSubscriber(
      's',
      source(() => 0),
      8,
      undefined,
      () => undefined,
    );
    const it = sub[Symbol.asyncIterator]();
    const first = it.next(); // waits: nothing buffered yet
    sub.offer(ev(0));
    sub.offer(ev(1));
    expect((await first).value?.seq).toBe(0);
    expect((await it.next()).value?.seq).toBe(1);
    for (let batch = 0; batch < 3; batch++) {
      const waiting = it.next();
      for (let k = 0; k < 3; k++) sub.offer(ev(2 + batch * 3 + k));
      expect((await waiting).value?.seq).toBe(2 + batch * 3);
      expect((await it.next()).value?.seq).toBe(3 + batch * 3);
      expect((await it.next()).value?.seq).toBe(4 + batch * 3);
    }
  });

  it('ends a waiting consumer when the session ends or the subscription closes', async () => {
    const ended = new EventSubscriber(
      's',
      source(() => 0),
      8,
      undefined,
      () => undefined,
    );
    const a = ended[Symbol.asyncIterator]().next();
    ended.end();
    expect(await a).toEqual({ value: undefined, done: true });

    const failed = new EventSubscriber(
      's',
      source(() => 0),
      8,
      undefined,
      () => undefined,
    );
    const b = failed[Symbol.asyncIterator]().next();
    failed.end(new Error('gone'));
    await expect(b).rejects.toThrow('gone');

    let closed = 0;
    const sub = new EventSubscriber(
      's',
      source(() => 0),
      8,
      undefined,
      () => closed++,
    );
    const c = sub[Symbol.asyncIterator]().next();
    await sub.close();
    expect(await c).toEqual({ value: undefined, done: true });
    expect(closed).toBeGreaterThan(0);
  });

  it('catches a waiting consumer up from the store after a gap, then goes live again', async () => {
    let stored = 0;
    const sub = new EventSubscriber(
      's',
      source(() => stored),
      8,
      undefined,
      () => undefined,
    );
    const it = sub[Symbol.asyncIterator]();
    stored = 1;
    sub.offer(ev(0));
    expect((await it.next()).value?.seq).toBe(0);
    const waiting = it.next();
    stored = 4;
    sub.offer(ev(3)); // 1 and 2 were never offered: a gap, read from the store
    expect((await waiting).value?.seq).toBe(1);
    expect((await it.next()).value?.seq).toBe(2);
    expect((await it.next()).value?.seq).toBe(3);
    const live = it.next();
    stored = 5;
    sub.offer(ev(4));
    expect((await live).value?.seq).toBe(4);
  });
});
