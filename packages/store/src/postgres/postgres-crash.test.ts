import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../event-store.js';
import { ensureBuilt } from '../test-support/ensure-built.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { startTestPostgres, type TestPostgres } from './testing.js';

const here = dirname(fileURLToPath(import.meta.url));
const writer = join(here, 'test-support', 'crash-writer.mjs');
const SESSIONS = 40;

interface Ack {
  id: string;
  first: number;
  count: number;
  tag: string;
}

/** Runs the writer until it acknowledged something and a random extra delay passed, then SIGKILLs it. */
async function runAndKill(
  url: string,
  round: number,
  delayMs: number,
): Promise<{ acks: Ack[]; born: string[] }> {
  const child = spawn(process.execPath, [writer, url, String(SESSIONS), String(round)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  const born = lines.filter((l) => l.startsWith('born ')).map((l) => l.slice(5));
  return { acks, born };
}

const messageId = (e: StoredEvent): string =>
  e.event.type === 'UserMessageAdded' ? e.event.message.id : '?';

/**
 * The server learns that a SIGKILLed client is gone only when its backend next touches the socket, so a
 * statement the writer had sent may still commit after the kill. Wait until the writer's backends have
 * ended, so that what is verified no longer changes between two reads.
 */
async function waitForWriterBackends(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
      );
      if (rows[0]?.n === 0) return;
      if (Date.now() > deadline) throw new Error(`${rows[0]?.n} writer backends still running after 60 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await client.end();
  }
}

async function verify(url: string, acks: Ack[], born: string[]): Promise<number> {
  await waitForWriterBackends(url);
  const store = await PostgresEventStore.open(url);
  let total = 0;
  try {
    for (let i = 0; i < SESSIONS; i++) {
      const id = `crash-${i}`;
      const events = await store.loadEvents(id);
      total += events.length;
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
      expect((await store.getSessionSummary(id))?.messageCount).toBe(events.length);
    }
    for (const ack of acks) {
      const got = await store.loadEventsAfter(ack.id, ack.first - 1, { limit: ack.count });
      expect(got.map(messageId)).toEqual(
        Array.from({ length: ack.count }, (_, j) => `${ack.tag}:${j}:${ack.count}`),
      );
    }
    // A created session always has its first event: registration and event are one write.
    const all = await store.listSessionIds();
    for (const id of born) expect(all).toContain(id);
    for (const id of all.filter((s) => s.startsWith('born-'))) {
      expect((await store.loadEvents(id)).map(messageId), id).toEqual([`born.${id}:0:1`]);
    }
  } finally {
    await store.close();
  }
  return total;
}

describe('PostgreSQL store crash safety (writer SIGKILLed at random moments)', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    ensureBuilt();
    server = await startTestPostgres();
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('every acknowledged batch survives, none is torn, sequences stay contiguous', async () => {
    const url = await server.createDatabase();
    const acks: Ack[] = [];
    const born: string[] = [];
    let previous = 0;
    for (let round = 1; round <= 4; round++) {
      const delay = Math.floor(Math.random() * 250);
      const got = await runAndKill(url, round, delay);
      expect(got.acks.length, `round ${round} (kill after ${delay} ms) acknowledged nothing`).toBeGreaterThan(
        0,
      );
      acks.push(...got.acks);
      born.push(...got.born);
      const total = await verify(url, acks, born);
      expect(total).toBeGreaterThanOrEqual(previous);
      previous = total;
    }
  }, 180_000);
});
