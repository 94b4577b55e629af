import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import { LevelEventStore } from './level-event-store.js';
import { CRASH_SESSIONS, CRASH_WRITER, crashRounds } from './test-support/crash-harness.js';
import { ensureBuilt } from './test-support/ensure-built.js';

describe('crash safety (SIGKILL at random moments)', () => {
  const dirs: string[] = [];
  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('fails with LOCKED while another process holds the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-lock-'));
    dirs.push(dir);
    const path = join(dir, 'db');
    const child = spawn(process.execPath, [CRASH_WRITER, 'level', path, 'buffered', '1', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    try {
      const started = Date.now();
      while (!out.includes('ready') && child.exitCode === null && Date.now() - started < 60_000) {
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(out).toContain('ready');
      const err = await LevelEventStore.open(path).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('LOCKED');
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    // Once the holder is gone the lock is free again.
    const store = await LevelEventStore.open(path);
    await store.close();
  }, 60_000);

  // The last case runs the writer with an 8-entry session cache for 40 sessions (constant eviction/reload).
  for (const [durability, rounds, maxCached] of [
    ['fsync', 4, undefined],
    ['buffered', 3, undefined],
    ['fsync', 3, 8],
  ] as const) {
    const cache = maxCached === undefined ? '' : ` (maxCachedSessions ${maxCached})`;
    it(`${durability}${cache}: every acknowledged batch survives, none is torn, sequences stay contiguous`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'shoal-crash-'));
      dirs.push(dir);
      const path = join(dir, 'db');
      await crashRounds(
        {
          writerArgs: (round) => {
            const args = ['level', path, durability, String(CRASH_SESSIONS), String(round)];
            return maxCached === undefined ? args : [...args, String(maxCached)];
          },
          open: () => LevelEventStore.open(path, { durability }),
        },
        rounds,
      );
    }, 120_000);
  }
});
