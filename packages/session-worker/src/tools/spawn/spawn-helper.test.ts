import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../test-support/process-alive.js';
import { useTempWorkspace } from '../test-support/temp-workspace.js';
import { eventually } from '../test-support/wait.js';
import { SpawnHelper, SpawnHelperError } from './spawn-helper.js';

const temp = useTempWorkspace();
const helpers: SpawnHelper[] = [];
const newHelper = (): SpawnHelper => {
  const h = new SpawnHelper();
  helpers.push(h);
  return h;
};
afterEach(() => {
  for (const h of helpers.splice(0)) h.close();
});
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

/** Starts `sleep 100` twice in the group, writing their pids to `pids`, and waits until both are up. */
async function startSleepers(helper: SpawnHelper, ws: string) {
  const run = helper.launch({
    command: 'sleep 100 & echo $! >> pids; sleep 100 & echo $! >> pids; wait',
    cwd: ws,
    env,
  });
  run.done.catch(() => {}); // each test awaits the rejection itself
  let pids: number[] = [];
  await eventually(async () => {
    const text = await readFile(path.join(ws, 'pids'), 'utf8').catch(() => '');
    pids = text.split('\n').filter(Boolean).map(Number);
    expect(pids).toHaveLength(2);
  });
  expect(pids.every(isAlive)).toBe(true);
  // The helper reports a run's pid right after spawning it; that report may still be on its way.
  await eventually(() => expect(run.pid).toBeDefined());
  return { run, pids };
}

describe('SpawnHelper', () => {
  it('runs commands in another process and reports their output and exit', async () => {
    const { ws } = await temp();
    const helper = newHelper();
    const runs = Array.from({ length: 20 }, (_, i) =>
      helper.launch({ command: `echo $$ $PPID ${i}; echo e${i} >&2; exit ${i % 3}`, cwd: ws, env }),
    );
    expect(helper.inFlight).toBe(20);
    const results = await Promise.all(runs.map((r) => r.done));
    expect(helper.inFlight).toBe(0);
    results.forEach((r, i) => {
      const [shell, parent, n] = r.stdout.trim().split(' ').map(Number);
      expect(n).toBe(i);
      expect(shell).toBe(runs[i]?.pid);
      expect(parent).toBe(helper.helperPid); // forked by the helper, not by this process
      expect(parent).not.toBe(process.pid);
      expect(r).toMatchObject({ stderr: `e${i}\n`, code: i % 3, signal: null });
    });
  });

  it('kill signals the whole group; the shell reports the signal', async () => {
    const { ws } = await temp();
    const helper = newHelper();
    const { run, pids } = await startSleepers(helper, ws);
    run.kill('SIGTERM');
    expect(await run.done).toMatchObject({ code: null, signal: 'SIGTERM' });
    await eventually(() => expect(pids.filter(isAlive)).toEqual([]));
  });

  it('a shell that cannot start fails with the spawn errno', async () => {
    const { ws } = await temp();
    const helper = newHelper();
    const run = helper.launch({ command: 'true', cwd: path.join(ws, 'missing'), env });
    await expect(run.done).rejects.toMatchObject({ name: 'SpawnHelperError', errno: 'ENOENT' });
    // the helper survives it
    expect(await helper.launch({ command: 'echo ok', cwd: ws, env }).done).toMatchObject({ stdout: 'ok\n' });
  });

  it('when the helper dies, its runs fail, their groups are killed, and the next run gets a new helper', async () => {
    const { ws } = await temp();
    const helper = newHelper();
    const { run, pids } = await startSleepers(helper, ws);
    const first = helper.helperPid;
    expect(first).toBeDefined();
    process.kill(first as number, 'SIGKILL');
    const err = await run.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SpawnHelperError);
    expect(String(err)).toMatch(/spawn helper exited \(SIGKILL\)/);
    await eventually(() => expect(pids.filter(isAlive)).toEqual([]));
    expect(helper.inFlight).toBe(0);

    expect(await helper.launch({ command: 'echo again', cwd: ws, env }).done).toMatchObject({
      stdout: 'again\n',
      code: 0,
    });
    expect(helper.helperPid).not.toBe(first);
  });

  it('close fails the runs in flight, the helper kills their groups and exits, later runs are refused', async () => {
    const { ws } = await temp();
    const helper = newHelper();
    const { run, pids } = await startSleepers(helper, ws);
    const pid = helper.helperPid as number;
    helper.close();
    await expect(run.done).rejects.toThrow(/spawn helper was closed/);
    await eventually(() => expect([pid, ...pids].filter(isAlive)).toEqual([]));
    await expect(helper.launch({ command: 'true', cwd: ws, env }).done).rejects.toThrow(/closed/);
  });
});

describe('spawn helper process', () => {
  it('answers a malformed request with failed, and runs nothing', async () => {
    const { ws } = await temp();
    const entry = path.resolve(import.meta.dirname, '../../../dist/tools/spawn/spawn-helper-main.js');
    const child = fork(entry, [], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    try {
      const replies: unknown[] = [];
      child.on('message', (m) => replies.push(m));
      child.send({ t: 'run', id: 7, command: 'touch ran', cwd: ws, env: { PATH: 1 } });
      child.send({ t: 'run', id: 8, command: '', cwd: ws, env });
      child.send({ t: 'kill', id: 9, signal: 'SIGSTOP' });
      child.send({ t: 'run', id: 10, command: 'echo fine', cwd: ws, env });
      await eventually(() => expect(replies.some((m) => (m as { t: string }).t === 'done')).toBe(true));
      expect(replies).toEqual([
        expect.objectContaining({ t: 'failed', id: 7, message: expect.stringMatching(/malformed request/) }),
        expect.objectContaining({ t: 'failed', id: 8, message: expect.stringMatching(/malformed request/) }),
        expect.objectContaining({ t: 'failed', id: 9, message: expect.stringMatching(/malformed request/) }),
        expect.objectContaining({ t: 'started', id: 10 }),
        expect.objectContaining({ t: 'done', id: 10, stdout: 'fine\n', code: 0 }),
      ]);
      await expect(readFile(path.join(ws, 'ran'))).rejects.toThrow();
    } finally {
      child.disconnect();
      await once(child, 'exit');
    }
  });
});
