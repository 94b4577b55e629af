import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { shardOf } from '@shoal/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { RuntimeError } from './errors/runtime-error.js';
import { type Harness, startRuntime, tempDir } from './test-support/harness.js';
import { waitFor } from './test-support/wait-for.js';

/** A fresh session id that `shardOf` places on `shard` of `count`. */
function idOnShard(shard: number, count: number): string {
  for (;;) {
    const id = randomUUID();
    if (shardOf(id, count) === shard) return id;
  }
}

describe('Runtime.inspectShard: one typed control plane per shard', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  for (const shards of [0, 2] as const) {
    it(`serves stats, resident sessions, heap and log level (shards: ${shards})`, async () => {
      h = await startRuntime({ shards });
      const rt = h.runtime;
      const count = rt.shardCount;
      const ids = await Promise.all(Array.from({ length: 6 }, () => rt.createSession()));
      const stats = await rt.shardStats();
      expect(stats.map((s) => s.shard)).toEqual([...Array(count).keys()]);
      expect(stats.reduce((n, s) => n + s.residentSessions, 0)).toBe(ids.length);
      for (const s of stats) {
        expect(s).toMatchObject({ pendingCommands: 0, pendingStoreCalls: 0, logLevel: 'silent' });
        expect(s.memory.heapUsed).toBeGreaterThan(0);
        expect(s.eventLoop.utilization).toBeGreaterThanOrEqual(0);
      }
      // Worker shards answer from threads of their own; an in-process shard from this one.
      const threads = stats.map((s) => s.threadId);
      if (shards === 0) expect(threads).toEqual([threadId]);
      else {
        expect(new Set(threads).size).toBe(count);
        expect(threads).not.toContain(threadId);
      }

      for (let i = 0; i < count; i++) {
        const inspection = rt.inspectShard(i);
        const resident = (await inspection.residentSessions()).map((r) => r.sessionId).sort();
        expect(resident).toEqual(ids.filter((id) => shardOf(id, count) === i).sort());
        const heap = await inspection.heap({ collectGarbage: true });
        expect(heap).toMatchObject({ shard: i, threadId: threads[i] });
        expect(heap.statistics.used_heap_size).toBeGreaterThan(0);
        await inspection.setLogLevel('debug');
        expect((await inspection.stats()).logLevel).toBe('debug');
      }
      await rt.suspendSession(ids[0]!);
      const shard0 = shardOf(ids[0]!, count);
      const after = await rt.inspectShard(shard0).residentSessions();
      expect(after.map((r) => r.sessionId)).not.toContain(ids[0]);
    });
  }

  it('checks its arguments before anything travels', async () => {
    h = await startRuntime({ shards: 2 });
    const rt = h.runtime;
    for (const index of [-1, 2, 0.5, Number.NaN, '0' as unknown as number]) {
      expect(() => rt.inspectShard(index)).toThrow(RuntimeError);
    }
    const inspection = rt.inspectShard(1);
    await expect(inspection.setLogLevel('loud' as 'info')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      kind: 'Validation',
    });
    await expect(inspection.chaos('melt' as 'exit')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      inspection.heap({ collectGarbage: 1 } as unknown as { collectGarbage: boolean }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', kind: 'Validation' });
    expect((await inspection.stats()).logLevel).toBe('silent');
  });

  it('refuses fault injection when the shard shares the caller’s thread (shards: 0)', async () => {
    h = await startRuntime({ shards: 0 });
    await expect(h.runtime.inspectShard(0).chaos('exit')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect((await h.runtime.inspectShard(0).stats()).shard).toBe(0);
  });

  for (const how of ['exit', 'throw'] as const) {
    it(`after a worker dies (${how}) the same inspection reaches its replacement`, async () => {
      h = await startRuntime({ shards: 2 });
      const rt = h.runtime;
      const inspection = rt.inspectShard(1);
      const id = idOnShard(1, 2);
      const before = await inspection.stats();
      await inspection.setLogLevel('warn');
      await inspection.chaos(how);
      // Calls made while the thread dies fail with SESSION or wait for the new thread; none hangs.
      const next = await waitFor('the replacement thread to answer', async () => {
        try {
          const s = await inspection.stats();
          return s.threadId !== before.threadId ? s : undefined;
        } catch (err) {
          expect(err).toMatchObject({ code: 'SESSION' });
          return undefined;
        }
      });
      expect(next).toMatchObject({ shard: 1, residentSessions: 0, logLevel: 'silent' });
      // The new thread serves commands and the inspection sees their sessions.
      await expect(rt.getSessionState(id)).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
      const created = await rt.createSession();
      const onShard1 = shardOf(created, 2) === 1;
      const resident = (await inspection.residentSessions()).map((r) => r.sessionId);
      expect(resident.includes(created)).toBe(onShard1);
      // The other shard never noticed.
      expect((await rt.inspectShard(0).stats()).threadId).not.toBe(next.threadId);
    });
  }

  it('after shutdown every inspection call rejects with SHUTTING_DOWN instead of hanging', async () => {
    const local = await startRuntime({ shards: 1 });
    const inspection = local.runtime.inspectShard(0);
    await local.close();
    await expect(inspection.stats()).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await expect(local.runtime.shardStats()).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  });

  it('a log level change reaches the worker thread’s logger and its sessions’ loggers', async () => {
    const dataDir = await tempDir();
    const script = join(dataDir, 'log-level-child.mjs');
    const dist = new URL('../dist/index.js', import.meta.url).pathname;
    const ids = { quiet: idOnShard(1, 2), loud: idOnShard(1, 2), otherShard: idOnShard(0, 2) };
    // Resuming an unknown session logs `session not found` at debug level on that session's logger.
    await writeFile(
      script,
      `import { Runtime } from ${JSON.stringify(dist)};
const ids = ${JSON.stringify(ids)};
const rt = await Runtime.start({ dataDir: ${JSON.stringify(dataDir)}, logLevel: 'info', shards: 2, store: 'memory' });
await rt.getSessionState(ids.quiet).catch(() => {});
await rt.inspectShard(1).setLogLevel('debug');
await rt.getSessionState(ids.loud).catch(() => {});
await rt.getSessionState(ids.otherShard).catch(() => {});
await rt.shutdown();
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const code = await new Promise((r) => child.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
    expect(code).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const about = (id: string) => lines.filter((l) => l.sessionId === id);
    expect(about(ids.loud)).toEqual([
      expect.objectContaining({ level: 20, shard: 1, msg: 'session not found' }),
    ]);
    expect(about(ids.quiet)).toEqual([]);
    expect(about(ids.otherShard)).toEqual([]);
  });
});
