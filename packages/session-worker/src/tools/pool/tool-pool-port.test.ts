import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { MessageChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { grepTool } from '../grep.js';
import { ctxFor, useTempWorkspace } from '../test-support/temp-workspace.js';
import { eventually } from '../test-support/wait.js';
import { ToolExecutor } from '../tool-executor.js';
import { ToolFailure } from '../tool-failure.js';
import { ToolPool } from './tool-pool.js';
import { PortToolRunner, serveToolPool } from './tool-pool-port.js';
import type { GrepTask, ToolTaskRunner } from './tool-task.js';

const temp = useTempWorkspace();
const spinModule = path.resolve(import.meta.dirname, '../test-support/spin-task.mjs');
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

/** A pool behind a port, as a worker shard sees it (both ends on this thread: the protocol is the same). */
function portedPool(): { pool: ToolPool; runner: PortToolRunner; close: () => void } {
  const pool = new ToolPool({ filename: spinModule, maxThreads: 1 });
  const { port1, port2 } = new MessageChannel();
  serveToolPool(port1, pool);
  const runner = new PortToolRunner(port2);
  cleanup.push(
    () => pool.close(),
    () => port2.close(),
  );
  return { pool, runner, close: () => port2.close() };
}
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

describe('tool pool over a port', () => {
  it('runs a task and carries its ToolFailure code back', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'a.txt'), 'hit\n');
    const { runner } = portedPool();
    const r = await runner.run(grepTask(ws, 'hit'), new AbortController().signal);
    expect(r.matches).toEqual([
      { filePath: 'a.txt', lineNumber: 1, lineContent: 'hit', columnRange: [0, 3] },
    ]);
    expect((await failureOf(runner.run(grepTask(ws, '('), new AbortController().signal))).code).toBe(
      'INVALID_PATTERN',
    );
  });

  it('cancel answers at once and terminates the task on the pool', async () => {
    const { ws } = await temp();
    const { pool, runner } = portedPool();
    const ac = new AbortController();
    const stuck = failureOf(runner.run(grepTask(ws, 'SPIN'), ac.signal));
    await eventually(() => expect(existsSync(path.join(ws, 'spinning'))).toBe(true));
    const [thread] = pool.threads;
    const exited = once(thread!, 'exit');
    ac.abort();
    expect((await stuck).code).toBe('CANCELLED');
    await exited;
  });

  it('a shard that goes away (its port closes) has its tasks stopped on the pool', async () => {
    const { ws } = await temp();
    const { pool, runner, close } = portedPool();
    const stuck = failureOf(runner.run(grepTask(ws, 'SPIN'), new AbortController().signal));
    await eventually(() => expect(existsSync(path.join(ws, 'spinning'))).toBe(true));
    const exited = once(pool.threads[0]!, 'exit');
    close();
    expect((await stuck).message).toMatch(/tool pool is gone/);
    await exited;
    await expect(runner.run(grepTask(ws, 'x'), new AbortController().signal)).rejects.toThrow(/gone/);
  });
});

describe('tool pool over a port: liveness', () => {
  it('a request in flight keeps the thread alive until it is answered (an idle line does not)', async () => {
    const { ws } = await temp();
    await writeFile(path.join(ws, 'a.txt'), 'hit\n');
    const dist = path.resolve(import.meta.dirname, '../../../dist/tools/pool');
    // Nothing but the port line keeps this script's event loop busy while it awaits the answer.
    const script = `
      import { MessageChannel } from 'node:worker_threads';
      import { ToolPool } from '${dist}/tool-pool.js';
      import { PortToolRunner, serveToolPool } from '${dist}/tool-pool-port.js';
      const { port1, port2 } = new MessageChannel();
      serveToolPool(port1, new ToolPool());
      const r = await new PortToolRunner(port2).run(
        { kind: 'grep', root: ${JSON.stringify(ws)}, base: ${JSON.stringify(ws)}, baseIsFile: false, pattern: 'hit' },
        new AbortController().signal,
      );
      console.log('answered', r.matches.length);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    expect(stdout).toBe('answered 1\n'); // and the process exited by itself: the idle line let it go
  });
});

describe('tool executor and the pool', () => {
  it('a TIMEOUT failure is the §1.7 Timeout error', async () => {
    const { ws } = await temp();
    const timingOut: ToolTaskRunner = {
      run: () => Promise.reject(new ToolFailure('TIMEOUT', 'grep timed out after 1 ms')),
    };
    const o = await new ToolExecutor([grepTool(timingOut)]).execute(
      { id: 'g', name: 'grep', parameters: { pattern: 'x' } },
      ctxFor(ws),
    );
    expect(o).toEqual({ ok: false, error: { type: 'Timeout', toolName: 'grep' } });
  });

  it('a busy pool is an Execution error saying so', async () => {
    const { ws } = await temp();
    const busy: ToolTaskRunner = {
      run: () => Promise.reject(new ToolFailure('TOOL_POOL_BUSY', 'grep: the tool pool is busy')),
    };
    const o = await new ToolExecutor([grepTool(busy)]).execute(
      { id: 'g', name: 'grep', parameters: { pattern: 'x' } },
      ctxFor(ws),
    );
    expect(o).toEqual({
      ok: false,
      error: { type: 'Execution', toolName: 'grep', message: 'grep: the tool pool is busy' },
    });
  });
});
