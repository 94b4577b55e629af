import { afterEach, describe, expect, it } from 'vitest';
import { EventLog, type Harness, SHARD_MODES, sleep, startRuntime } from './test-support/harness.js';
import { waitFor } from './test-support/wait-for.js';

describe.each(SHARD_MODES)('Runtime event subscriptions (shards: %i)', (shards) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a slow subscriber from a sequence number gets every later event exactly once, in order', async () => {
    h = await startRuntime({ shards, limits: { eventBufferPerSubscriber: 4 } });
    const rt = h.runtime;
    const id = await rt.createSession();
    const log = await EventLog.open(rt, id);
    for (let i = 0; i < 5; i++) {
      const t = await rt.submitUserInput(id, `warm-up ${i}`);
      await log.waitFor('OperationCompleted', (e) => e.opId === t.opId);
    }
    const sub = await rt.subscribeEvents(id, { afterSeq: 3 });
    const seen: number[] = [];
    const reading = (async () => {
      for await (const e of sub) {
        seen.push(e.seq);
        await sleep(2); // much slower than the producer
        if (seen.length >= 200) break;
      }
    })();
    const ops: string[] = [];
    for (let i = 0; i < 20; i++) ops.push((await rt.submitUserInput(id, `more ${i}`)).opId);
    await log.waitFor('OperationCompleted', (e) => e.opId === ops[ops.length - 1]);
    const total = (await rt.loadEventsAfter(id, -1)).length;
    await waitFor('the slow subscriber to catch up', () => seen.length >= total - 4);
    await sub.close();
    await reading;
    expect(seen).toEqual(Array.from({ length: total - 4 }, (_, i) => i + 4));
    await log.close();
  });

  it('afterSeq -1 replays the whole log and then continues live', async () => {
    h = await startRuntime({ shards });
    const rt = h.runtime;
    const id = await rt.createSession();
    const log = await EventLog.open(rt, id, -1);
    const t = await rt.submitUserInput(id, 'hello');
    await log.waitFor('OperationCompleted', (e) => e.opId === t.opId);
    expect(log.events[0]).toMatchObject({ seq: 0, event: { type: 'SessionCreated' } });
    expect(log.events.map((e) => e.seq)).toEqual(log.events.map((_, i) => i));
    await log.close();
  });

  it('a subscription without afterSeq sees only events after it resolved', async () => {
    h = await startRuntime({ shards });
    const rt = h.runtime;
    const id = await rt.createSession();
    const log = await EventLog.open(rt, id);
    const t = await rt.submitUserInput(id, 'x');
    await log.waitFor('OperationCompleted', (e) => e.opId === t.opId);
    expect(log.events[0]?.event.type).toBe('UserMessageAdded');
    expect(log.events[0]?.seq).toBe(1);
    await log.close();
  });

  it('deleting a session ends its subscriptions', async () => {
    h = await startRuntime({ shards });
    const rt = h.runtime;
    const id = await rt.createSession();
    const sub = await rt.subscribeEvents(id);
    const done = (async () => {
      let n = 0;
      for await (const _ of sub) n++;
      return n;
    })();
    await rt.deleteSession(id);
    expect(await done).toBe(0);
  });

  it('delta subscribers too slow for their buffer receive Lagged markers', async () => {
    h = await startRuntime({ shards, limits: { deltaBufferPerSubscriber: 2 } });
    const rt = h.runtime;
    const id = await rt.createSession();
    const log = await EventLog.open(rt, id);
    const deltas = await rt.subscribeDeltas(id);
    const t = await rt.submitUserInput(id, '/tokens 200');
    await log.waitFor('OperationCompleted', (e) => e.opId === t.opId);
    const got: string[] = [];
    let lagged = 0;
    const reading = (async () => {
      for await (const d of deltas) {
        got.push(d.type);
        if (d.type === 'Lagged') lagged += d.dropped;
      }
    })();
    await waitFor('a Lagged marker', () => lagged > 0);
    await deltas.close();
    await reading;
    expect(got).toContain('Lagged');
    expect(lagged).toBeGreaterThan(0);
    await log.close();
  });
});
