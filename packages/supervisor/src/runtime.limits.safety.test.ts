import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Runtime } from './runtime.js';
import { EventLog, type Harness, startRuntime, tempDir } from './test-support/harness.js';

const MiB = 1024 * 1024;

describe('size limits (RuntimeOptions.limits)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('refuses a 50 MB input with INVALID_INPUT/Validation naming maxInputBytes; nothing is stored', async () => {
    h = await startRuntime({ shards: 1 });
    const rt = h.runtime;
    const id = await rt.createSession();
    const before = (await rt.loadEventsAfter(id, -1)).length;
    const huge = 'x'.repeat(50 * MiB);
    for (const attempt of [
      () => rt.submitUserInput(id, huge),
      () => rt.submitUserInput(id, [{ type: 'text', text: huge }]),
      () => rt.submitEditedMessage(id, 'm1', huge),
      () => rt.executeBashCommand(id, `echo ${huge}`),
      () => rt.dispatchAction(id, { type: 'SwitchPrimaryAgent', sessionId: id, agentId: huge }),
      () => rt.createSession({ systemPrompt: huge }),
    ]) {
      const err = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'INVALID_INPUT', kind: 'Validation' });
      expect((err as { details: unknown[] }).details[0]).toMatchObject({
        code: 'too_big',
        limit: 'maxInputBytes',
        maximum: MiB,
      });
    }
    expect((await rt.loadEventsAfter(id, -1)).length).toBe(before);
    // The shard is untouched: a normal turn still runs.
    const log = await EventLog.open(rt, id);
    const { opId } = await rt.submitUserInput(id, 'x'.repeat(MiB - 64));
    await log.waitFor('OperationCompleted', (e) => e.opId === opId, 30_000);
    await log.close();
  });

  it('counts UTF-8 bytes and honours a configured maxInputBytes', async () => {
    h = await startRuntime({ limits: { maxInputBytes: 100 } });
    const id = await h.runtime.createSession();
    await h.runtime.submitUserInput(id, 'é'.repeat(40)); // 80 bytes
    await expect(h.runtime.submitUserInput(id, 'é'.repeat(60))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      kind: 'Validation',
      details: [expect.objectContaining({ limit: 'maxInputBytes', maximum: 100, path: ['content'] })],
    });
  });

  it('the simulated model cannot produce an unbounded message: /tokens 130000000 ends the turn', async () => {
    h = await startRuntime({ shards: 1 });
    const id = await h.runtime.createSession();
    const log = await EventLog.open(h.runtime, id);
    const { opId } = await h.runtime.submitUserInput(id, '/tokens 130000000');
    const error = await log.waitFor('Error', () => true, 30_000);
    expect(error.message).toContain('invalid_request');
    await log.waitFor('OperationCompleted', (e) => e.opId === opId, 30_000);
    expect(log.of('AssistantMessageAdded')).toEqual([]);
    const stored = JSON.stringify(await h.runtime.loadEventsAfter(id, -1));
    expect(stored.length).toBeLessThan(64 * 1024);
    await log.close();
  });

  it('a model reply over maxMessageBytes ends its turn with a model error and is not stored', async () => {
    h = await startRuntime({ shards: 1, limits: { maxMessageBytes: 2000 } });
    const id = await h.runtime.createSession();
    const log = await EventLog.open(h.runtime, id);
    const { opId } = await h.runtime.submitUserInput(id, 'long reply\n/tokens 1000');
    const error = await log.waitFor('Error', () => true, 30_000);
    expect(error.message).toContain('maxMessageBytes (2000 bytes)');
    await log.waitFor('OperationCompleted', (e) => e.opId === opId, 30_000);
    expect(log.of('AssistantMessageAdded')).toEqual([]);
    // A reply under the cap is stored as usual.
    const ok = await h.runtime.submitUserInput(id, 'short reply\n/tokens 10');
    await log.waitFor('OperationCompleted', (e) => e.opId === ok.opId, 30_000);
    expect(log.of('AssistantMessageAdded')).toHaveLength(1);
    await log.close();
  });

  it('a tool result over maxToolOutputBytes becomes a tool error naming the limit', async () => {
    h = await startRuntime({ shards: 1, limits: { maxToolOutputBytes: 1000 } });
    const id = await h.runtime.createSession();
    const workspace = join(h.dataDir, 'workspaces', id);
    await mkdir(workspace, { recursive: true });
    await writeFile(join(workspace, 'big.txt'), 'y'.repeat(10_000));
    const log = await EventLog.open(h.runtime, id);
    const { opId } = await h.runtime.submitUserInput(id, '/tool read_file {"file_path":"big.txt"}');
    const failed = await log.waitFor('ToolCallFailed', () => true, 30_000);
    expect(failed.error).toContain('maxToolOutputBytes (1000 bytes)');
    await log.waitFor('OperationCompleted', (e) => e.opId === opId, 30_000);
    expect(JSON.stringify(log.events)).not.toContain('y'.repeat(1000));
    await log.close();
  });

  it('refuses limits that could not all fit in one event', async () => {
    const dataDir = await tempDir();
    try {
      await expect(
        Runtime.start({ dataDir, store: 'memory', logLevel: 'silent', limits: { maxEventBytes: 1000 } }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT', kind: 'Validation' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
