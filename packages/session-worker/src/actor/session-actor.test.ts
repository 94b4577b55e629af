import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Action, SessionEvent, StoredEvent } from '@shoal/shared';
import { describe, expect, it, vi } from 'vitest';
import { deferred, settle, waitUntil } from '../test-support/async.js';
import {
  defaultHandler,
  ProviderDouble,
  textResponse,
  toolCallResponse,
  toolMessages,
  untilAborted,
} from '../test-support/provider-double.js';
import {
  expectError,
  expectOk,
  nowSeconds,
  type Reply,
  type ShardHarness,
  useShardHarness,
} from '../test-support/shard-harness.js';

const ofType = <T extends SessionEvent['type']>(events: SessionEvent[], type: T) =>
  events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);

const bash = (sessionId: string, opId: string): Action => ({
  type: 'DirectBashCommand',
  sessionId,
  opId,
  messageId: `msg_${opId}`,
  command: `echo ${opId}`,
  timestamp: nowSeconds(),
});

/** A provider whose first turn blocks until its op is cancelled; later calls answer normally. */
const firstTurnBlocks = () =>
  new ProviderDouble('double', undefined, (c) =>
    c.purpose === 'turn' && c.index === 0 ? untilAborted(c.req.signal) : defaultHandler(c),
  );

async function runTurn(h: ShardHarness, id: string, text: string): Promise<string> {
  const input = h.userInput(id, text);
  expectOk(await h.dispatch(id, input));
  await h.waitForEvent(id, 'OperationCompleted', (e) => e.opId === input.opId);
  return input.opId;
}

const inactive = (h: ShardHarness, sessionId: string) =>
  h.messages.filter((m) => m.t === 'activity' && m.sessionId === sessionId && !m.active).length;

describe('SessionActor (spec §7, deliberate changes 9 and 10)', () => {
  const start = useShardHarness();

  it('compaction_emits_operation_completed_event', async () => {
    const h = await start();
    const id = await h.create({ title: 'fixed' });
    await runTurn(h, id, 'first');
    await runTurn(h, id, 'second');
    const opId = 'op_compact';
    expectOk(await h.dispatch(id, { type: 'RequestCompaction', sessionId: id, opId, model: h.model }));
    await h.waitForEvent(id, 'OperationCompleted', (e) => e.opId === opId);

    const events = await h.storedEvents(id);
    const from = events.findIndex((e) => e.type === 'OperationStarted' && e.opId === opId);
    expect(events.slice(from).map((e) => e.type)).toEqual([
      'OperationStarted',
      'AssistantMessageAdded',
      'CompactResult',
      'ConversationCompacted',
      'OperationCompleted',
    ]);
    expect(ofType(events, 'CompactResult')).toEqual([
      { type: 'CompactResult', result: { type: 'Success', summary: 'summary' }, trigger: 'Manual' },
    ]);
    const [compaction] = h.provider.callsFor('compaction');
    expect(compaction?.req.messages).toHaveLength(5); // the 4-message thread plus the compaction prompt
    expect(compaction?.req.tools).toEqual([]);
    const state = await h.getState(id);
    expect(state.messages.map((m) => m.role)).toEqual(['assistant']); // the thread starts at the summary
  });

  it("processes one session's commands strictly in arrival order", async () => {
    const provider = new ProviderDouble('double', undefined, (c) =>
      c.purpose === 'turn' ? untilAborted(c.req.signal) : defaultHandler(c),
    );
    const h = await start({ provider });
    const ids = [await h.create({ title: 'a' }), await h.create({ title: 'b' })];
    // Both sessions are busy, so every direct bash command is queued and its QueuedWorkAdded shows the order.
    for (const id of ids) expectOk(await h.dispatch(id, h.userInput(id, 'block')));
    const N = 25;
    const replies: Promise<Reply>[] = [];
    for (let i = 0; i < N; i++) {
      for (const id of ids) replies.push(h.dispatch(id, bash(id, `${id}_${i}`)));
    }
    for (const r of await Promise.all(replies)) expectOk(r);

    for (const id of ids) {
      const queued = ofType(await h.storedEvents(id), 'QueuedWorkAdded');
      expect(queued.map((e) => e.item.opId)).toEqual(Array.from({ length: N }, (_, i) => `${id}_${i}`));
    }
  });

  it('runs internal results between commands, commands first', async () => {
    const first = deferred<ReturnType<typeof textResponse>>();
    const provider = new ProviderDouble('double', undefined, (c) =>
      c.purpose === 'turn' && c.index === 0 ? first.promise : defaultHandler(c),
    );
    const h = await start({ provider });
    const id = await h.create({ title: 'fixed' });
    const input = h.userInput(id, 'go');
    expectOk(await h.dispatch(id, input));
    await provider.nthCall('turn');

    // The actor is stuck appending the events of command b1 ...
    const release = h.recorder.hold();
    const b1 = h.dispatch(id, bash(id, 'b1'));
    await waitUntil(() => h.recorder.held === 1, 'the append of b1 is held');
    // ... when the model's completion arrives as an internal action ...
    first.resolve(textResponse('first reply'));
    await waitUntil(() => provider.calls[0]?.outcome === 'resolved', 'the model call returns');
    await settle();
    // ... and two more commands arrive behind it.
    const b2 = h.dispatch(id, bash(id, 'b2'));
    const b3 = h.dispatch(id, bash(id, 'b3'));
    release();
    for (const r of await Promise.all([b1, b2, b3])) expectOk(r);
    await h.waitForEvent(id, 'OperationCompleted', (e) => e.opId === input.opId);

    const events = await h.storedEvents(id);
    const firstQueued = events.findIndex((e) => e.type === 'QueuedWorkAdded');
    const relevant = events
      .slice(firstQueued, firstQueued + 5)
      .map((e) => (e.type === 'QueuedWorkAdded' ? `QueuedWorkAdded:${e.item.opId}` : e.type));
    expect(relevant).toEqual([
      'QueuedWorkAdded:b1',
      'QueuedWorkAdded:b2',
      'QueuedWorkAdded:b3',
      'AssistantMessageAdded',
      'OperationCompleted',
    ]);
  });

  it("appends one reduce call's events as one batch with contiguous sequence numbers", async () => {
    const provider = new ProviderDouble('double', undefined, (c) => {
      if (c.purpose !== 'turn') return defaultHandler(c);
      return toolMessages(c.req.messages) === 0
        ? toolCallResponse(
            [{ id: 'tool_1', name: 'read_file', parameters: { file_path: 'f.txt' } }],
            'reading',
          )
        : textResponse('done', { inputTokens: 1, outputTokens: 1, totalTokens: 2 });
    });
    const h = await start({ provider });
    await writeFile(path.join(h.workspace, 'f.txt'), 'content\n');
    const append = vi.spyOn(h.store, 'append');
    const create = vi.spyOn(h.store, 'createSession');
    const id = await h.create({ title: 'fixed' });
    // SessionCreated is written with the registration, in one atomic write (seq 0).
    expect(create.mock.calls.map(([sid, , initial]) => [sid, initial?.map((e) => e.type)])).toEqual([
      [id, ['SessionCreated']],
    ]);
    const input = h.userInput(id, 'read f.txt');
    expectOk(await h.dispatch(id, input));
    await h.waitForEvent(id, 'OperationCompleted', (e) => e.opId === input.opId);

    const calls = append.mock.calls.filter(([sessionId]) => sessionId === id);
    const results = await Promise.all(
      append.mock.results
        .filter((_, i) => append.mock.calls[i]?.[0] === id)
        .map((r) => r.value as Promise<number[]>),
    );
    const batches = calls.map(([, events, opts], i) => ({
      types: events.map((e) => e.type),
      expected: opts?.expectedNextSeq,
      seqs: results[i]!,
    }));
    let next = 1;
    for (const b of batches) {
      expect(b.expected).toBe(next);
      expect(b.seqs).toEqual(b.types.map((_, j) => next + j));
      next += b.seqs.length;
    }
    const stored: StoredEvent[] = await h.stored(id);
    expect(stored.map((s) => s.seq)).toEqual(stored.map((_, i) => i));
    expect(['SessionCreated', ...batches.flatMap((b) => b.types)]).toEqual(stored.map((s) => s.event.type));
    expect(batches.map((b) => b.types)).toEqual([
      ['UserMessageAdded', 'OperationStarted'],
      ['AssistantMessageAdded'],
      ['ToolCallStarted'],
      ['ToolCallCompleted', 'ToolMessageAdded'],
      ['AssistantMessageAdded', 'LlmUsageUpdated', 'OperationCompleted'],
    ]);
  });

  it('rejects an invalid action with INVALID_INPUT and its kind, appending nothing', async () => {
    const h = await start();
    const id = await h.create({ title: 'fixed' });
    const appendsBefore = h.recorder.appends.length;
    const error = expectError(await h.dispatch(id, { type: 'DequeueQueuedItem', sessionId: id }));
    expect(error).toMatchObject({ code: 'INVALID_INPUT', kind: 'QueueEmpty' });
    expect(h.recorder.appends.length).toBe(appendsBefore);
    expect((await h.storedEvents(id)).map((e) => e.type)).toEqual(['SessionCreated']);
    // The actor keeps running (it was not stopped and rebuilt): the next command just works.
    await runTurn(h, id, 'still fine');
    expect(inactive(h, id)).toBe(0);
  });

  it('fails a command whose append fails with EVENT_STORE; the next command rebuilds the session from the store', async () => {
    const h = await start();
    const id = await h.create({ title: 'fixed' });
    await runTurn(h, id, 'first');
    const durable = await h.stored(id);

    h.recorder.failNextAppend();
    const lost = h.userInput(id, 'this one is lost');
    const error = expectError(await h.dispatch(id, lost));
    expect(error).toMatchObject({ code: 'EVENT_STORE', kind: 'IO' });
    expect(await h.stored(id)).toEqual(durable);
    // The failed command's effects never ran: its turn was never sent to the model.
    await settle();
    expect(h.provider.callsFor('turn')).toHaveLength(1);

    // The next command gets a session rebuilt from what is durable, not the actor's stale state.
    const state = await h.getState(id);
    const messageIds = durable.flatMap((s) =>
      s.event.type === 'UserMessageAdded' || s.event.type === 'AssistantMessageAdded'
        ? [s.event.message.id]
        : [],
    );
    expect(state.messages.map((m) => m.id)).toEqual(messageIds);
    expect(state.messages.map((m) => m.id)).not.toContain(lost.messageId);
    expect(state.currentOperation).toBeNull();
    expect(state.eventSequence).toBe(durable.length);

    await runTurn(h, id, 'after the failure');
    const stored = await h.stored(id);
    expect(stored.map((s) => s.seq)).toEqual(stored.map((_, i) => i));
    expect((await h.getState(id)).messages).toHaveLength(4);
  });

  it('suspending a busy session cancels its work (reason suspended) and keeps the queue for the resume', async () => {
    const h = await start({ provider: firstTurnBlocks() });
    const id = await h.create({ title: 'fixed' });
    const running = h.userInput(id, 'long task');
    expectOk(await h.dispatch(id, running));
    const turn = await h.provider.nthCall('turn');
    const queued = h.userInput(id, 'queued task');
    expectOk(await h.dispatch(id, queued));

    expectOk(await h.request({ t: 'suspend', sessionId: id }));
    expect(turn.req.signal.aborted).toBe(true);
    expect(inactive(h, id)).toBe(1);
    expect(h.runner.residentSessions).toBe(0);
    const events = await h.storedEvents(id);
    expect(events.at(-1)).toEqual({
      type: 'OperationCancelled',
      opId: running.opId,
      info: { pendingToolCalls: 0 },
      reason: 'suspended',
    });
    expect(ofType(events, 'QueuedWorkAdded').map((e) => e.item.opId)).toEqual([queued.opId]);
    expect(ofType(events, 'QueuedWorkRemoved')).toEqual([]);

    // Resume drains the queue that survived the suspend (spec §8.2).
    expectOk(await h.request({ t: 'ensureActive', sessionId: id }));
    await h.waitForEvent(id, 'OperationCompleted', (e) => e.opId === queued.opId);
    const state = await h.getState(id);
    expect(state.messages.map((m) => m.id)).toContain(queued.messageId);
    expect(state.queuedWork).toEqual([]);
  });

  it('suspend writes a snapshot that resume restores to the same state, reading only the tail', async () => {
    const provider = new ProviderDouble('double', undefined, (c) =>
      c.purpose === 'turn'
        ? textResponse('reply', { inputTokens: 3, outputTokens: 4, totalTokens: 7 })
        : defaultHandler(c),
    );
    const h = await start({ provider, runner: { snapshotEveryEvents: 1 } });
    const id = await h.create(); // untitled: the first turn also records a title
    await runTurn(h, id, 'first');
    await h.waitForEvent(id, 'SessionConfigUpdated');
    await runTurn(h, id, 'second');
    const before = await h.getState(id);
    const stored = await h.stored(id);

    expectOk(await h.request({ t: 'suspend', sessionId: id }));
    const snapshot = await h.store.loadLatestSnapshot(id);
    expect(snapshot?.seq).toBe(stored.length - 1);

    const reads = vi.spyOn(h.recorder, 'loadEventsAfter');
    const after = await h.getState(id);
    expect(after).toEqual(before);
    expect(after.title).toBe('A title');
    expect(after.usageTotals).toEqual({ inputTokens: 6, outputTokens: 8, totalTokens: 14 });
    expect(reads.mock.calls.map(([, afterSeq]) => afterSeq)).toEqual([stored.length - 1]);
  });

  it('a session id that was never created is SESSION_NOT_FOUND for every command kind', async () => {
    const h = await start();
    const id = randomUUID();
    for (const cmd of [
      { t: 'dispatch', sessionId: id, action: { type: 'DrainQueuedWork', sessionId: id } },
      { t: 'getState', sessionId: id },
      { t: 'ensureActive', sessionId: id },
    ] as const) {
      expect(expectError(await h.request(cmd)).code).toBe('SESSION_NOT_FOUND');
    }
    expect(h.runner.residentSessions).toBe(0);
    expect(await h.store.sessionExists(id)).toBe(false);
  });
});
