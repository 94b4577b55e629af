import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionEvent, StoredEvent } from '@shoal/shared';
import { Runtime } from '@shoal/supervisor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SequenceGapError, SessionModel } from './session-model.js';

// The console folds the event stream itself; these runs check it against the runtime's own snapshot on real
// sessions (real runtime, real tools), not against hand-written events.
let runtime: Runtime;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'console-model-'));
  runtime = await Runtime.start({ dataDir, store: 'memory', shards: 0, logLevel: 'silent' });
});
afterAll(async () => {
  await runtime.shutdown();
  await rm(dataDir, { recursive: true, force: true });
});

/** Waits (with a generous deadline) until the session's log has an event matching `match`. */
async function waitForEvent(id: string, match: (e: SessionEvent) => boolean): Promise<StoredEvent[]> {
  const sub = await runtime.subscribeEvents(id, { afterSeq: -1 });
  const deadline = setTimeout(() => void sub.close(), 20_000);
  try {
    for await (const stored of sub) if (match(stored.event)) break;
  } finally {
    clearTimeout(deadline);
    await sub.close();
  }
  const events = await runtime.loadEventsAfter(id, -1);
  if (!events.some((s) => match(s.event))) throw new Error('event never arrived');
  return events;
}

async function foldAll(id: string): Promise<SessionModel> {
  const model = new SessionModel(() => 0);
  for (const stored of await runtime.loadEventsAfter(id, -1)) model.apply(stored);
  return model;
}

async function expectThreadMatchesRuntime(id: string): Promise<SessionModel> {
  const model = await foldAll(id);
  const state = await runtime.getSessionState(id);
  expect(model.thread().map((t) => t.message.id)).toEqual(state.messages.map((m) => m.id));
  expect(model.title).toBe(state.title);
  expect(model.agentId).toBe(state.primaryAgentId);
  expect(model.lastSeq).toBe(state.eventSequence - 1);
  return model;
}

const completed = (e: SessionEvent) => e.type === 'OperationCompleted' || e.type === 'OperationCancelled';

describe('SessionModel', () => {
  it('folds a plain turn: thread, title, idle status, a log row per event', async () => {
    const id = await runtime.createSession({ title: 'plain' });
    await runtime.submitUserInput(id, 'hello console');
    const events = await waitForEvent(id, completed);
    const model = await expectThreadMatchesRuntime(id);
    expect(model.activity).toBe('idle');
    expect(model.log.map((l) => l.seq)).toEqual(events.map((e) => e.seq));
    const reply = model.thread()[1]!.message;
    expect(reply.role === 'assistant' && reply.content[0]).toEqual({
      type: 'text',
      text: 'echo: hello console',
    });
  });

  it('shows a pending approval, then the tool result under its call', async () => {
    const id = await runtime.createSession();
    await runtime.submitUserInput(id, '/tool bash {"command": "echo from-tool"}');
    await waitForEvent(id, (e) => e.type === 'ApprovalRequested');
    const waiting = await foldAll(id);
    expect(waiting.activity).toBe('waiting_for_approval');
    const pending = waiting.pendingApproval!;
    expect(pending.toolCall.name).toBe('bash');

    await runtime.submitToolApproval(id, pending.requestId, true);
    await waitForEvent(id, completed);
    const model = await expectThreadMatchesRuntime(id);
    expect(model.activity).toBe('idle');
    expect(model.pendingApproval).toBeNull();
    expect(model.toolCalls.get(pending.toolCall.id)).toBe('completed');
    expect(model.toolResultFor(pending.toolCall.id)?.result).toMatchObject({
      type: 'Bash',
      stdout: 'from-tool\n',
    });
    // the tool message is shown with its call, not as a separate row
    expect(
      model
        .timeline()
        .filter((i) => i.kind === 'message')
        .map((i) => i.message.role),
    ).toEqual(['user', 'assistant', 'assistant']);
  });

  it('a cancelled turn ends running, with a notice; input queued meanwhile is shown and handed back', async () => {
    const id = await runtime.createSession();
    const { opId } = await runtime.submitUserInput(id, '/sleep 60000');
    await runtime.submitUserInput(id, 'later please');
    const running = await foldAll(id);
    expect(running.activity).toBe('running');
    expect(running.queue.map((q) => q.content)).toEqual(['later please']);

    await runtime.cancelOperation(id, opId);
    await waitForEvent(id, (e) => e.type === 'OperationCancelled');
    const model = await expectThreadMatchesRuntime(id);
    expect(model.activity).toBe('idle');
    expect(model.queue).toEqual([]);
    expect(model.returnedInput).toBe('later please');
    expect(model.timeline().some((i) => i.kind === 'notice' && i.notice.text === 'Operation cancelled')).toBe(
      true,
    );
  });

  it('follows an edit onto its new branch and a compaction onto its summary', async () => {
    const id = await runtime.createSession();
    const turn = async (text: string) => {
      const { opId } = await runtime.submitUserInput(id, text);
      await waitForEvent(id, (e) => e.type === 'OperationCompleted' && e.opId === opId);
    };
    const first = await runtime.submitUserInput(id, 'first');
    await waitForEvent(id, (e) => e.type === 'OperationCompleted' && e.opId === first.opId);
    await turn('second');
    const editOp = await runtime.submitEditedMessage(id, first.messageId, 'first, edited');
    await waitForEvent(id, (e) => e.type === 'OperationCompleted' && e.opId === editOp);
    const branched = await expectThreadMatchesRuntime(id);
    expect(branched.thread().map((t) => t.message.role)).toEqual(['user', 'assistant']);
    await turn('third');

    const compactOp = await runtime.compactSession(id);
    await waitForEvent(id, (e) => e.type === 'OperationCompleted' && e.opId === compactOp);
    const compacted = await expectThreadMatchesRuntime(id);
    expect(compacted.thread()).toHaveLength(1);
    expect(
      compacted.timeline().some((i) => i.kind === 'notice' && i.notice.text === 'Conversation compacted'),
    ).toBe(true);
  });

  it('shows direct bash output in the user message it updates', async () => {
    const id = await runtime.createSession();
    const opId = await runtime.executeBashCommand(id, 'echo direct');
    await waitForEvent(id, (e) => e.type === 'OperationCompleted' && e.opId === opId);
    const model = await expectThreadMatchesRuntime(id);
    const user = model.thread()[0]!.message;
    expect(user.role === 'user' && user.content[0]).toMatchObject({
      type: 'command_execution',
      command: 'echo direct',
      stdout: 'direct\n',
      exitCode: 0,
    });
  });

  it('drops a repeated event and refuses a gap', async () => {
    const id = await runtime.createSession();
    await runtime.submitUserInput(id, 'dup');
    const events = await waitForEvent(id, completed);
    const model = new SessionModel(() => 0);
    for (const e of events.slice(0, 3)) expect(model.apply(e)).toBe(true);
    // a resumed stream that overlaps what was applied
    for (const e of events.slice(0, 3)) expect(model.apply(e)).toBe(false);
    expect(() => model.apply(events[4]!)).toThrow(SequenceGapError);
    for (const e of events.slice(3)) model.apply(e);
    expect(model.log.map((l) => l.seq)).toEqual(events.map((e) => e.seq));
    expect(model.thread().map((t) => t.message.id)).toEqual(
      (await runtime.getSessionState(id)).messages.map((m) => m.id),
    );
  });

  it('streams a preview from deltas, reset discards it, and the stored message replaces it', () => {
    const model = new SessionModel(() => 0);
    model.applyDelta({ type: 'TextChunk', opId: 'op', messageId: 'm1', delta: 'ech' });
    model.applyDelta({ type: 'Reset', opId: 'op', messageId: 'm1' });
    model.applyDelta({ type: 'TextChunk', opId: 'op', messageId: 'm1', delta: 'echo: ' });
    model.applyDelta({ type: 'TextChunk', opId: 'op', messageId: 'm1', delta: 'hi' });
    expect(model.streaming().map((p) => p.text)).toEqual(['echo: hi']);
    model.apply({ seq: 0, event: { type: 'OperationStarted', opId: 'op', kind: { type: 'AgentLoop' } } });
    model.apply({
      seq: 1,
      event: {
        type: 'AssistantMessageAdded',
        message: { role: 'assistant', id: 'm1', parentMessageId: null, timestamp: 5, content: [] },
        model: { provider: 'simulated', id: 'sim' },
      },
    });
    expect(model.streaming()).toEqual([]);
    // a late chunk for a stored message does not bring the preview back
    model.applyDelta({ type: 'TextChunk', opId: 'op', messageId: 'm1', delta: '!' });
    expect(model.streaming()).toEqual([]);
    expect(model.log[1]).toMatchObject({ time: 5000, timeFromEvent: true });
    expect(model.log[0]).toMatchObject({ time: 0, timeFromEvent: false });
  });
});
