import { shardOf } from '@shoal/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { RuntimeError } from './errors/runtime-error.js';
import { Runtime } from './runtime.js';
import { EventLog, type Harness, sleep, startRuntime, tempDir } from './test-support/harness.js';
import { waitFor } from './test-support/wait-for.js';

describe('Sharded runtime (worker threads)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('places sessions on shards by shardOf and serves them all', async () => {
    h = await startRuntime({ shards: 3 });
    const rt = h.runtime;
    expect(rt.shardCount).toBe(3);
    const ids = await Promise.all(Array.from({ length: 12 }, () => rt.createSession()));
    const used = new Set(ids.map((id) => shardOf(id, 3)));
    expect(used.size).toBeGreaterThan(1);
    await Promise.all(ids.map((id) => rt.submitUserInput(id, 'hi')));
    const stats = await rt.shardStats();
    expect(stats.map((s) => s.shard)).toEqual([0, 1, 2]);
    expect(stats.reduce((n, s) => n + s.residentSessions, 0)).toBe(12);
  });

  it('restarting with a different shard count keeps every session and its history reachable', async () => {
    const dataDir = await tempDir();
    let rt = await Runtime.start({ dataDir, shards: 2, logLevel: 'silent', durability: 'buffered' });
    const ids = await Promise.all(Array.from({ length: 8 }, () => rt.createSession()));
    for (const id of ids) {
      const log = await EventLog.open(rt, id);
      const t = await rt.submitUserInput(id, `hello ${id}`);
      await log.waitFor('OperationCompleted', (e) => e.opId === t.opId);
      await log.close();
    }
    const before = await Promise.all(ids.map((id) => rt.getSessionState(id)));
    await rt.shutdown();
    rt = await Runtime.start({ dataDir, shards: 3, logLevel: 'silent', durability: 'buffered' });
    h = { runtime: rt, dataDir, close: () => rt.shutdown() };
    expect((await rt.listAllSessions()).sort()).toEqual([...ids].sort());
    const after = await Promise.all(ids.map((id) => rt.getSessionState(id)));
    expect(after.map((s) => s.messages)).toEqual(before.map((s) => s.messages));
  });

  for (const how of ['throw', 'exit'] as const) {
    it(`a worker that dies (${how}) under load is replaced; in-flight commands reject with SESSION; no acknowledged event is lost`, async () => {
      h = await startRuntime({ shards: 2 });
      const rt = h.runtime;
      const ids = await Promise.all(Array.from({ length: 16 }, () => rt.createSession()));
      const acked: { sessionId: string; messageId: string }[] = [];
      const errors: RuntimeError[] = [];
      let stop = false;
      const drivers = ids.map(async (id) => {
        for (let i = 0; !stop && i < 200; i++) {
          try {
            const { messageId } = await rt.submitUserInput(id, `turn ${i}`);
            acked.push({ sessionId: id, messageId });
          } catch (err) {
            if (!(err instanceof RuntimeError)) throw err;
            errors.push(err);
            await sleep(5);
          }
        }
      });
      while (acked.length < 50) await sleep(5);
      await rt.inspectShard(0).chaos(how);
      const ackedAtCrash = acked.length;
      while (acked.length < ackedAtCrash + 100) await sleep(5);
      stop = true;
      await Promise.all(drivers);

      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) {
        expect(e.code).toBe('SESSION');
        expect(e.message).toMatch(/restarted/);
      }
      // Every acknowledged command's events are durable, and every session's log is gap-free. An input
      // acknowledged while its session was busy is durable as a queue entry (QueuedWorkAdded, carrying
      // that input's message id), so look for the id in either place.
      for (const id of ids) {
        const log = await rt.loadEventsAfter(id, -1);
        expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i));
        const stored = new Set(
          log.flatMap((e) =>
            e.event.type === 'UserMessageAdded'
              ? [e.event.message.id]
              : e.event.type === 'QueuedWorkAdded'
                ? [e.event.item.messageId]
                : [],
          ),
        );
        for (const a of acked.filter((x) => x.sessionId === id)) expect(stored.has(a.messageId)).toBe(true);
      }
      // The sessions of the dead shard come back on their next command.
      for (const id of ids.filter((x) => shardOf(x, 2) === 0).slice(0, 3)) {
        const log = await EventLog.open(rt, id);
        const t = await rt.submitUserInput(id, 'after the crash');
        await log.waitFor('OperationCompleted', (e) => e.opId === t.opId);
        await log.close();
      }
    });
  }

  it('bounded queues: a flooded session is refused with OVERLOADED instead of growing memory', async () => {
    h = await startRuntime({ shards: 1, limits: { maxPendingPerSession: 4 } });
    const rt = h.runtime;
    const id = await rt.createSession();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => rt.submitUserInput(id, 'flood')),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'OVERLOADED' });
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThan(0);
    const state = await rt.getSessionState(id);
    expect(state.sessionId).toBe(id);
  });

  it('bounded queues: a flooded shard is refused with OVERLOADED', async () => {
    h = await startRuntime({ shards: 1, limits: { maxPendingPerShard: 8 } });
    const rt = h.runtime;
    const ids = await Promise.all(Array.from({ length: 4 }, () => rt.createSession()));
    const results = await Promise.allSettled(
      Array.from({ length: 64 }, (_, i) => rt.submitUserInput(ids[i % ids.length]!, 'flood')),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'OVERLOADED' });
  });

  it('shutdown drains and leaves no worker threads behind', async () => {
    const before = process
      .getActiveResourcesInfo()
      .filter((r) => r === 'Worker' || r === 'MessagePort').length;
    const local = await startRuntime({ shards: 2 });
    const id = await local.runtime.createSession();
    const pending = local.runtime.submitUserInput(id, 'in flight at shutdown').then(
      () => undefined,
      (e: RuntimeError) => e,
    );
    await local.close();
    const outcome = await pending;
    if (outcome) expect(['SHUTTING_DOWN', 'SESSION']).toContain(outcome.code);
    const threads = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'Worker' || r === 'MessagePort').length;
    await waitFor('the worker threads to be released', () => threads() <= before);
    expect(threads()).toBeLessThanOrEqual(before);
  });
});
