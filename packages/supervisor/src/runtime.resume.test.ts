import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { Runtime } from './runtime.js';
import {
  assistantText,
  EventLog,
  type Harness,
  SHARD_MODES,
  startRuntime,
  tempDir,
} from './test-support/harness.js';
import { waitFor } from './test-support/wait-for.js';

const PNG = {
  mimeType: 'image/png',
  source: { type: 'data_url' as const, dataUrl: 'data:image/png;base64,AAAA' },
};

describe.each(SHARD_MODES)('Runtime resume (shards: %i)', (shards) => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('resumes a suspended session with its history and keeps appending in sequence', async () => {
    h = await startRuntime({ shards });
    const rt = h.runtime;
    const id = await rt.createSession();
    const log = await EventLog.open(rt, id);
    const t = await rt.submitUserInput(id, 'before');
    await log.waitFor('OperationCompleted', (e) => e.opId === t.opId);
    await log.waitFor('SessionConfigUpdated'); // the title, which may land after the turn completes
    await log.close();
    const before = await rt.getSessionState(id);
    await rt.suspendSession(id);
    expect(await rt.isSessionActive(id)).toBe(false);
    const after = await rt.getSessionState(id); // resume on demand
    expect(await rt.isSessionActive(id)).toBe(true);
    expect(after.messages).toEqual(before.messages);
    expect(after.eventSequence).toBe(before.eventSequence);
    const log2 = await EventLog.open(rt, id);
    const t2 = await rt.submitUserInput(id, 'after');
    await log2.waitFor('OperationCompleted', (e) => e.opId === t2.opId);
    const all = await rt.loadEventsAfter(id, -1);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i));
    await log2.close();
  });

  it('resumes from a snapshot plus the tail after a restart', async () => {
    const dataDir = await tempDir();
    let rt = await Runtime.start({ dataDir, shards, logLevel: 'silent', snapshotEveryEvents: 5 });
    const id = await rt.createSession();
    const log = await EventLog.open(rt, id);
    for (let i = 0; i < 4; i++) {
      const t = await rt.submitUserInput(id, `turn ${i}`);
      await log.waitFor('OperationCompleted', (e) => e.opId === t.opId);
    }
    await log.waitFor('SessionConfigUpdated');
    await log.close();
    const before = await rt.getSessionState(id);
    await rt.suspendSession(id); // writes a snapshot (more than 5 events since the last)
    expect(await rt.eventStore.loadLatestSnapshot(id)).not.toBeNull();
    await rt.shutdown();
    rt = await Runtime.start({ dataDir, shards, logLevel: 'silent' });
    h = { runtime: rt, dataDir, close: async () => rt.shutdown() };
    const after = await rt.getSessionState(id);
    expect(after.messages).toEqual(before.messages);
    expect(after.title).toBe(before.title);
    expect(after.usageTotals).toEqual(before.usageTotals);
    expect(after.eventSequence).toBe(before.eventSequence);
  });

  it('suspending a busy session cancels its work, keeps its queue exactly, and resume drains it', async () => {
    h = await startRuntime({ shards });
    const rt = h.runtime;
    const id = await rt.createSession();
    const busy = await rt.submitUserInput(id, '/sleep 20000');
    const queued = await rt.submitUserInput(id, [
      { type: 'text', text: 'look at this' },
      { type: 'image', image: PNG },
    ]);
    await rt.suspendSession(id);
    const stored = await rt.loadEventsAfter(id, -1);
    const cancel = stored.find((e) => e.event.type === 'OperationCancelled');
    expect(cancel?.event).toMatchObject({ opId: busy.opId, reason: 'suspended' });
    const log = await EventLog.open(rt, id); // resumes and drains the queue
    const started = await log.waitFor('UserMessageAdded', (e) => e.message.id === queued.messageId);
    // Deliberate change 5: the image survived the queue, suspend and replay.
    expect(started.message.content).toEqual([
      { type: 'text', text: 'look at this' },
      { type: 'image', image: PNG },
    ]);
    await log.waitFor('OperationCompleted', (e) => e.opId === queued.opId);
    await log.close();
  });

  it('closes a turn interrupted by a killed process as cancelled on resume', async () => {
    const dataDir = await tempDir();
    const script = join(dataDir, 'child.mjs');
    const dist = new URL('../dist/index.js', import.meta.url).pathname;
    await writeFile(
      script,
      `import { Runtime } from ${JSON.stringify(dist)};
const rt = await Runtime.start({ dataDir: ${JSON.stringify(dataDir)}, logLevel: 'silent', shards: ${shards} });
const id = await rt.createSession({ primaryAgentId: 'yolo' });
const sub = await rt.subscribeEvents(id);
await rt.submitUserInput(id, '/tool bash {"command":"sleep 3"}');
for await (const e of sub) if (e.event.type === 'ToolCallStarted') break;
process.stdout.write(id + '\\n');
setInterval(() => {}, 1000);
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const id = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const rt = await Runtime.start({ dataDir, shards, logLevel: 'silent' });
    h = { runtime: rt, dataDir, close: async () => rt.shutdown() };
    const state = await rt.getSessionState(id);
    expect(state.currentOperation).toBeNull();
    const events = (await rt.loadEventsAfter(id, -1)).map((e) => e.event);
    const cancelled = events.find((e) => e.type === 'OperationCancelled');
    expect(cancelled).toMatchObject({ reason: 'interrupted' });
    const toolMsg = events.filter((e) => e.type === 'ToolMessageAdded').at(-1);
    expect(toolMsg).toMatchObject({
      message: { result: { type: 'Error', error: { type: 'Cancelled', toolName: 'bash' } } },
    });
    // The conversation is well-formed again: a new turn runs normally.
    const log = await EventLog.open(rt, id);
    const t = await rt.submitUserInput(id, 'carry on');
    const reply = await log.waitFor('AssistantMessageAdded');
    expect(assistantText(reply)).toBe('echo: carry on');
    await log.waitFor('OperationCompleted', (e) => e.opId === t.opId);
    await log.close();
  });

  it('passivates idle sessions with no subscribers', async () => {
    h = await startRuntime({ shards, idleTimeoutMs: 50 });
    const rt = h.runtime;
    const id = await rt.createSession();
    const watched = await rt.createSession();
    const sub = await rt.subscribeEvents(watched);
    await waitFor('the idle session to be passivated', async () => !(await rt.isSessionActive(id)));
    expect(await rt.isSessionActive(watched)).toBe(true);
    await sub.close();
    expect((await rt.getSessionState(id)).sessionId).toBe(id);
  });
});
