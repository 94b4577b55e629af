import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Message, messageCharCount, type SessionEvent } from '@shoal/shared';
import { describe, expect, it, vi } from 'vitest';
import type { ShardMessage } from '../protocol/messages.js';
import { deferred, nextTurn, settle, waitUntil, waitUntilAsync } from '../test-support/async.js';
import { bareInterpreter, userMessage } from '../test-support/bare-interpreter.js';
import {
  contextOverflow,
  defaultHandler,
  ProviderDouble,
  textResponse,
  toolCallResponse,
  toolMessages,
  untilAborted,
} from '../test-support/provider-double.js';
import { expectOk, nowSeconds, useShardHarness } from '../test-support/shard-harness.js';
import { isAlive } from '../tools/test-support/process-alive.js';

const ofType = <T extends SessionEvent['type']>(events: SessionEvent[], type: T) =>
  events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);

describe('EffectInterpreter (spec §5, §10.6)', () => {
  const start = useShardHarness();

  it('call_model_effect_dispatches_usage_with_completion_action', async () => {
    const provider = new ProviderDouble(
      'double',
      { contextWindowTokens: 64_000, maxOutputTokens: 4_000 },
      (c) =>
        c.purpose === 'turn'
          ? textResponse('reply', { inputTokens: 11, outputTokens: 13, totalTokens: 24 })
          : defaultHandler(c),
    );
    const h = await start({ provider });
    const id = await h.create({ title: 'fixed' });
    const input = h.userInput(id, 'hello');
    expectOk(await h.dispatch(id, input));
    await h.waitForEvent(id, 'OperationCompleted', (e) => e.opId === input.opId);

    const events = await h.storedEvents(id);
    const [added] = ofType(events, 'AssistantMessageAdded');
    expect(added?.message.content).toEqual([{ type: 'text', text: 'reply' }]);
    expect(added?.model).toEqual(h.model);
    expect(ofType(events, 'LlmUsageUpdated')).toEqual([
      {
        type: 'LlmUsageUpdated',
        opId: input.opId,
        model: h.model,
        usage: { inputTokens: 11, outputTokens: 13, totalTokens: 24 },
        // spec §3.2.11 over the provider's catalog facts: window 64 000, output reserve 4 000
        contextWindow: {
          maxContextTokens: 64_000,
          remainingTokens: 64_000 - 4_000 - 24,
          utilizationRatio: 24 / 60_000,
          estimated: false,
        },
      },
    ]);
    const [turn] = provider.callsFor('turn');
    expect(turn?.req.messages.map((m) => m.id)).toEqual([input.messageId]);
    expect(turn?.req.model).toEqual(h.model);
    expect(turn?.req.tools.map((t) => t.name)).toContain('read_file');
  });

  it('CallModel posts ModelResponseComplete with the op, content, usage and the catalog facts', async () => {
    const provider = new ProviderDouble(
      'double',
      { contextWindowTokens: 1_050_000, maxOutputTokens: 128_000 },
      () => textResponse('reply', { inputTokens: 11, outputTokens: 13, totalTokens: 24 }),
    );
    const { interpreter, posted } = bareInterpreter(provider);
    const model = { provider: 'double', id: 'm' };
    interpreter.run({
      type: 'CallModel',
      sessionId: 's1',
      opId: 'op1',
      model,
      messages: [userMessage('hi')],
      systemContext: undefined,
      tools: [],
    });
    await waitUntil(() => posted.length > 0, 'the completion is posted');
    expect(posted).toEqual([
      {
        type: 'ModelResponseComplete',
        sessionId: 's1',
        opId: 'op1',
        messageId: expect.any(String),
        content: [{ type: 'text', text: 'reply' }],
        usage: { inputTokens: 11, outputTokens: 13, totalTokens: 24 },
        contextWindowTokens: 1_050_000,
        configuredMaxOutputTokens: 128_000,
        timestamp: expect.any(Number),
      },
    ]);
    expect(provider.calls[0]?.req.purpose).toBe('turn');
  });

  it('session_title_generation_uses_operation_cancel_token', async () => {
    // Both the turn and the title request block until their signal aborts, as a real provider would.
    const provider = new ProviderDouble('double', undefined, (c) => untilAborted(c.req.signal));
    const h = await start({ provider });
    const id = await h.create(); // no title: the first idle turn asks for one (spec §3.3.1)
    const input = h.userInput(id, 'please name this session');
    expectOk(await h.dispatch(id, input));
    const turn = await provider.nthCall('turn');
    const title = await provider.nthCall('title');
    expect(title.req.signal.aborted).toBe(false);
    // spec §5.0: one token per operation
    expect(title.req.signal).toBe(turn.req.signal);

    expectOk(await h.dispatch(id, { type: 'Cancel', sessionId: id, opId: input.opId }));
    await waitUntil(() => title.outcome === 'rejected', 'the title request ends');
    expect(title.req.signal.aborted).toBe(true);
    await settle(); // SessionTitleGenerationFailed goes through the actor (and changes nothing)

    const events = await h.storedEvents(id);
    expect(ofType(events, 'OperationCancelled').map((e) => [e.opId, e.reason])).toEqual([
      [input.opId, 'user'],
    ]);
    expect(ofType(events, 'SessionConfigUpdated')).toEqual([]);
    expect((await h.getState(id)).title).toBeNull();

    // The failure left the title missing, so the next idle turn asks again and that title is kept.
    provider.handler = defaultHandler;
    const next = h.userInput(id, 'second try');
    expectOk(await h.dispatch(id, next));
    const titled = await h.waitForEvent(id, 'SessionConfigUpdated');
    expect(titled.config.title).toBe('A title');
  });

  it('a cancelled title request posts SessionTitleGenerationFailed (spec §5.3 step 4)', async () => {
    const provider = new ProviderDouble('double', undefined, (c) => untilAborted(c.req.signal));
    const { interpreter, posted } = bareInterpreter(provider);
    const model = { provider: 'double', id: 'm' };
    interpreter.run({ type: 'GenerateSessionTitle', sessionId: 's1', opId: 'op1', model, userPrompt: 'x' });
    await provider.nthCall('title');
    expect(posted).toEqual([]);
    interpreter.run({ type: 'CancelOperation', sessionId: 's1', opId: 'op1' });
    await waitUntil(() => posted.length > 0, 'the title outcome is posted');
    expect(posted).toEqual([
      { type: 'SessionTitleGenerationFailed', sessionId: 's1', error: expect.stringContaining('cancelled') },
    ]);
  });

  it('compaction_retries_when_context_window_is_exceeded', async () => {
    const provider = new ProviderDouble();
    const h = await start({ provider });
    for (const f of ['a', 'b', 'c', 'd']) await writeFile(path.join(h.workspace, `${f}.txt`), `file ${f}\n`);
    const id = await h.create({ title: 'fixed' });
    // One turn reads four different files (read_file is pre-approved), then answers.
    provider.handler = (c) => {
      if (c.purpose !== 'turn') return defaultHandler(c);
      if (toolMessages(c.req.messages) === 0) {
        return toolCallResponse(
          ['a', 'b', 'c', 'd'].map((f) => ({
            id: `tool_${f}`,
            name: 'read_file',
            parameters: { file_path: `${f}.txt` },
          })),
        );
      }
      return textResponse('read them all');
    };
    const input = h.userInput(id, 'read the four files');
    expectOk(await h.dispatch(id, input));
    await h.waitForEvent(id, 'OperationCompleted', (e) => e.opId === input.opId);
    expect(ofType(await h.storedEvents(id), 'ToolMessageAdded')).toHaveLength(4);

    // The compaction model rejects any request that still carries more than one tool result.
    const seen: number[] = [];
    provider.handler = (c) => {
      if (c.purpose !== 'compaction') return defaultHandler(c);
      const tools = toolMessages(c.req.messages);
      seen.push(tools);
      if (tools > 1) throw contextOverflow(`${tools} tool results do not fit`);
      return textResponse('summary');
    };
    const opId = 'op_compact';
    expectOk(await h.dispatch(id, { type: 'RequestCompaction', sessionId: id, opId, model: h.model }));
    await h.waitForEvent(id, 'OperationCompleted', (e) => e.opId === opId);

    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeLessThan(seen[i - 1]!);
    expect(seen[0]).toBe(4);
    expect(seen.at(-1)).toBeLessThanOrEqual(1);
    const results = ofType(await h.storedEvents(id), 'CompactResult');
    expect(results).toEqual([
      { type: 'CompactResult', result: { type: 'Success', summary: 'summary' }, trigger: 'Manual' },
    ]);
  });

  it('repeated_large_tool_results_trigger_auto_compaction_recovery_without_error', async () => {
    const LIMIT = 120_000;
    const LINES_PER_READ = 400;
    const provider = new ProviderDouble('double', { contextWindowTokens: 200_000 });
    const h = await start({ provider });
    const line = `${'x'.repeat(95)}\n`;
    await writeFile(path.join(h.workspace, 'big.txt'), line.repeat(4_000)); // ~384 000 characters
    const id = await h.create({
      title: 'fixed',
      primaryAgentId: 'yolo',
      autoCompaction: { enabled: true, thresholdPercent: 90 },
    });

    const requestChars = (messages: Message[]) => messages.reduce((n, m) => n + messageCharCount(m), 0);
    let overflows = 0;
    let reads = 0;
    provider.handler = (c) => {
      const chars = requestChars(c.req.messages);
      if (chars > LIMIT) {
        overflows++;
        throw contextOverflow(`request of ${chars} characters exceeds ${LIMIT}`);
      }
      const usage = {
        inputTokens: Math.ceil(chars / 4),
        outputTokens: 10,
        totalTokens: Math.ceil(chars / 4) + 10,
      };
      if (c.purpose === 'compaction') return textResponse('summary: big.txt is being read in chunks', usage);
      if (c.purpose === 'title') return textResponse('title');
      if (c.req.messages.some((m) => m.id.startsWith('compact_continue_'))) {
        return textResponse('carried on after the compaction', usage);
      }
      const offset = reads * LINES_PER_READ + 1;
      reads++;
      return {
        ...toolCallResponse([
          {
            id: `tool_read_${reads}`,
            name: 'read_file',
            parameters: { file_path: 'big.txt', offset, limit: 400 },
          },
        ]),
        usage,
      };
    };

    expectOk(await h.dispatch(id, h.userInput(id, 'read big.txt from start to end')));
    const result = await h.waitForEvent(id, 'CompactResult');
    expect(result).toMatchObject({ result: { type: 'Success' }, trigger: 'Auto' });
    // The compaction continues the work in a new agent loop, which ends normally (its reply and its
    // OperationCompleted are appended in one batch).
    const continued = await h.waitForEvent(id, 'AssistantMessageAdded', (e) =>
      e.message.content.some((c) => c.type === 'text' && c.text === 'carried on after the compaction'),
    );
    const events = await h.storedEvents(id);
    expect(continued).toBeDefined();
    expect(overflows).toBeGreaterThanOrEqual(1); // the turn overflowed: that is what started the compaction
    expect(ofType(events, 'ToolCallCompleted').length).toBeGreaterThanOrEqual(3);
    expect(ofType(events, 'Error')).toEqual([]);
    expect(ofType(events, 'ToolCallFailed')).toEqual([]);
    expect(ofType(events, 'OperationStarted').map((e) => e.kind)).toEqual([
      { type: 'AgentLoop' },
      { type: 'Compact', trigger: 'Auto' },
      { type: 'AgentLoop' },
    ]);
  });

  it('sends deltas only for sessions with delta listeners, batched per turn, flushed before the completion is reduced', async () => {
    const provider = new ProviderDouble('double', undefined, async (c) => {
      if (c.purpose !== 'turn') return defaultHandler(c);
      const d = c.onDelta!;
      d({ type: 'text', delta: 'Hel' });
      d({ type: 'text', delta: 'lo ' });
      d({ type: 'thinking', delta: 'hmm' });
      await nextTurn();
      d({ type: 'text', delta: 'wor' });
      d({ type: 'tool_call_args', toolCallId: 't1', delta: '{}' });
      return textResponse('Hello world');
    });
    const h = await start({ provider });
    const listened = await h.create({ title: 'fixed' });
    const quiet = await h.create({ title: 'fixed' });
    h.runner.handle({ t: 'subscribers', sessionId: listened, events: 0, deltas: 1 });
    h.runner.handle({ t: 'subscribers', sessionId: quiet, events: 1, deltas: 0 });

    const isDeltas = (m: ShardMessage): m is Extract<ShardMessage, { t: 'deltas' }> => m.t === 'deltas';
    let batchesAtCompletionAppend = -1;
    const append = h.recorder.append.bind(h.recorder);
    vi.spyOn(h.recorder, 'append').mockImplementation((sessionId, events, opts) => {
      if (sessionId === listened && events.some((e) => e.type === 'AssistantMessageAdded')) {
        batchesAtCompletionAppend = h.messages.filter(isDeltas).length;
      }
      return append(sessionId, events, opts);
    });

    const a = h.userInput(listened, 'stream please');
    const b = h.userInput(quiet, 'stream please');
    expectOk(await h.dispatch(listened, a));
    expectOk(await h.dispatch(quiet, b));
    const added = await h.waitForEvent(listened, 'AssistantMessageAdded');
    await h.waitForEvent(quiet, 'OperationCompleted', (e) => e.opId === b.opId);

    const batches = h.messages.filter(isDeltas);
    expect(batches.map((m) => m.sessionId)).toEqual([listened, listened]);
    const [first, second] = batches.map((m) => m.deltas);
    const messageId = added.message.id;
    expect(first).toEqual([
      { type: 'TextChunk', opId: a.opId, messageId, delta: 'Hel' },
      { type: 'TextChunk', opId: a.opId, messageId, delta: 'lo ' },
      { type: 'ThinkingChunk', opId: a.opId, messageId, delta: 'hmm' },
    ]);
    expect(second).toEqual([
      { type: 'TextChunk', opId: a.opId, messageId, delta: 'wor' },
      {
        type: 'ToolCallChunk',
        opId: a.opId,
        messageId,
        toolCallId: 't1',
        delta: { type: 'ArgumentChunk', chunk: '{}' },
      },
    ]);
    // Every delta of the call was sent before the completion's events were appended.
    expect(batchesAtCompletionAppend).toBe(2);
  });

  it("cancelling an op kills its running tool's processes, and the tool's late result is ignored", async () => {
    const provider = new ProviderDouble('double', undefined, (c) => {
      if (c.purpose !== 'turn') return defaultHandler(c);
      const command = 'echo $$ > shell.pid; sleep 30 & echo $! > sleep.pid; wait';
      return toolMessages(c.req.messages) === 0
        ? toolCallResponse([{ id: 'tool_sleep', name: 'bash', parameters: { command } }])
        : textResponse('done');
    });
    const h = await start({ provider });
    const id = await h.create({ title: 'fixed', primaryAgentId: 'yolo' });
    const input = h.userInput(id, 'run something slow');
    expectOk(await h.dispatch(id, input));
    await h.waitForEvent(id, 'ToolCallStarted');
    const pidOf = async (name: string) => Number(await readFile(path.join(h.workspace, name), 'utf8'));
    await waitUntilAsync(
      async () => (await readFile(path.join(h.workspace, 'sleep.pid'), 'utf8').catch(() => '')).trim() !== '',
      'the command has started',
    );
    const pids = [await pidOf('shell.pid'), await pidOf('sleep.pid')];
    expect(pids.every(isAlive)).toBe(true);

    expectOk(await h.dispatch(id, { type: 'Cancel', sessionId: id, opId: input.opId }));
    await waitUntil(() => !pids.some(isAlive), 'the tool processes are killed');
    await settle();

    const events = await h.storedEvents(id);
    const results = ofType(events, 'ToolMessageAdded').filter((e) => e.message.toolUseId === 'tool_sleep');
    // exactly one result: the synthetic cancellation of spec §3.3.14; the tool's own late result is ignored
    expect(results).toHaveLength(1);
    expect(results[0]?.message.result).toMatchObject({ type: 'Error', error: { type: 'Cancelled' } });
    expect(ofType(events, 'ToolCallCompleted')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'OperationCancelled', opId: input.opId });
    expect(provider.callsFor('turn')).toHaveLength(1);
  });

  it('cancelling an op aborts its model call, and a late completion for it changes nothing', async () => {
    const late = deferred<ReturnType<typeof textResponse>>();
    const provider = new ProviderDouble('double', undefined, (c) =>
      c.purpose === 'turn' && c.index === 0 ? late.promise : defaultHandler(c),
    );
    const h = await start({ provider });
    const id = await h.create({ title: 'fixed' });
    const input = h.userInput(id, 'slow one');
    expectOk(await h.dispatch(id, input));
    const turn = await provider.nthCall('turn');
    expect(turn.req.signal.aborted).toBe(false);

    expectOk(await h.dispatch(id, { type: 'Cancel', sessionId: id, opId: input.opId }));
    expect(turn.req.signal.aborted).toBe(true);
    const stored = await h.stored(id);
    expect(stored.at(-1)?.event).toMatchObject({ type: 'OperationCancelled', opId: input.opId });
    const before = await h.getState(id);

    // The provider ignores the abort and completes anyway; a client also replays the completion.
    const usage = { inputTokens: 5, outputTokens: 5, totalTokens: 10 };
    late.resolve(textResponse('too late', usage));
    await waitUntil(() => turn.outcome === 'resolved', 'the late completion is returned');
    const replayed = await h.dispatch(id, {
      type: 'ModelResponseComplete',
      sessionId: id,
      opId: input.opId,
      messageId: 'late_msg',
      content: [{ type: 'text', text: 'too late' }],
      usage,
      timestamp: nowSeconds(),
    });
    expectOk(replayed);
    await settle();

    expect(await h.stored(id)).toEqual(stored);
    expect(await h.getState(id)).toEqual(before);

    // The session is healthy: the next turn runs normally.
    const next = h.userInput(id, 'again');
    expectOk(await h.dispatch(id, next));
    await h.waitForEvent(id, 'OperationCompleted', (e) => e.opId === next.opId);
  });
});
