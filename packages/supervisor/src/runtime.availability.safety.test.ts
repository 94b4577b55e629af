import type { ShardMessage } from '@shoal/session-worker';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { RuntimeError } from './errors/runtime-error.js';
import { WorkerShard } from './shards/worker-shard.js';
import { EventLog, type Harness, startRuntime } from './test-support/harness.js';

/** JSON text nested `depth` levels: `{"a":{"a":…1…}}`. */
const nestedJson = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Waits for `p` to settle and tells how; a hang fails the test at its deadline rather than never. */
async function settled(p: Promise<unknown>): Promise<{ ok: true } | { ok: false; err: unknown }> {
  try {
    await p;
    return { ok: true };
  } catch (err) {
    return { ok: false, err };
  }
}

describe('one input never takes down or wedges others (worker shards)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a command the port cannot clone fails alone; commands batched with it still answer', async () => {
    const replies: ShardMessage[] = [];
    const failed: { id: number; err: Error }[] = [];
    const shard = await WorkerShard.spawn(
      0,
      {
        shardIndex: 0,
        dataDir: '/nonexistent',
        providers: {},
        logLevel: 'silent',
        idleTimeoutMs: 0,
        maxPendingPerSession: 10,
        maxPendingPerShard: 10,
        snapshotEveryEvents: 100,
      },
      {
        onMessage: (_i, msg) => replies.push(msg),
        onExit: () => undefined,
        onRequestFailed: (_i, id, err) => failed.push({ id, err }),
        onAllRequestsFailed: () => undefined,
      },
      pino({ level: 'silent' }),
    );
    try {
      // Same tick, so one batch: a poisoned command between two plain ones (the schemas would refuse it;
      // this checks the port itself, below them).
      shard.send({ t: 'suspend', id: 1, sessionId: 'not-resident' });
      shard.send({
        t: 'dispatch',
        id: 2,
        sessionId: 's',
        action: { type: 'Cancel', sessionId: 's', opId: (() => 'x') as unknown as string },
      });
      shard.send({ t: 'suspend', id: 3, sessionId: 'not-resident' });
      await expect
        .poll(() => replies.filter((m) => m.t === 'reply').map((m) => (m.t === 'reply' ? m.id : 0)), {
          timeout: 20_000,
        })
        .toEqual([1, 3]);
      expect(failed.map((f) => f.id)).toEqual([2]);
      expect(failed[0]?.err).toBeInstanceOf(RuntimeError);
      expect(failed[0]?.err).toMatchObject({ code: 'INVALID_INPUT', kind: 'Validation' });
    } finally {
      await shard.terminate();
    }
  });

  it('rejects functions, Symbols and over-deep JSON at dispatchAction; other sessions are unaffected', async () => {
    h = await startRuntime({ shards: 1 });
    const rt = h.runtime;
    const [a, b] = [await rt.createSession(), await rt.createSession()];
    let deep: unknown = 1;
    for (let i = 0; i < 5_000; i++) deep = { a: deep };
    for (const parameters of [() => 1, Symbol('s'), deep]) {
      const poisoned = rt.dispatchAction(a, {
        type: 'ToolApprovalRequested',
        sessionId: a,
        requestId: 'r1',
        toolCall: { id: 't1', name: 'bash', parameters },
      });
      const unrelated = rt.getSessionState(b); // same tick: would share the poisoned batch
      await expect(poisoned).rejects.toMatchObject({ code: 'INVALID_INPUT', kind: 'Validation' });
      expect((await unrelated).sessionId).toBe(b);
    }
    expect((await rt.getSessionState(a)).pendingApproval).toBeNull();
  });

  it('a model reply nested 5,000 deep ends its turn with a typed error; the shard stays usable', async () => {
    h = await startRuntime({ shards: 1 });
    const rt = h.runtime;
    const victim = await rt.createSession();
    const others = await Promise.all(Array.from({ length: 8 }, () => rt.createSession()));
    const log = await EventLog.open(rt, victim);
    const logs = await Promise.all(others.map((id) => EventLog.open(rt, id)));
    const { opId } = await rt.submitUserInput(victim, `/tool ls ${nestedJson(5_000)}`);
    await Promise.all(others.map((id, i) => rt.submitUserInput(id, `hello ${i}`)));
    const error = await log.waitFor('Error', () => true, 30_000);
    expect(error.message).toContain('not a bounded JSON value');
    await log.waitFor('OperationCompleted', (e) => e.opId === opId, 30_000);
    expect(log.of('ToolCallStarted')).toEqual([]);
    for (const l of logs) await l.waitFor('AssistantMessageAdded', () => true, 30_000);
    // Later commands of the victim answer.
    const state = await rt.getSessionState(victim);
    expect(state.currentOperation).toBeNull();
    await rt.cancelOperation(victim);
    await rt.suspendSession(victim);
    const again = await rt.submitUserInput(victim, 'still here');
    await log.waitFor('OperationCompleted', (e) => e.opId === again.opId, 30_000);
    await log.close();
    for (const l of logs) await l.close();
  });

  it('a batch the main thread cannot read fails the request it carried; later commands answer', async () => {
    h = await startRuntime({ shards: 1 });
    const rt = h.runtime;
    const [a, b] = [await rt.createSession(), await rt.createSession()];
    await rt.inspectShard(0).chaos('unreadableReply');
    const lost = await settled(rt.getSessionState(a));
    expect(lost.ok).toBe(false);
    if (!lost.ok) expect(lost.err).toMatchObject({ code: 'CHANNEL_CLOSED' });
    expect((await rt.getSessionState(a)).sessionId).toBe(a);
    expect((await rt.getSessionState(b)).sessionId).toBe(b);
    await rt.cancelOperation(a);
    await rt.suspendSession(a);
    const log = await EventLog.open(rt, b);
    const { opId } = await rt.submitUserInput(b, 'after the lost batch');
    await log.waitFor('OperationCompleted', (e) => e.opId === opId, 30_000);
    await log.close();
  });
});
