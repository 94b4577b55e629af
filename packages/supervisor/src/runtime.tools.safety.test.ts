import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sharedToolPool } from '@shoal/session-worker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assistantText, EventLog, type Harness, startRuntime } from './test-support/harness.js';

/*
 * Red-team reproduction through the whole runtime: `grep` is pre-approved, so a model can send it a
 * pattern that backtracks for hours on a JavaScript RegExp. On the shard's thread that stalled every
 * session of the shard; run on the tool pool with a linear-time engine it neither stalls others nor takes
 * long. One shard (or none) puts both sessions on the same thread.
 */
describe.each([0, 1])('a pathological grep on a shard (shards: %i)', (shards) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startRuntime({ shards });
  });
  afterEach(async () => {
    await h.close();
  });

  it('completes, and another session on the same shard runs its turn meanwhile', async () => {
    const victim = await h.runtime.createSession({ primaryAgentId: 'yolo' });
    const bystander = await h.runtime.createSession();
    const ws = join(h.dataDir, 'workspaces', victim);
    await mkdir(ws, { recursive: true });
    await writeFile(join(ws, 'evil.txt'), `${'a'.repeat(64)}!\n`.repeat(100));
    const victimLog = await EventLog.open(h.runtime, victim);
    const bystanderLog = await EventLog.open(h.runtime, bystander);

    const poolTasksBefore = sharedToolPool().stats.completed;
    await h.runtime.submitUserInput(victim, '/tool grep {"pattern":"^(a+)+$"}');
    await victimLog.waitFor('ToolCallStarted');
    const { opId } = await h.runtime.submitUserInput(bystander, 'still here?');
    const reply = await bystanderLog.waitFor('AssistantMessageAdded', undefined, 20_000);
    expect(assistantText(reply)).toBe('echo: still here?');
    await bystanderLog.waitFor('OperationCompleted', (e) => e.opId === opId, 20_000);

    const done = await victimLog.waitFor('ToolCallCompleted', undefined, 20_000);
    expect(done.result).toMatchObject({ type: 'Search', matches: [], totalFilesSearched: 1 });
    // It ran on the process's one pool, here on the main thread, also when the session lives on a worker.
    expect(sharedToolPool().stats.completed).toBe(poolTasksBefore + 1);
    await victimLog.close();
    await bystanderLog.close();
  });
});
