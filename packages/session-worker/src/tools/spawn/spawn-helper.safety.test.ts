import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from '../test-support/process-alive.js';
import { useTempWorkspace } from '../test-support/temp-workspace.js';
import { eventually } from '../test-support/wait.js';

const temp = useTempWorkspace();
const entry = path.resolve(import.meta.dirname, '../../../dist/tools/spawn/spawn-helper-main.js');
const parentScript = path.resolve(import.meta.dirname, '../test-support/helper-parent.mjs');
const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone: the test passed
    }
  }
});

type Mode = 'burst' | 'replies';

/**
 * One round: a parent forks the helper, starts two `sleep 100`s, then SIGKILLs itself right after sending
 * a burst of runs (`burst`: the helper's `started` replies fail with EPIPE before it sees the channel end)
 * or while it floods the helper with short runs (`replies`). Returns every pid written to `pids`.
 */
async function crashRound(
  ws: string,
  mode: Mode,
): Promise<{ sleepers: number[]; helperPid: number; stderr: string }> {
  const parent = spawn(process.execPath, [parentScript, entry, ws, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  parent.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  // The helper inherits the parent's stderr: it reaches its end only once the helper is gone too.
  const stderrClosed = once(parent.stderr, 'close');
  const lines = createInterface({ input: parent.stdout });
  const [ready] = (await once(lines, 'line')) as [string];
  const [, helperPid] = ready.split(' ').map(Number);
  await once(parent, 'exit');
  await stderrClosed;
  const text = await readFile(path.join(ws, 'pids'), 'utf8');
  const sleepers = text.split('\n').filter(Boolean).map(Number);
  leftovers.push(...sleepers);
  return { sleepers, helperPid: helperPid!, stderr };
}

describe('spawn helper: the runtime dies while replies are in flight', () => {
  it.each<Mode>(['burst', 'replies'])(
    'kills every process group and exits quietly (%s)',
    async (mode) => {
      for (let round = 0; round < 3; round++) {
        const { ws } = await temp();
        const { sleepers, helperPid, stderr } = await crashRound(ws, mode);
        expect(sleepers.length).toBeGreaterThanOrEqual(2);
        await eventually(() => expect([helperPid, ...sleepers].filter(isAlive)).toEqual([]));
        expect(stderr).toBe('');
      }
    },
    120_000,
  );
});
