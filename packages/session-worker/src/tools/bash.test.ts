import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ToolOutcome, ToolResult } from '@shoal/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { bashTool } from './bash.js';
import type { GroupProcessLauncher } from './spawn/group-process.js';
import { SpawnHelper, SpawnHelperError } from './spawn/spawn-helper.js';
import { isAlive } from './test-support/process-alive.js';
import { ctxFor, useTempWorkspace } from './test-support/temp-workspace.js';
import { eventually } from './test-support/wait.js';
import { ToolExecutor } from './tool-executor.js';

const temp = useTempWorkspace();
const helper = new SpawnHelper();
afterAll(() => helper.close());
const bashResult = (o: ToolOutcome): Extract<ToolResult, { type: 'Bash' }> => {
  if (!o.ok || o.value.type !== 'Bash') throw new Error(`expected a Bash result, got ${JSON.stringify(o)}`);
  return o.value;
};
const pidsIn = (stdout: string): number[] =>
  stdout
    .split('\n')
    .filter((l) => /^\d+$/.test(l))
    .map(Number);

// Every behaviour holds for both ways of starting the process: forking this process, or the spawn helper.
const launchers = [
  { name: 'spawned here', launcher: undefined },
  { name: 'spawn helper', launcher: helper.launch },
] as const;

describe.each(launchers)('bash tool ($name)', ({ launcher }) => {
  const executor = new ToolExecutor([bashTool({ killGraceMs: 200, ...(launcher ? { launcher } : {}) })]);
  const bash = (ws: string, command: string, timeout?: number, signal?: AbortSignal): Promise<ToolOutcome> =>
    executor.execute(
      { id: 't1', name: 'bash', parameters: timeout === undefined ? { command } : { command, timeout } },
      ctxFor(ws, signal),
    );

  it('reports stdout, stderr and exit code, running in the workspace', async () => {
    const { ws } = await temp();
    const r = bashResult(await bash(ws, 'pwd; echo oops >&2; exit 3'));
    expect(r).toMatchObject({ command: 'pwd; echo oops >&2; exit 3', exitCode: 3, timedOut: false });
    expect(r.stdout).toBe(`${ws}\n`);
    expect(r.stderr).toBe('oops\n');
  });

  it('exit code 0 and files written land in the workspace', async () => {
    const { ws } = await temp();
    const r = bashResult(await bash(ws, 'echo hi > out.txt && cat out.txt'));
    expect(r).toMatchObject({ exitCode: 0, stdout: 'hi\n', stderr: '' });
    expect(await readFile(path.join(ws, 'out.txt'), 'utf8')).toBe('hi\n');
  });

  it('does not wait on stdin', async () => {
    const { ws } = await temp();
    expect(bashResult(await bash(ws, 'cat; echo end')).stdout).toBe('end\n');
  });

  it('at the timeout kills the whole process group and reports timedOut', async () => {
    const { ws } = await temp();
    const r = bashResult(await bash(ws, 'sleep 100 & echo $!; sleep 100 & echo $!; wait', 1000));
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).not.toBe(0);
    const pids = pidsIn(r.stdout);
    expect(pids).toHaveLength(2);
    await eventually(() => expect(pids.filter(isAlive)).toEqual([]));
  });

  it('cancellation kills the whole process group and yields Cancelled', async () => {
    const { ws } = await temp();
    const ac = new AbortController();
    const pending = bash(
      ws,
      'sleep 100 & echo $! >> pids; sleep 100 & echo $! >> pids; wait',
      undefined,
      ac.signal,
    );
    const pidFile = path.join(ws, 'pids');
    let pids: number[] = [];
    await eventually(async () => {
      pids = pidsIn(await readFile(pidFile, 'utf8').catch(() => ''));
      expect(pids).toHaveLength(2);
    });
    expect(pids.every(isAlive)).toBe(true);
    ac.abort();
    expect(await pending).toEqual({ ok: false, error: { type: 'Cancelled', toolName: 'bash' } });
    await eventually(() => expect(pids.filter(isAlive)).toEqual([]));
  });

  it('an already-aborted call never runs', async () => {
    const { ws } = await temp();
    const ac = new AbortController();
    ac.abort();
    expect(await bash(ws, 'touch ran', undefined, ac.signal)).toEqual({
      ok: false,
      error: { type: 'Cancelled', toolName: 'bash' },
    });
    await expect(readFile(path.join(ws, 'ran'))).rejects.toThrow();
  });

  it('processes left in the group are killed when the shell exits', async () => {
    const { ws } = await temp();
    const r = bashResult(await bash(ws, 'sleep 100 & echo $!'));
    const [pid] = pidsIn(r.stdout);
    expect(pid).toBeDefined();
    await eventually(() => expect(isAlive(pid!)).toBe(false));
  });

  it('caps huge output to the §1.6 budgets, keeping head and tail', async () => {
    const { ws } = await temp();
    const r = bashResult(await bash(ws, 'yes | head -c 50000000; yes e | head -c 5000000 >&2'));
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBeLessThanOrEqual(128 * 1024 + 200);
    expect(r.stderr.length).toBeLessThanOrEqual(64 * 1024 + 200);
    expect(r.stdout.startsWith('y\ny\n')).toBe(true);
    expect(r.stdout).toContain('output truncated');

    const s = bashResult(await bash(ws, 'seq 1 3000000'));
    const lines = s.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['1', '2', '3']);
    expect(lines.at(-2)).toBe('3000000');
    expect(lines.length).toBeLessThanOrEqual(2000 + 3);
  });

  it('rejects a timeout above the maximum as InvalidParams', async () => {
    const { ws } = await temp();
    const o = await bash(ws, 'true', 10_000_000);
    expect(o.ok).toBe(false);
    expect(!o.ok && o.error.type).toBe('InvalidParams');
  });
});

describe('bash tool: a shell that cannot start', () => {
  const failing = (launcher: GroupProcessLauncher) =>
    new ToolExecutor([bashTool({ launcher })]).execute(
      { id: 't1', name: 'bash', parameters: { command: 'true' } },
      ctxFor('/tmp'),
    );

  it('is an Execution error naming the cause, when the launch fails', async () => {
    const o = await failing(() => ({
      pid: undefined,
      done: Promise.reject(new SpawnHelperError('spawn /bin/bash EAGAIN', 'EAGAIN')),
      kill: () => {},
    }));
    expect(o).toEqual({
      ok: false,
      error: { type: 'Execution', toolName: 'bash', message: 'could not run bash: spawn /bin/bash EAGAIN' },
    });
  });

  it('is an Execution error when spawn refuses the arguments outright', async () => {
    const o = await failing(() => {
      throw new TypeError('The argument contains null bytes');
    });
    expect(o).toMatchObject({ ok: false, error: { type: 'Execution', message: /null bytes/ } });
  });
});
