import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { SessionStore, StoredEvent } from '../event-store.js';

/*
 * The crash test of every durable store: a writer process (crash-writer.mjs) appends and creates sessions until
 * it is SIGKILLed at a random moment; then the store is reopened and checked against what the writer had
 * acknowledged. Repeated over rounds on the same data.
 */

/** The writer child process: `node crash-writer.mjs <args>`. */
export const CRASH_WRITER = join(dirname(fileURLToPath(import.meta.url)), 'crash-writer.mjs');

/** Sessions the writer appends to (`crash-0` ...). */
export const CRASH_SESSIONS = 40;

export interface Ack {
  id: string;
  first: number;
  count: number;
  tag: string;
}

/** What a writer acknowledged before it was killed: appended batches and created sessions. */
export interface Acked {
  acks: Ack[];
  born: string[];
}

/** One store under the crash test. */
export interface CrashTarget {
  /** The writer's arguments for `round` (crash-writer.mjs usage). */
  writerArgs(round: number): string[];
  /** Called after the kill, before the store is reopened (e.g. until the server has noticed the kill). */
  settle?(): Promise<void>;
  open(): Promise<SessionStore>;
}

/** Runs `rounds` kill-and-verify rounds on one target; each must acknowledge something and lose nothing. */
export async function crashRounds(target: CrashTarget, rounds: number): Promise<void> {
  const acked: Acked = { acks: [], born: [] };
  let previous = 0;
  for (let round = 1; round <= rounds; round++) {
    const delay = Math.floor(Math.random() * 250);
    const got = await runAndKill(target.writerArgs(round), delay);
    expect(got.acks.length, `round ${round} (kill after ${delay} ms) acknowledged nothing`).toBeGreaterThan(
      0,
    );
    acked.acks.push(...got.acks);
    acked.born.push(...got.born);
    await target.settle?.();
    const store = await target.open();
    let total: number;
    try {
      total = await verifyAfterCrash(store, acked);
    } finally {
      await store.close();
    }
    expect(total).toBeGreaterThanOrEqual(previous);
    previous = total;
  }
}

/** Runs the writer until it has acknowledged something and a random extra delay passed, then SIGKILLs it. */
export async function runAndKill(args: string[], delayMs: number): Promise<Acked> {
  const child = spawn(process.execPath, [CRASH_WRITER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  while (!/(^|\n)ack /.test(out) && child.exitCode === null && Date.now() - started < 60_000) {
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, delayMs));
  child.kill('SIGKILL');
  expect(await exited, `writer should die by SIGKILL; stderr: ${err}`).toBe('SIGKILL');
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

const messageId = (e: StoredEvent): string =>
  e.event.type === 'UserMessageAdded' ? e.event.message.id : '?';

/** Checks the reopened store against what was acknowledged; returns the events of the appended sessions. */
export async function verifyAfterCrash(store: SessionStore, { acks, born }: Acked): Promise<number> {
  let total = 0;
  for (let i = 0; i < CRASH_SESSIONS; i++) {
    const id = `crash-${i}`;
    const events = await store.loadEvents(id);
    total += events.length;
    // Contiguous from 0.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, k) => k));
    // No torn batch: every batch's events are all there, consecutive, in order.
    const ids = events.map(messageId);
    for (let k = 0; k < ids.length; ) {
      const [tag, j, n] = ids[k]!.split(':');
      expect(j, `batch ${tag} must start at its first event`).toBe('0');
      const count = Number(n);
      for (let m = 0; m < count; m++) expect(ids[k + m]).toBe(`${tag}:${m}:${count}`);
      k += count;
    }
    // The catalog was written in the same atomic write as the events.
    expect((await store.getSessionSummary(id))?.messageCount).toBe(events.length);
  }
  // Every acknowledged batch is present, at the sequence numbers it was acknowledged with.
  for (const ack of acks) {
    const got = await store.loadEventsAfter(ack.id, ack.first - 1, { limit: ack.count });
    expect(got.map(messageId)).toEqual(
      Array.from({ length: ack.count }, (_, j) => `${ack.tag}:${j}:${ack.count}`),
    );
  }
  // A session exists only with its SessionCreated (one atomic write), and every acknowledged one exists.
  const all = await store.listSessionIds();
  for (const id of born) expect(all, `acknowledged session ${id} is missing`).toContain(id);
  for (const id of all.filter((s) => s.startsWith('born-'))) {
    const events = await store.loadEvents(id);
    expect(
      events.map((e) => `${e.seq}:${e.event.type}`),
      `session ${id}`,
    ).toEqual(['0:SessionCreated']);
    expect(await store.getSessionConfig(id), `config of ${id}`).not.toBeNull();
    expect((await store.getSessionSummary(id))?.metadata).toEqual({ tenant: 'crash', origin: 'born' });
  }
  return total;
}
