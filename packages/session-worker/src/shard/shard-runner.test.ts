import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DEFAULT_MODEL, type SessionEvent, type SessionStateSnapshot, toWireError } from '@shoal/shared';
import { MemoryEventStore } from '@shoal/store';
import { describe, expect, it } from 'vitest';
import type { ShardCommand, ShardMessage } from '../protocol/messages.js';
import { runtimeErrorFromStore } from '../store-client/store-failure.js';
import { settle, waitUntil, waitUntilAsync } from '../test-support/async.js';
import { defaultHandler, ProviderDouble, untilAborted } from '../test-support/provider-double.js';
import {
  expectError,
  expectOk,
  nowSeconds,
  type Reply,
  type ShardHarness,
  sessionConfig,
  useShardHarness,
} from '../test-support/shard-harness.js';
import { DEFAULT_SHARD_LIMITS, type ShardRunnerOptions } from './shard-runner-options.js';

/** Every turn blocks until its op is cancelled (title and compaction calls answer at once). */
const turnsBlock = () =>
  new ProviderDouble('double', undefined, (c) =>
    c.purpose === 'turn' ? untilAborted(c.req.signal) : defaultHandler(c),
  );

const activity = (h: ShardHarness, sessionId: string, active: boolean) =>
  h.messages.filter((m) => m.t === 'activity' && m.sessionId === sessionId && m.active === active).length;

describe('ShardRunner (spec §7, §8; architecture: passivation and backpressure)', () => {
  const start = useShardHarness();

  it("refuses a command with OVERLOADED when the session's mailbox is full", async () => {
    const h = await start({ provider: turnsBlock(), runner: { maxPendingPerSession: 2 } });
    const id = await h.create({ title: 'fixed' });
    const inputs = [0, 1, 2].map((i) => h.userInput(id, `message ${i}`));
    // Sent in one go: the first two fill the mailbox, the third is refused before it is queued.
    const replies = inputs.map((a) => h.dispatch(id, a));
    const refused = expectError(await replies[2]!);
    expect(refused.code).toBe('OVERLOADED');
    expect(refused.message).toContain(id);
    expectOk(await replies[0]!);
    expectOk(await replies[1]!);

    const events = await h.storedEvents(id);
    expect(events.map((e) => e.type)).toEqual([
      'SessionCreated',
      'UserMessageAdded',
      'OperationStarted',
      'QueuedWorkAdded',
    ]);
    expect(JSON.stringify(events)).not.toContain(inputs[2]!.opId);
    // Once the mailbox has drained, the session accepts commands again.
    expectOk(await h.dispatch(id, h.userInput(id, 'message 3')));
  });

  it('refuses a command with OVERLOADED when the shard has too many commands in flight', async () => {
    const h = await start({ runner: { maxPendingPerShard: 3 } });
    const a = await h.create({ title: 'a' });
    const b = await h.create({ title: 'b' });
    const replies = [a, a, b, b].map((sessionId) => h.request({ t: 'getState', sessionId }));
    const settled = await Promise.all(replies);
    for (const r of settled.slice(0, 3)) expectOk(r);
    const refused = expectError(settled[3]!);
    expect(refused.code).toBe('OVERLOADED');
    expect(refused.message).toContain('shard 0');
    // Replies release their slots: the shard accepts work again.
    for (const sessionId of [a, b, a]) expectOk(await h.request({ t: 'getState', sessionId }));
  });

  it('refuses to create an id that exists, resident or not, with SESSION_ALREADY_EXISTS', async () => {
    const h = await start();
    const id = await h.create({ title: 'original' });
    const duplicate = h.config({ title: 'duplicate' });
    const create = () => h.request({ t: 'create', sessionId: id, config: duplicate, metadata: {} });

    expect(expectError(await create()).code).toBe('SESSION_ALREADY_EXISTS');
    expectOk(await h.request({ t: 'suspend', sessionId: id }));
    expect(h.runner.residentSessions).toBe(0);
    expect(expectError(await create()).code).toBe('SESSION_ALREADY_EXISTS');

    expect((await h.storedEvents(id)).map((e) => e.type)).toEqual(['SessionCreated']);
    expect((await h.getState(id)).title).toBe('original');
  });

  it('passivates idle sessions nobody subscribes to, and resumes them on the next command', async () => {
    const h = await start({ provider: turnsBlock(), runner: { idleTimeoutMs: 40 } });
    const watched = randomUUID();
    h.runner.handle({ t: 'subscribers', sessionId: watched, events: 1, deltas: 0 });
    await h.create({ title: 'watched' }, watched);
    const busy = await h.create({ title: 'busy' });
    expectOk(await h.dispatch(busy, h.userInput(busy, 'long running')));
    const idle = await h.create({ title: 'idle' });
    await waitUntil(() => activity(h, idle, false) === 1, 'the idle session is passivated');

    // A session created later has been idle for less time than the others; once it is passivated, the
    // watched and the busy session would have been too, had they been eligible.
    const later = await h.create({ title: 'later' });
    await waitUntil(() => activity(h, later, false) === 1, 'the later session is passivated');
    await settle();
    expect(activity(h, watched, false)).toBe(0);
    expect(activity(h, busy, false)).toBe(0);
    expect(h.runner.residentSessions).toBe(2);

    // The next command resumes a passivated session transparently.
    const before = activity(h, idle, true);
    const state = await h.getState(idle);
    expect(state.title).toBe('idle');
    expect(activity(h, idle, true)).toBe(before + 1);

    // Without subscribers the watched session becomes eligible.
    h.runner.handle({ t: 'subscribers', sessionId: watched, events: 0, deltas: 0 });
    await waitUntil(() => activity(h, watched, false) === 1, 'the unwatched session is passivated');
  });

  it('shutdown stops every actor, cancelling running work; later commands get SHUTTING_DOWN', async () => {
    const h = await start({ provider: turnsBlock() });
    const a = await h.create({ title: 'a' });
    const b = await h.create({ title: 'b' });
    expectOk(await h.dispatch(a, h.userInput(a, 'long running')));
    const turn = await h.provider.nthCall('turn');

    expectOk(await h.request({ t: 'shutdown' }));
    expect(turn.req.signal.aborted).toBe(true);
    expect(h.runner.residentSessions).toBe(0);
    expect(activity(h, a, false)).toBe(1);
    expect(activity(h, b, false)).toBe(1);

    const later: Reply[] = [
      await h.dispatch(a, h.userInput(a, 'too late')),
      await h.request({ t: 'getState', sessionId: b }),
      await h.request({ t: 'ensureActive', sessionId: b }),
      await h.request({ t: 'create', sessionId: randomUUID(), config: h.config(), metadata: {} }),
    ];
    for (const r of later) expect(expectError(r).code).toBe('SHUTTING_DOWN');
    expect(h.runner.residentSessions).toBe(0);
  });

  it('starts no new work for a command whose append completes after shutdown', async () => {
    const h = await start({ provider: turnsBlock() });
    const id = await h.create({ title: 'fixed' });
    const release = h.recorder.hold();
    const reply = h.dispatch(id, h.userInput(id, 'racing the shutdown'));
    await waitUntil(() => h.recorder.held === 1, 'the append is in flight');
    expectOk(await h.request({ t: 'shutdown' }));
    release();
    await reply;
    await settle();
    // A stopped actor must not start model calls nobody can cancel any more.
    const live = h.provider.calls.filter((c) => !c.req.signal.aborted);
    expect(live.map((c) => c.purpose)).toEqual([]);
  });

  it('resume closes an operation a stopped host left running as interrupted (deliberate change 6)', async () => {
    const h = await start({ provider: turnsBlock() });
    const id = await h.create({ title: 'fixed' });
    const input = h.userInput(id, 'interrupted by a restart');
    expectOk(await h.dispatch(id, input));
    const turn = await h.provider.nthCall('turn');
    h.restart();
    expect(turn.req.signal.aborted).toBe(true);
    await waitUntil(() => turn.outcome === 'rejected', 'the aborted call ends');

    expectOk(await h.request({ t: 'ensureActive', sessionId: id }));
    const events = await h.storedEvents(id);
    expect(events.at(-1)).toEqual({
      type: 'OperationCancelled',
      opId: input.opId,
      info: { pendingToolCalls: 0 },
      reason: 'interrupted',
    });
    expect((await h.getState(id)).currentOperation).toBeNull();
    h.provider.handler = defaultHandler;
    const next = h.userInput(id, 'after the restart');
    expectOk(await h.dispatch(id, next));
    await h.waitForEvent(id, 'OperationCompleted', (e) => e.opId === next.opId);
  });

  // Commands queued behind an evicted actor must not go to a fresh actor: that would resume the session being
  // deleted.
  it('evict must not resume the session for commands queued behind it', async () => {
    const h = await start();
    const id = await h.create({ title: 'doomed' });
    const release = h.recorder.hold();
    const running = h.dispatch(id, h.userInput(id, 'in flight'));
    await waitUntil(() => h.recorder.held === 1, 'an append is in flight');
    const queued = h.request({ t: 'getState', sessionId: id });
    expectOk(await h.request({ t: 'evict', sessionId: id }));
    expect(h.runner.residentSessions).toBe(0);
    await h.store.deleteSession(id); // what Runtime.deleteSession does once evict replied
    release();
    await running;
    expect(expectError(await queued).code).toBe('SESSION_NOT_FOUND');
    expect(expectError(await h.request({ t: 'getState', sessionId: id })).code).toBe('SESSION_NOT_FOUND');
  });

  // Regression: the interpreter forgot an op's AbortController on OperationCompleted, so a title request
  // still running after its turn completed was never aborted by shutdown (spec §5.0/§7.5).
  it('shutdown must abort a title request that outlived its operation', async () => {
    const provider = new ProviderDouble('double', undefined, (c) =>
      c.purpose === 'title' ? untilAborted(c.req.signal) : defaultHandler(c),
    );
    const h = await start({ provider });
    const id = await h.create(); // untitled: the turn asks for a title
    const input = h.userInput(id, 'a slow title');
    expectOk(await h.dispatch(id, input));
    await h.waitForEvent(id, 'OperationCompleted', (e) => e.opId === input.opId);
    const title = await provider.nthCall('title');
    expect(title.req.signal.aborted).toBe(false);
    expectOk(await h.request({ t: 'shutdown' }));
    expect(title.req.signal.aborted).toBe(true);
  });

  it('runs the real worker entry in a worker thread, speaking batched ShardCommand arrays', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'shoal-worker-'));
    const store = new MemoryEventStore();
    // The test runs after the build (turbo: test dependsOn build), so dist holds the compiled entry.
    const worker = new Worker(new URL('../../dist/worker-entry.js', import.meta.url));
    const messages: ShardMessage[] = [];
    const batchSizes: number[] = [];
    const call = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    worker.on('message', (batch: ShardMessage[]) => {
      batchSizes.push(batch.length);
      for (const m of batch) {
        messages.push(m);
        if (m.t !== 'store') continue;
        call[m.op]!.apply(store, m.args).then(
          (value) =>
            worker.postMessage([{ t: 'storeReply', id: m.id, ok: true, value }] satisfies ShardCommand[]),
          (err: unknown) =>
            worker.postMessage([
              { t: 'storeReply', id: m.id, ok: false, error: toWireError(runtimeErrorFromStore(err)) },
            ] satisfies ShardCommand[]),
        );
      }
    });
    const reply = async (id: number): Promise<Reply> => {
      const find = () => messages.find((m): m is Reply => m.t === 'reply' && m.id === id);
      await waitUntil(() => find() !== undefined, `reply ${id} arrives`);
      return find()!;
    };
    try {
      const options: ShardRunnerOptions = {
        shardIndex: 3,
        dataDir,
        providers: {},
        logLevel: 'silent',
        idleTimeoutMs: 0,
        ...DEFAULT_SHARD_LIMITS,
      };
      worker.postMessage([{ t: 'init', options }] satisfies ShardCommand[]);
      await waitUntil(() => messages.some((m) => m.t === 'ready'), 'the worker is ready');

      const sessionId = randomUUID();
      const config = sessionConfig(path.join(dataDir, 'ws'), { title: 'in a worker' });
      const opId = 'op_worker';
      // One batch: create, then dispatch to the session being created, then read its state.
      worker.postMessage([
        { t: 'create', id: 1, sessionId, config, metadata: config.metadata },
        {
          t: 'dispatch',
          id: 2,
          sessionId,
          action: {
            type: 'UserInput',
            sessionId,
            content: [{ type: 'text', text: 'hello worker' }],
            opId,
            messageId: 'msg_worker',
            model: { ...DEFAULT_MODEL },
            timestamp: nowSeconds(),
          },
        },
        { t: 'getState', id: 3, sessionId },
      ] satisfies ShardCommand[]);
      expectOk(await reply(1));
      expectOk(await reply(2));
      expect(expectOk(await reply(3))).toMatchObject({ sessionId });

      const completed = (events: SessionEvent[]) =>
        events.some((e) => e.type === 'OperationCompleted' && e.opId === opId);
      let events: SessionEvent[] = [];
      await waitUntilAsync(async () => {
        events = (await store.loadEvents(sessionId)).map((e) => e.event);
        return completed(events);
      }, 'the turn completes in the worker');
      const answer = events.find((e) => e.type === 'AssistantMessageAdded');
      expect(answer).toMatchObject({ message: { content: [{ type: 'text', text: 'echo: hello worker' }] } });

      worker.postMessage([{ t: 'getState', id: 4, sessionId }] satisfies ShardCommand[]);
      const state = expectOk(await reply(4)) as SessionStateSnapshot;
      expect(state.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
      expect(state.eventSequence).toBe(events.length);
      // The worker batches its output: some port message carried more than one ShardMessage.
      expect(Math.max(...batchSizes)).toBeGreaterThan(1);

      // An unknown session is reported through the same protocol.
      worker.postMessage([{ t: 'getState', id: 5, sessionId: randomUUID() }] satisfies ShardCommand[]);
      expect(expectError(await reply(5)).code).toBe('SESSION_NOT_FOUND');
    } finally {
      await worker.terminate();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
