import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { MessageBatcher } from './batcher.js';

interface Msg {
  id: number;
  payload?: unknown;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('MessageBatcher when a post fails', () => {
  it('fails exactly the message that cannot be cloned; the rest of its batch is delivered', async () => {
    const { port1, port2 } = new MessageChannel();
    const received: number[] = [];
    port2.on('message', (batch: Msg[]) => {
      for (const m of batch) received.push(m.id);
    });
    const failed: { id: number; err: Error }[] = [];
    const batcher = new MessageBatcher<Msg>((batch) => port1.postMessage(batch), {
      undeliverable: (msg, err) => failed.push({ id: msg.id, err }),
    });
    batcher.send({ id: 1 });
    batcher.send({ id: 2, payload: () => 'not cloneable' });
    batcher.send({ id: 3 });
    batcher.send({ id: 4, payload: Symbol('nor this') });
    batcher.send({ id: 5 });
    await tick(); // the flush runs in setImmediate: it must not throw there
    await expect.poll(() => received, { timeout: 60_000 }).toEqual([1, 3, 5]);
    expect(failed.map((f) => f.id)).toEqual([2, 4]);
    expect(failed[0]?.err.name).toBe('DataCloneError');
    port1.close();
  });

  it('fails a value too deep to serialise instead of throwing inside setImmediate', async () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const posted: Msg[][] = [];
    const failed: number[] = [];
    const batcher = new MessageBatcher<Msg>(
      (batch) => {
        structuredClone(batch);
        posted.push(batch);
      },
      { undeliverable: (msg) => failed.push(msg.id) },
    );
    batcher.send({ id: 1, payload: deep });
    batcher.send({ id: 2 });
    await tick();
    expect(failed).toEqual([1]);
    expect(posted.map((b) => b.map((m) => m.id))).toEqual([[2]]);
  });

  it('remembers what each post carried until the other side reports it lost', async () => {
    const batcher = new MessageBatcher<Msg, number>(() => undefined, {
      remember: (m) => (m.id % 2 === 0 ? m.id : undefined),
      retain: 2,
    });
    batcher.send({ id: 1 });
    batcher.send({ id: 2 });
    await tick();
    batcher.send({ id: 3 });
    await tick();
    expect(batcher.postedBatches).toBe(2);
    expect(batcher.lost(1)).toEqual([2]);
    expect(batcher.lost(2)).toEqual([]);
    expect(batcher.lost(3)).toBeUndefined(); // never posted
    batcher.send({ id: 4 });
    await tick();
    batcher.send({ id: 6 });
    await tick();
    expect(batcher.lost(2)).toBeUndefined(); // no longer retained: the caller must fail everything
    expect(batcher.lost(4)).toEqual([6]);
  });
});
