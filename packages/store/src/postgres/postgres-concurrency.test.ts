import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../errors.js';
import type { StoredEvent } from '../event-store.js';
import { userMessage } from '../test-support/fixtures.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { startTestPostgres, type TestPostgres } from './testing.js';

// Several stores on one database, and the server going away under load: the fence in the append statement
// decides every race, and no acknowledged append is ever lost.

let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres();
}, 180_000);
afterAll(async () => {
  await server?.stop();
});

const idOf = (e: StoredEvent): string =>
  e.event.type === 'UserMessageAdded' ? e.event.message.id : `not a user message: ${e.event.type}`;

describe('two PostgresEventStores on one database', () => {
  it('race appends with the same expectedNextSeq: exactly one wins each time, the other gets SEQUENCE_CONFLICT', async () => {
    const url = await server.createDatabase();
    const a = await PostgresEventStore.open(url);
    const b = await PostgresEventStore.open(url);
    try {
      const ids = Array.from({ length: 20 }, (_, i) => `race-${i}`);
      for (const id of ids) await a.createSession(id);
      const rounds = 25;
      const winners = new Map<string, string[]>(ids.map((id) => [id, []]));
      for (let round = 0; round < rounds; round++) {
        // Every session raced in the same turn by both stores: each store sends one batched statement.
        const outcomes = await Promise.all(
          ids.flatMap((id) =>
            (['a', 'b'] as const).map(async (who) => {
              const store = who === 'a' ? a : b;
              const msg = `${id}:${round}:${who}`;
              try {
                const seqs = await store.append(id, [userMessage('x', msg)], { expectedNextSeq: round });
                expect(seqs).toEqual([round]);
                return { id, msg, won: true as const };
              } catch (err) {
                expect(err).toBeInstanceOf(StoreError);
                expect(err).toMatchObject({ code: 'SEQUENCE_CONFLICT', expectedNextSeq: round });
                return { id, msg, won: false as const };
              }
            }),
          ),
        );
        for (const id of ids) {
          const mine = outcomes.filter((o) => o.id === id);
          expect(
            mine.filter((o) => o.won),
            `${id} round ${round}`,
          ).toHaveLength(1);
          winners.get(id)!.push(mine.find((o) => o.won)!.msg);
        }
      }
      for (const id of ids) {
        const events = await b.loadEvents(id);
        expect(events.map((e) => e.seq)).toEqual(Array.from({ length: rounds }, (_, k) => k));
        expect(events.map(idOf)).toEqual(winners.get(id));
        expect((await a.getSessionSummary(id))?.messageCount).toBe(rounds);
      }
    } finally {
      await a.close();
      await b.close();
    }
  }, 120_000);

  it('appends without expectedNextSeq from both stores all land, gap-free, none twice', async () => {
    const url = await server.createDatabase();
    const a = await PostgresEventStore.open(url);
    const b = await PostgresEventStore.open(url);
    try {
      const ids = Array.from({ length: 10 }, (_, i) => `both-${i}`);
      for (const id of ids) await a.createSession(id);
      const acked: string[] = [];
      await Promise.all(
        ids.flatMap((id) =>
          (['a', 'b'] as const).map(async (who) => {
            for (let k = 0; k < 10; k++) {
              const msg = `${id}:${who}:${k}`;
              await (who === 'a' ? a : b).append(id, [userMessage('x', msg)]);
              acked.push(msg);
            }
          }),
        ),
      );
      for (const id of ids) {
        const events = await a.loadEvents(id);
        expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, k) => k));
        expect(new Set(events.map(idOf)).size).toBe(20);
        // Each store's appends of a session keep their call order.
        for (const who of ['a', 'b']) {
          const order = events.map(idOf).filter((m) => m.startsWith(`${id}:${who}:`));
          expect(order).toEqual(Array.from({ length: 10 }, (_, k) => `${id}:${who}:${k}`));
        }
      }
      expect(acked).toHaveLength(200);
    } finally {
      await a.close();
      await b.close();
    }
  }, 120_000);

  it('an extra append fence is checked in the same statement; a refused append writes nothing', async () => {
    const url = await server.createDatabase();
    let allowed = true;
    const store = await PostgresEventStore.open(url, {
      appendFence: {
        condition: `i.fence = 'allowed'`,
        valueFor: () => (allowed ? 'allowed' : 'refused'),
        rejected: (sessionId) => new Error(`fenced off: ${sessionId}`),
      },
    });
    try {
      await store.createSession('f');
      expect(await store.append('f', [userMessage('a')])).toEqual([0]);
      allowed = false;
      await expect(store.append('f', [userMessage('b')], { expectedNextSeq: 1 })).rejects.toMatchObject({
        name: 'StoreError',
        code: 'LEASE_LOST',
        message: 'fenced off: f',
      });
      await expect(store.append('ghost', [userMessage('b')])).rejects.toMatchObject({
        code: 'SESSION_NOT_FOUND',
      });
      allowed = true;
      expect(await store.append('f', [userMessage('c')], { expectedNextSeq: 1 })).toEqual([1]);
      expect((await store.loadEvents('f')).map((e) => e.seq)).toEqual([0, 1]);
    } finally {
      await store.close();
    }
  });
});

describe('the server stopped under load', () => {
  it('fails appends with IO while it is down, loses nothing acknowledged, and recovers when it is back', async () => {
    const url = await server.createDatabase();
    const store = await PostgresEventStore.open(url, { connectTimeoutMs: 2000 });
    const ids = Array.from({ length: 30 }, (_, i) => `load-${i}`);
    for (const id of ids) await store.createSession(id);
    const acked = new Map<string, Array<{ seq: number; msg: string }>>(ids.map((id) => [id, []]));
    const ioErrors: StoreError[] = [];
    let okAfterRestart = 0;
    let restarted = false;
    let stop = false;
    const pause = () => new Promise((r) => setTimeout(r, 5));
    const writers = ids.map(async (id) => {
      let next: number | null = 0;
      for (let k = 0; !stop; k++) {
        try {
          // After an IO failure the outcome of that append is unknown: learn the next seq from the store.
          if (next === null) next = ((await store.latestSequence(id)) ?? -1) + 1;
          const msg = `${id}:${k}`;
          const [seq] = await store.append(id, [userMessage('x', msg)], { expectedNextSeq: next });
          acked.get(id)!.push({ seq: seq!, msg });
          next = seq! + 1;
          if (restarted) okAfterRestart++;
        } catch (err) {
          if (!(err instanceof StoreError)) throw err;
          if (err.code === 'IO') ioErrors.push(err);
          else if (err.code !== 'SEQUENCE_CONFLICT') throw err;
          next = null;
          await pause();
        }
      }
    });
    const until = async (what: string, cond: () => boolean): Promise<void> => {
      const deadline = Date.now() + 60_000;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const total = () => [...acked.values()].reduce((n, l) => n + l.length, 0);
    try {
      await until('some appends were acknowledged', () => total() >= 200);
      await server.stopServer();
      await until('appends fail with IO', () => ioErrors.length >= 10);
      const ackedWhileDown = total();
      await server.startServer();
      restarted = true;
      await until('appends succeed again', () => okAfterRestart >= 200);
      expect(total()).toBeGreaterThan(ackedWhileDown);
    } finally {
      stop = true;
      await Promise.all(writers);
    }
    expect(ioErrors[0]!.message).toMatch(/PostgreSQL/);
    for (const id of ids) {
      const stored = new Map((await store.loadEvents(id)).map((e) => [e.seq, idOf(e)]));
      const events = await store.loadEvents(id);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, k) => k));
      for (const a of acked.get(id)!) expect(stored.get(a.seq), `${id} seq ${a.seq}`).toBe(a.msg);
    }
    await store.close();
  }, 180_000);
});
