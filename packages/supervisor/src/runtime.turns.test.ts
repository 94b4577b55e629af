import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StreamDelta } from '@shoal/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assistantText,
  EventLog,
  type Harness,
  SHARD_MODES,
  sleep,
  startRuntime,
} from './test-support/harness.js';
import { waitFor } from './test-support/wait-for.js';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.each(SHARD_MODES)('Runtime turns end to end (shards: %i)', (shards) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startRuntime({ shards });
  });
  afterEach(async () => {
    await h.close();
  });

  it('plain echo: one turn runs to completion with usage and a title', async () => {
    const id = await h.runtime.createSession();
    const log = await EventLog.open(h.runtime, id);
    const { opId, messageId } = await h.runtime.submitUserInput(id, 'hello there');
    const reply = await log.waitFor('AssistantMessageAdded');
    expect(assistantText(reply)).toBe('echo: hello there');
    await log.waitFor('OperationCompleted', (e) => e.opId === opId);
    const usage = await log.waitFor('LlmUsageUpdated');
    expect(usage.usage.outputTokens).toBe(Math.ceil('echo: hello there'.length / 4));
    const titled = await log.waitFor('SessionConfigUpdated');
    expect(titled.config.title).toBe('hello there');
    expect(log.types().slice(0, 2)).toEqual(['UserMessageAdded', 'OperationStarted']);
    const state = await h.runtime.getSessionState(id);
    expect(state.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(state.messages[0]?.id).toBe(messageId);
    expect(state.currentOperation).toBeNull();
    expect(state.title).toBe('hello there');
    const stored = await h.runtime.loadEventsAfter(id, -1);
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i));
    await log.close();
  });

  it('approval is asked once, approved with memory, and remembered next turn', async () => {
    const id = await h.runtime.createSession();
    const log = await EventLog.open(h.runtime, id);
    await h.runtime.submitUserInput(id, '/tool bash {"command":"echo approved-run"}');
    const asked = await log.waitFor('ApprovalRequested');
    await h.runtime.submitToolApproval(id, asked.requestId, true, { type: 'Tool', toolName: 'bash' });
    const done = await log.waitFor('ToolCallCompleted');
    expect(done.result).toMatchObject({ type: 'Bash', stdout: 'approved-run\n', exitCode: 0 });
    const final = await log.waitFor(
      'AssistantMessageAdded',
      (e) => assistantText(e) === 'done: 1 tool results',
    );
    expect(final).toBeDefined();
    await log.waitFor('OperationCompleted');
    // Deliberate change 1: the request is persisted and broadcast exactly once.
    expect(log.of('ApprovalRequested')).toHaveLength(1);
    const decided = log.of('ApprovalDecided');
    expect(decided).toEqual([
      {
        type: 'ApprovalDecided',
        requestId: asked.requestId,
        decision: 'Approved',
        remember: { type: 'Tool', toolName: 'bash' },
      },
    ]);
    expect((await h.runtime.getSessionState(id)).approvedTools).toContain('bash');

    const second = await h.runtime.submitUserInput(id, '/tool bash {"command":"echo again"}');
    await log.waitFor('OperationCompleted', (e) => e.opId === second.opId);
    expect(log.of('ApprovalRequested')).toHaveLength(1);
    expect(log.of('ToolCallCompleted').map((e) => (e.result.type === 'Bash' ? e.result.stdout : ''))).toEqual(
      ['approved-run\n', 'again\n'],
    );
    await log.close();
  });

  it('denial records a DeniedByUser tool result and the model continues', async () => {
    const id = await h.runtime.createSession();
    const log = await EventLog.open(h.runtime, id);
    const { opId } = await h.runtime.submitUserInput(
      id,
      '/tool write_file {"file_path":"x.txt","content":"no"}',
    );
    const asked = await log.waitFor('ApprovalRequested');
    await h.runtime.submitToolApproval(id, asked.requestId, false);
    const failed = await log.waitFor('ToolCallFailed');
    expect(failed.error).toBe("Tool 'write_file' denied by user");
    const toolMsg = await log.waitFor('ToolMessageAdded');
    expect(toolMsg.message.result).toEqual({
      type: 'Error',
      error: { type: 'DeniedByUser', toolName: 'write_file' },
    });
    await log.waitFor('OperationCompleted', (e) => e.opId === opId);
    await expect(readFile(join(h.dataDir, 'workspaces', id, 'x.txt'))).rejects.toThrow();
    await log.close();
  });

  it('cancel during a running bash kills its whole process group', async () => {
    const id = await h.runtime.createSession({ primaryAgentId: 'yolo' });
    const log = await EventLog.open(h.runtime, id);
    const { opId } = await h.runtime.submitUserInput(
      id,
      '/tool bash {"command":"sleep 30 & echo $! > child.pid; sleep 30"}',
    );
    await log.waitFor('ToolCallStarted');
    const pidFile = join(h.dataDir, 'workspaces', id, 'child.pid');
    const pid = await waitFor(
      'the background process to write its pid',
      async () => Number.parseInt(await readFile(pidFile, 'utf8').catch(() => ''), 10) || undefined,
    );
    expect(isAlive(pid)).toBe(true);
    await h.runtime.cancelOperation(id, opId);
    const cancelled = await log.waitFor('OperationCancelled');
    expect(cancelled.opId).toBe(opId);
    expect(cancelled.reason).toBe('user');
    const synthetic = await log.waitFor('ToolMessageAdded');
    expect(synthetic.message.result).toMatchObject({
      type: 'Error',
      error: { type: 'Cancelled', toolName: 'bash' },
    });
    await waitFor('the process group to be killed', () => !isAlive(pid));
    expect((await h.runtime.getSessionState(id)).currentOperation).toBeNull();
    // The late tool result of the cancelled op is ignored: no ToolCallCompleted/Failed for it afterwards.
    await sleep(100);
    expect(log.of('ToolCallCompleted')).toHaveLength(0);
    await log.close();
  });

  it('queues and merges input while busy; dequeue removes the head; cancel pops the queue head', async () => {
    const id = await h.runtime.createSession();
    const log = await EventLog.open(h.runtime, id);
    const first = await h.runtime.submitUserInput(id, '/sleep 10000');
    await h.runtime.submitUserInput(id, 'First');
    const second = await h.runtime.submitUserInput(id, 'Second');
    let state = await h.runtime.getSessionState(id);
    expect(state.queuedWork).toHaveLength(1);
    expect(state.queuedWork[0]).toMatchObject({
      kind: 'UserMessage',
      content: 'First\n\nSecond',
      opId: second.opId,
    });
    await h.runtime.executeBashCommand(id, 'echo queued-bash');
    state = await h.runtime.getSessionState(id);
    expect(state.queuedWork.map((q) => q.kind)).toEqual(['UserMessage', 'DirectBash']);

    await h.runtime.submitDequeueQueuedItem(id);
    state = await h.runtime.getSessionState(id);
    expect(state.queuedWork.map((q) => q.content)).toEqual(['echo queued-bash']);
    expect(state.currentOperation?.opId).toBe(first.opId);

    await h.runtime.cancelOperation(id);
    const cancelled = await log.waitFor('OperationCancelled');
    expect(cancelled.info.poppedQueuedItem).toMatchObject({
      kind: 'DirectBash',
      content: 'echo queued-bash',
    });
    state = await h.runtime.getSessionState(id);
    expect(state.queuedWork).toEqual([]);
    expect(state.currentOperation).toBeNull();
    await log.close();
  });

  it('queued input starts automatically when the running turn completes', async () => {
    const id = await h.runtime.createSession();
    const log = await EventLog.open(h.runtime, id);
    await h.runtime.submitUserInput(id, '/sleep 300\nslow');
    const queued = await h.runtime.submitUserInput(id, 'next one');
    await log.waitFor('OperationCompleted', (e) => e.opId === queued.opId);
    const replies = log.of('AssistantMessageAdded').map(assistantText);
    expect(replies).toEqual(['echo: slow', 'echo: next one']);
    await log.close();
  });

  it('edit creates a branch: the active thread follows the edited message', async () => {
    const id = await h.runtime.createSession();
    const log = await EventLog.open(h.runtime, id);
    const t1 = await h.runtime.submitUserInput(id, 'one');
    await log.waitFor('OperationCompleted', (e) => e.opId === t1.opId);
    const t2 = await h.runtime.submitUserInput(id, 'two');
    await log.waitFor('OperationCompleted', (e) => e.opId === t2.opId);
    const editOp = await h.runtime.submitEditedMessage(id, t2.messageId, 'TWO');
    await log.waitFor('OperationCompleted', (e) => e.opId === editOp);
    const state = await h.runtime.getSessionState(id);
    const texts = state.messages.map((m) =>
      m.role === 'tool' ? '' : m.content.map((c) => (c.type === 'text' ? c.text : '')).join(''),
    );
    expect(texts).toEqual(['one', 'echo: one', 'TWO', 'echo: TWO']);
    expect(state.messageCount).toBe(6);
    await log.close();
  });

  it('direct bash runs without approval and records the output in the user message', async () => {
    const id = await h.runtime.createSession();
    const log = await EventLog.open(h.runtime, id);
    const opId = await h.runtime.executeBashCommand(id, 'echo direct; echo err >&2; exit 3');
    const updated = await log.waitFor('MessageUpdated');
    expect(updated.message.role).toBe('user');
    if (updated.message.role !== 'user') throw new Error('unreachable');
    expect(updated.message.content).toEqual([
      {
        type: 'command_execution',
        command: 'echo direct; echo err >&2; exit 3',
        stdout: 'direct\n',
        stderr: 'err\n',
        exitCode: 3,
      },
    ]);
    await log.waitFor('OperationCompleted', (e) => e.opId === opId);
    expect(log.of('ApprovalRequested')).toHaveLength(0);
    await log.close();
  });

  it('manual compaction summarises the thread and the next turn sees only the summary', async () => {
    const id = await h.runtime.createSession();
    const log = await EventLog.open(h.runtime, id);
    for (const text of ['a', 'b']) {
      const t = await h.runtime.submitUserInput(id, text);
      await log.waitFor('OperationCompleted', (e) => e.opId === t.opId);
    }
    const opId = await h.runtime.compactSession(id);
    const result = await log.waitFor('CompactResult');
    expect(result).toEqual({
      type: 'CompactResult',
      result: { type: 'Success', summary: 'summary of 4 messages' },
      trigger: 'Manual',
    });
    await log.waitFor('ConversationCompacted');
    await log.waitFor('OperationCompleted', (e) => e.opId === opId);
    const t = await h.runtime.submitUserInput(id, 'c');
    await log.waitFor('OperationCompleted', (e) => e.opId === t.opId);
    const state = await h.runtime.getSessionState(id);
    expect(
      state.messages.map((m) =>
        m.role === 'tool' ? '' : m.content.map((c) => (c.type === 'text' ? c.text : '')).join(''),
      ),
    ).toEqual(['summary of 4 messages', 'c', 'echo: c']);
    await log.close();
  });

  it('compaction with too few messages reports InsufficientMessages', async () => {
    const id = await h.runtime.createSession();
    const log = await EventLog.open(h.runtime, id);
    await h.runtime.compactSession(id);
    const result = await log.waitFor('CompactResult');
    expect(result.result).toEqual({ type: 'InsufficientMessages' });
    await log.close();
  });

  it('automatic compaction starts when usage crosses the threshold, then continues', async () => {
    await h.close();
    h = await startRuntime({ shards, providers: { simulated: { contextWindowTokens: 200 } } });
    const id = await h.runtime.createSession({ autoCompaction: { enabled: true, thresholdPercent: 50 } });
    const log = await EventLog.open(h.runtime, id);
    const t1 = await h.runtime.submitUserInput(id, 'short');
    await log.waitFor('OperationCompleted', (e) => e.opId === t1.opId);
    await h.runtime.submitUserInput(id, `${'word '.repeat(60)}\n/tokens 40`);
    const result = await log.waitFor('CompactResult');
    expect(result.trigger).toBe('Auto');
    expect(result.result.type).toBe('Success');
    await log.waitFor('ConversationCompacted');
    await log.close();
  });

  it('switching agent with a pending approval re-evaluates it (yolo approves and runs it)', async () => {
    const id = await h.runtime.createSession();
    const log = await EventLog.open(h.runtime, id);
    const { opId } = await h.runtime.submitUserInput(id, '/tool bash {"command":"echo switched"}');
    const asked = await log.waitFor('ApprovalRequested');
    await h.runtime.switchPrimaryAgent(id, 'yolo');
    const decided = await log.waitFor('ApprovalDecided');
    expect(decided).toMatchObject({ requestId: asked.requestId, decision: 'Approved' });
    const done = await log.waitFor('ToolCallCompleted');
    expect(done.result).toMatchObject({ stdout: 'switched\n' });
    await log.waitFor('OperationCompleted', (e) => e.opId === opId);
    const state = await h.runtime.getSessionState(id);
    expect(state.primaryAgentId).toBe('yolo');
    expect(state.pendingApproval).toBeNull();
    await log.close();
  });

  it('deltas add up to the final text', async () => {
    const id = await h.runtime.createSession();
    const log = await EventLog.open(h.runtime, id);
    const deltas = await h.runtime.subscribeDeltas(id);
    const got: StreamDelta[] = [];
    const reading = (async () => {
      for await (const d of deltas) {
        got.push(d);
        if (got.length > 10_000) break;
      }
    })();
    const { opId } = await h.runtime.submitUserInput(id, 'stream me\n/tokens 30');
    const reply = await log.waitFor('AssistantMessageAdded');
    await log.waitFor('OperationCompleted', (e) => e.opId === opId);
    // Deltas travel apart from events: wait until the whole reply has streamed, not for a fixed time.
    const streamed = () =>
      got
        .filter((d) => d.type === 'TextChunk' && d.messageId === reply.message.id)
        .map((d) => (d.type === 'TextChunk' ? d.delta : ''))
        .join('');
    await waitFor('every delta of the reply', () => streamed() === assistantText(reply));
    await deltas.close();
    await reading;
    const text = got
      .filter((d) => d.type === 'TextChunk' && d.messageId === reply.message.id)
      .map((d) => (d.type === 'TextChunk' ? d.delta : ''))
      .join('');
    expect(text).toBe(assistantText(reply));
    expect(text.startsWith('echo: stream me')).toBe(true);
    expect(got.every((d) => d.type !== 'TextChunk' || d.opId === opId)).toBe(true);
    await log.close();
  });

  it('tools refuse to leave the workspace', async () => {
    const id = await h.runtime.createSession({ primaryAgentId: 'yolo' });
    const log = await EventLog.open(h.runtime, id);
    const { opId } = await h.runtime.submitUserInput(
      id,
      '/tool read_file {"file_path":"../../../../../../etc/passwd"}\n/tool write_file {"file_path":"/tmp/shoal-escape.txt","content":"x"}',
    );
    await log.waitFor('OperationCompleted', (e) => e.opId === opId);
    const failed = log.of('ToolCallFailed');
    expect(failed).toHaveLength(2);
    await expect(readFile('/tmp/shoal-escape.txt')).rejects.toThrow();
    await log.close();
  });

  it('a model error is reported as an Error event and completes the operation', async () => {
    const id = await h.runtime.createSession();
    const log = await EventLog.open(h.runtime, id);
    const { opId } = await h.runtime.submitUserInput(id, '/error rate_limited slow down');
    const err = await log.waitFor('Error');
    expect(err.message).toContain('rate_limited');
    await log.waitFor('OperationCompleted', (e) => e.opId === opId);
    await log.close();
  });
});
