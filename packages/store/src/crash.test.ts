import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import { LevelEventStore } from './level-event-store.js';
import { ensureBuilt } from './test-support/ensure-built.js';

const here = dirname(fileURLToPath(import.meta.url));
const writer = join(here, 'test-support', 'crash-writer.mjs');
const SESSIONS = 40;

interface Ack {
  id: string;
  first: number;
  count: number;
  tag: string;
}

/** What a writer acknowledged before it was killed: appended batches and created sessions. */
interface Acked {
  acks: Ack[];
  born: string[];
}

/** Runs the writer until it has acknowledged something and a random extra delay passed, then SIGKILLs it. */
async function runAndKill(
  path: string,
  durability: string,
  round: number,
  delayMs: number,
  maxCached?: number,
): Promise<Acked> {
  const args = [writer, path, durability, String(SESSIONS), String(round)];
  if (maxCached !== undefined) args.push(String(maxCached));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  // Wait (bounded) for the first ack, then a random moment later kill.
  const started = Date.now();
  while (!out.includes('\nack ') && !out.startsWith('ack ') && Date.now() - started < 60_000) {
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, delayMs));
  child.kill('SIGKILL');
  const how = await exited;
  expect(how, `writer should die by SIGKILL; stderr: ${err}`).toBe('SIGKILL');
  // Only complete lines count: a torn last line is an ack we cannot rely on having seen.
  const lines = out.split('\n').slice(0, -1);
  const acks = lines
    .filter((l) => l.startsWith('ack '))
    .map((l) => {
      const [, id, first, count, tag] = l.split(' ');
      return { id: id!, first: Number(first), count: Number(count), tag: tag! };
    });
  const born = lines.filter((l) => l.startsWith('born ')).map((l) => l.slice('born '.length));
  return { acks, born };
}

async function verify(
  path: string,
  durability: 'fsync' | 'buffered',
  { acks, born }: Acked,
): Promise<number> {
  const store = await LevelEventStore.open(path, { durability });
  let total = 0;
  try {
    for (let i = 0; i < SESSIONS; i++) {
      const id = `crash-${i}`;
      const events = await store.loadEvents(id);
      total += events.length;
      // Contiguous from 0.
      expect(events.map((e) => e.seq)).toEqual(events.map((_, k) => k));
      // No torn batch: every batch's events are all there, consecutive, in order.
      const ids = events.map((e) => (e.event.type === 'UserMessageAdded' ? e.event.message.id : '?'));
      for (let k = 0; k < ids.length; ) {
        const [tag, j, n] = ids[k]!.split(':');
        expect(j, `batch ${tag} must start at its first event`).toBe('0');
        const count = Number(n);
        for (let m = 0; m < count; m++) expect(ids[k + m]).toBe(`${tag}:${m}:${count}`);
        k += count;
      }
      // The catalog was written in the same atomic batch as the events.
      if (events.length > 0) expect((await store.getSessionSummary(id))?.messageCount).toBe(events.length);
    }
    // Every acknowledged batch is present, at the sequence numbers it was acknowledged with.
    for (const ack of acks) {
      const got = await store.loadEventsAfter(ack.id, ack.first - 1, { limit: ack.count });
      expect(got.map((e) => (e.event.type === 'UserMessageAdded' ? e.event.message.id : '?'))).toEqual(
        Array.from({ length: ack.count }, (_, j) => `${ack.tag}:${j}:${ack.count}`),
      );
    }
    // A session exists only with its SessionCreated (one atomic write), and every acknowledged one exists.
    const ids = await store.listSessionIds();
    for (const id of born) expect(ids, `acknowledged session ${id} is missing`).toContain(id);
    for (const id of ids.filter((i) => i.startsWith('born-'))) {
      const events = await store.loadEvents(id);
      expect(
        events.map((e) => `${e.seq}:${e.event.type}`),
        `session ${id}`,
      ).toEqual(['0:SessionCreated']);
      expect(await store.getSessionConfig(id), `config of ${id}`).not.toBeNull();
      expect((await store.getSessionSummary(id))?.metadata).toEqual({ tenant: 'crash', origin: 'born' });
    }
  } finally {
    await store.close();
  }
  return total;
}

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
    const child = spawn(process.execPath, [writer, path, 'buffered', '1', '1'], {
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
      const acked: Acked = { acks: [], born: [] };
      let previous = 0;
      for (let round = 1; round <= rounds; round++) {
        const delay = Math.floor(Math.random() * 250);
        const got = await runAndKill(path, durability, round, delay, maxCached);
        expect(
          got.acks.length,
          `round ${round} (kill after ${delay} ms) acknowledged nothing`,
        ).toBeGreaterThan(0);
        acked.acks.push(...got.acks);
        acked.born.push(...got.born);
        const total = await verify(path, durability, acked);
        expect(total).toBeGreaterThanOrEqual(previous);
        previous = total;
      }
    }, 120_000);
  }
});
