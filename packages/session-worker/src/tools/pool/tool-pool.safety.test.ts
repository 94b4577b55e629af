import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempWorkspace } from '../test-support/temp-workspace.js';
import { eventually } from '../test-support/wait.js';
import { ToolFailure } from '../tool-failure.js';
import { ToolPool } from './tool-pool.js';
import type { GrepTask } from './tool-task.js';

const temp = useTempWorkspace();
const spinModule = path.resolve(import.meta.dirname, '../test-support/spin-task.mjs');
const pools: ToolPool[] = [];
const newPool = (options: ConstructorParameters<typeof ToolPool>[0]): ToolPool => {
  const pool = new ToolPool({ filename: spinModule, ...options });
  pools.push(pool);
  return pool;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

const grepTask = (ws: string, pattern: string): GrepTask => ({
  kind: 'grep',
  root: ws,
  base: ws,
  baseIsFile: false,
  pattern,
});
const failureOf = (p: Promise<unknown>): Promise<ToolFailure> =>
  p.then(
    (v) => Promise.reject(new Error(`expected a failure, got ${JSON.stringify(v)}`)),
    (e: unknown) => (e instanceof ToolFailure ? e : Promise.reject(e)),
  );
/** Waits until a SPIN task runs (it wrote `spinning`) on the pool's only thread, and returns that thread. */
async function busyThread(pool: ToolPool, ws: string): Promise<Worker> {
  await eventually(() => expect(existsSync(path.join(ws, 'spinning'))).toBe(true));
  const [thread] = pool.threads;
  if (!thread) throw new Error('a task runs, yet the pool has no thread');
  return thread;
}

describe('tool pool: a task that never ends', () => {
  it('leaves the calling thread and the other pool threads free: another tool task completes meanwhile', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'a.txt'), 'needle\n');
    const pool = newPool({ maxThreads: 2 });
    const ac = new AbortController();
    const stuck = failureOf(pool.run(grepTask(ws, 'SPIN'), ac.signal));
    await busyThread(pool, ws);
    const other = await pool.run(grepTask(ws, 'needle'), new AbortController().signal);
    expect(other.matches.map((m) => m.filePath)).toEqual(['a.txt']);
    ac.abort();
    expect((await stuck).code).toBe('CANCELLED');
  });

  it('cancel rejects at once and terminates the thread running the task', async () => {
    const { ws } = await temp();
    const pool = newPool({ maxThreads: 1 });
    const ac = new AbortController();
    const stuck = failureOf(pool.run(grepTask(ws, 'SPIN'), ac.signal));
    const thread = await busyThread(pool, ws);
    const exited = once(thread, 'exit');
    ac.abort();
    expect((await stuck).code).toBe('CANCELLED');
    await exited; // the busy loop is gone, not left burning a core
    expect(pool.stats).toMatchObject({ admitted: 0, terminated: 1 });
    // The pool replaces the thread: the next task runs.
    const next = await pool.run(grepTask(ws, 'x'), new AbortController().signal);
    expect(next.searchCompleted).toBe(true);
  });

  it('a spent time budget is a TIMEOUT failure, and the task no longer holds a thread', async () => {
    const { ws } = await temp();
    const pool = newPool({ maxThreads: 1 });
    // A short budget for the task that never ends (queued or running when it is spent, either way it
    // must be stopped); the pool's one thread must then be free for the next task.
    const stuck = await failureOf(pool.run(grepTask(ws, 'SPIN'), new AbortController().signal, 300));
    expect(stuck.code).toBe('TIMEOUT');
    expect(stuck.message).toMatch(/timed out/);
    expect((await pool.run(grepTask(ws, 'x'), new AbortController().signal)).kind).toBe('grep');
    expect(pool.stats).toMatchObject({ admitted: 0, terminated: 1 });
  });

  it('a full queue refuses more work with TOOL_POOL_BUSY (backpressure), and frees up again', async () => {
    const { ws } = await temp();
    const pool = newPool({ maxThreads: 1, maxQueue: 2 });
    const ac = new AbortController();
    const admitted = [0, 1, 2].map(() => failureOf(pool.run(grepTask(ws, 'SPIN'), ac.signal)));
    const refused = await failureOf(pool.run(grepTask(ws, 'x'), new AbortController().signal));
    expect(refused.code).toBe('TOOL_POOL_BUSY');
    expect(refused.message).toMatch(/busy/);
    ac.abort();
    for (const f of await Promise.all(admitted)) expect(f.code).toBe('CANCELLED');
    expect((await pool.run(grepTask(ws, 'x'), new AbortController().signal)).kind).toBe('grep');
  });

  it('an already-aborted signal never reaches a thread', async () => {
    const { ws } = await temp();
    const pool = newPool({ maxThreads: 1 });
    const ac = new AbortController();
    ac.abort();
    expect((await failureOf(pool.run(grepTask(ws, 'SPIN'), ac.signal))).code).toBe('CANCELLED');
    expect(pool.threads).toEqual([]);
  });
});
