import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStoreError } from './errors.js';
import { LevelEventStore } from './level-event-store.js';
import { DIST_URL, ensureBuilt } from './test-support/ensure-built.js';
import { userMessage } from './test-support/fixtures.js';

/** Opens the store at `path` in a fresh process and reports `opened` or the error code. */
function openInChild(path: string): Promise<string> {
  const script = `
    const { LevelEventStore } = await import(${JSON.stringify(DIST_URL)});
    try {
      const s = await LevelEventStore.open(${JSON.stringify(path)});
      await s.append('victim', [${JSON.stringify(userMessage('from the child'))}]).catch(() => {});
      await s.close();
      process.stdout.write('opened\\n');
    } catch (e) {
      process.stdout.write((e.code ?? String(e)) + '\\n');
    }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve(out.trim()));
  });
}

/**
 * The same from a worker thread of this process. An opened store stays open until `close()` of the result is
 * called, so racing workers really hold the directory at the same time.
 */
function openInWorker(path: string): Promise<{ code: string; close(): Promise<void> }> {
  const script = `
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(DIST_URL)}).then(async ({ LevelEventStore }) => {
      try {
        const s = await LevelEventStore.open(${JSON.stringify(path)});
        parentPort.postMessage('opened');
        parentPort.once('message', async () => {
          await s.close();
          parentPort.postMessage('closed');
        });
      } catch (e) {
        parentPort.postMessage(e.code ?? String(e));
      }
    });`;
  const worker = new Worker(script, { eval: true });
  const next = (): Promise<string> =>
    new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  return next().then((code) => ({
    code,
    async close() {
      if (code === 'opened') {
        const closed = next();
        worker.postMessage('close');
        await closed;
      }
      await worker.terminate();
    },
  }));
}

/** Opens in a worker thread and closes again at once; the open's outcome. */
async function workerOpenCode(path: string): Promise<string> {
  const w = await openInWorker(path);
  await w.close();
  return w.code;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'opened',
    (e: unknown) => (isStoreError(e) ? e.code : String(e)),
  );
}

describe('LevelEventStore: one open per directory per process', () => {
  const dirs: string[] = [];
  const fresh = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-lock-'));
    dirs.push(dir);
    return dir;
  };
  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a second open in this process, a worker thread or another process, and keeps the first one locked', async () => {
    const dir = fresh();
    const path = join(dir, 'db');
    const first = await LevelEventStore.open(path);
    await first.createSession('victim');
    const acked = await first.append('victim', [userMessage('acknowledged')]);
    // Second opens in this process, under other spellings of the same directory too.
    symlinkSync(path, join(dir, 'alias'));
    expect(await codeOf(LevelEventStore.open(path))).toBe('LOCKED');
    expect(await codeOf(LevelEventStore.open(join(dir, 'alias')))).toBe('LOCKED');
    expect(await codeOf(LevelEventStore.open(`${path}/../db/`))).toBe('LOCKED');
    expect(await workerOpenCode(path)).toBe('LOCKED');
    // The failed opens must not have dropped the first store's LevelDB lock: another process is refused.
    expect(await openInChild(path)).toBe('LOCKED');
    // The first store still works, and its data is all there once it is closed and reopened.
    expect(await first.append('victim', [userMessage('after')])).toEqual([acked[0]! + 1]);
    await first.close();
    const again = await LevelEventStore.open(path);
    expect((await again.loadEvents('victim')).map((e) => e.seq)).toEqual([0, 1]);
    await again.close();
    // Closed: another process may open it now.
    expect(await openInChild(path)).toBe('opened');
  }, 60_000);

  it('lets two threads race for a directory: exactly one wins', async () => {
    const path = join(fresh(), 'db');
    const workers = await Promise.all([openInWorker(path), openInWorker(path), openInWorker(path)]);
    expect(workers.map((w) => w.code).sort()).toEqual(['LOCKED', 'LOCKED', 'opened']);
    // The winner's lock held through the losers' attempts: another process is refused.
    expect(await openInChild(path)).toBe('LOCKED');
    for (const w of workers) await w.close();
    expect(await openInChild(path)).toBe('opened');
  }, 60_000);

  it('ignores and then removes the marker a crashed process left behind', async () => {
    const path = join(fresh(), 'db');
    await (await LevelEventStore.open(path)).close();
    writeFileSync(join(path, 'SHOAL-OPEN-999999-1-dead'), 'pid 999999 thread 0\n');
    const store = await LevelEventStore.open(path);
    expect(readdirSync(path).filter((f) => f.startsWith('SHOAL-OPEN-'))).toHaveLength(1);
    await store.close();
    expect(readdirSync(path).filter((f) => f.startsWith('SHOAL-OPEN-'))).toEqual([]);
  });

  it('reopens in the same process after close, and after a failed open', async () => {
    const path = join(fresh(), 'db');
    const a = await LevelEventStore.open(path);
    expect(await codeOf(LevelEventStore.open(path))).toBe('LOCKED');
    await a.close();
    const b = await LevelEventStore.open(path);
    await b.close();
  });
});
