import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { threadId } from 'node:worker_threads';
import type { LogLevel } from '@shoal/shared';
import { MemoryEventStore } from '@shoal/store';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ShardMessage } from '../protocol/messages.js';
import { waitUntil } from '../test-support/async.js';
import { defaultHandler, ProviderDouble, untilAborted } from '../test-support/provider-double.js';
import { expectOk, useShardHarness } from '../test-support/shard-harness.js';
import { ShardInspector } from './shard-inspector.js';
import { ShardRunner } from './shard-runner.js';
import { DEFAULT_SHARD_LIMITS } from './shard-runner-options.js';

describe('ShardInspector (the shard’s control plane, called in-process)', () => {
  const start = useShardHarness();

  it('reports resident, watched and pending counts and the thread’s figures', async () => {
    const blocking = new ProviderDouble('double', undefined, (c) =>
      c.purpose === 'turn' ? untilAborted(c.req.signal) : defaultHandler(c),
    );
    const h = await start({ provider: blocking, runner: { shardIndex: 4 } });
    const inspector = new ShardInspector(h.runner);
    const empty = await inspector.stats();
    expect(empty).toMatchObject({
      shard: 4,
      threadId,
      residentSessions: 0,
      watchedSessions: 0,
      pendingCommands: 0,
      pendingStoreCalls: 0,
      logLevel: 'silent',
    });
    expect(empty.memory.heapUsed).toBeGreaterThan(0);
    expect(empty.eventLoop.idle + empty.eventLoop.active).toBeGreaterThan(0);

    const [a, b] = [await h.create({ title: 'a' }), await h.create({ title: 'b' })];
    h.runner.handle({ t: 'subscribers', sessionId: b, events: 1, deltas: 2 });
    expectOk(await h.dispatch(a, h.userInput(a, 'blocks until cancelled')));
    // a's turn now waits on the model until cancelled: a is busy, b is idle.
    const stats = await inspector.stats();
    expect(stats).toMatchObject({ residentSessions: 2, watchedSessions: 1 });

    const residents = await inspector.residentSessions();
    expect(residents.map((r) => r.sessionId).sort()).toEqual([a, b].sort());
    const ra = residents.find((r) => r.sessionId === a)!;
    const rb = residents.find((r) => r.sessionId === b)!;
    expect(ra).toMatchObject({ busy: true, subscribers: { events: 0, deltas: 0 } });
    expect(rb).toMatchObject({ busy: false, pendingCommands: 0, subscribers: { events: 1, deltas: 2 } });
    expect(rb.lastActivityMs).toBeGreaterThan(0);
  });

  it('reads the V8 heap of its thread, collecting garbage first only when asked and possible', async () => {
    const h = await start();
    const inspector = new ShardInspector(h.runner);
    const plain = await inspector.heap();
    expect(plain).toMatchObject({ shard: 0, threadId, collectedGarbage: false });
    expect(plain.statistics.used_heap_size).toBeGreaterThan(0);
    expect(plain.statistics.heap_size_limit).toBeGreaterThan(plain.statistics.used_heap_size);
    const asked = await inspector.heap({ collectGarbage: true });
    expect(asked.collectedGarbage).toBe(typeof (globalThis as { gc?: unknown }).gc === 'function');
    await expect(inspector.heap({ collectGarbage: 'yes' as unknown as boolean })).rejects.toThrow();
  });

  it('refuses fault injection without a thread of its own to break, and unknown faults or levels', async () => {
    const h = await start();
    const inspector = new ShardInspector(h.runner);
    await expect(inspector.chaos('throw')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const injected: string[] = [];
    const withFaults = new ShardInspector(h.runner, (how) => injected.push(how));
    await withFaults.chaos('exit');
    await expect(withFaults.chaos('melt' as 'exit')).rejects.toThrow();
    expect(injected).toEqual(['exit']);
    await expect(inspector.setLogLevel('loud' as LogLevel)).rejects.toThrow();
    expect((await inspector.stats()).logLevel).toBe('silent');
  });

  it('a log level change takes effect on the shard’s logger and its sessions’ loggers', async () => {
    const lines: { level: number; msg: string; sessionId?: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const messages: ShardMessage[] = [];
    const runner = new ShardRunner(
      (m) => messages.push(m),
      {
        shardIndex: 0,
        dataDir: '/nonexistent',
        providers: {},
        logLevel: 'info',
        idleTimeoutMs: 0,
        ...DEFAULT_SHARD_LIMITS,
      },
      new MemoryEventStore(),
      pino({ level: 'info' }, sink),
    );
    const inspector = new ShardInspector(runner);
    const replies = () => messages.filter((m) => m.t === 'reply').length;
    // Resuming an unknown session logs `session not found` at debug level, on the session's logger.
    const unknown = async () => {
      const id = randomUUID();
      const before = replies();
      runner.handle({ t: 'getState', id: before + 1, sessionId: id });
      await waitUntil(() => replies() > before, 'the getState reply');
      return id;
    };
    try {
      const quiet = await unknown();
      await inspector.setLogLevel('debug');
      expect((await inspector.stats()).logLevel).toBe('debug');
      const loud = await unknown();
      await waitUntil(() => lines.some((l) => l.sessionId === loud), 'the debug line');
      expect(lines.filter((l) => l.sessionId === quiet)).toEqual([]);
      expect(lines.find((l) => l.sessionId === loud)).toMatchObject({ level: 20, msg: 'session not found' });
      await inspector.setLogLevel('warn');
      const quietAgain = await unknown();
      await unknown(); // one more round trip, so a line of quietAgain would have been written by now
      expect(lines.filter((l) => l.sessionId === quietAgain)).toEqual([]);
    } finally {
      runner.shutdown();
    }
  });
});
