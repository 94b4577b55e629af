import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionEvent } from '@shoal/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LevelEventStore, type LevelEventStoreOptions } from './level-event-store.js';
import type { SessionState } from './session-cache.js';
import { expectStoreError, TestClock, userMessage } from './test-support/fixtures.js';

/** The bounded session cache (maxCachedSessions) on a real LevelDB: eviction must never change an outcome. */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface ChainedBatch {
  put(key: Buffer, value: Buffer): unknown;
  del(key: Buffer): unknown;
  write(opts: unknown): Promise<void>;
}

/** Private hooks the tests reach into: the db (to count reads, hold writes) and the cache load. */
interface Internals {
  db: {
    get: (...args: unknown[]) => Promise<unknown>;
    keys: (...args: unknown[]) => unknown;
    batch: () => ChainedBatch;
  };
  loadState(id: string): Promise<SessionState | null>;
}
const internals = (store: LevelEventStore): Internals => store as unknown as Internals;

/** Holds every batch write until `release()`, or fails it (and every later one) with `fail(err)`. */
function holdWrites(store: LevelEventStore): { release(): void; fail(err: Error): void; restore(): void } {
  const db = internals(store).db;
  const original = db.batch;
  let release!: () => void;
  let fail!: (err: Error) => void;
  const gate = new Promise<void>((res, rej) => {
    release = res;
    fail = rej;
  });
  gate.catch(() => undefined);
  db.batch = () => {
    const b = original.call(db);
    return {
      put: (k, v) => b.put(k, v),
      del: (k) => b.del(k),
      write: (opts) => gate.then(() => b.write(opts)),
    };
  };
  const restore = (): void => {
    db.batch = original;
  };
  return { release, fail, restore };
}

/** Counts the point reads and key scans the store issues (a reload = one get + one reverse key scan). */
function countReads(store: LevelEventStore): { readonly reads: number } {
  const db = internals(store).db;
  const counter = { reads: 0 };
  const get = db.get.bind(db);
  const keys = db.keys.bind(db);
  db.get = (...args) => {
    counter.reads += 1;
    return get(...args);
  };
  db.keys = (...args) => {
    counter.reads += 1;
    return keys(...args);
  };
  return counter;
}

const textOf = (e: SessionEvent): string =>
  e.type === 'UserMessageAdded' && e.message.content[0]?.type === 'text' ? e.message.content[0].text : '?';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('LevelEventStore session cache (maxCachedSessions)', () => {
  let path: string;
  let clock: TestClock;
  const open = (opts: LevelEventStoreOptions = {}): Promise<LevelEventStore> =>
    LevelEventStore.open(path, { now: clock.now, durability: 'buffered', ...opts });

  beforeEach(() => {
    path = join(mkdtempSync(join(tmpdir(), 'shoal-cache-')), 'db');
    dirs.push(join(path, '..'));
    clock = new TestClock();
  });

  it('rejects a bound that is not a positive integer (or Infinity)', async () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      await expectStoreError(open({ maxCachedSessions: bad }), 'INVALID_ARGUMENT');
    }
    const store = await open({ maxCachedSessions: Number.POSITIVE_INFINITY });
    await store.close();
  });

  it('50 sessions round-robin through a 3-entry cache: contiguous, counted, consistent, bounded', async () => {
    const store = await open({ maxCachedSessions: 3 });
    const ids = Array.from({ length: 50 }, (_, i) => `rr${i}`);
    for (const id of ids) await store.createSession(id, { tenant: 'acme' });
    const next = new Map(ids.map((id) => [id, 0]));
    let maxSeen = 0;
    for (let round = 0; round < 12; round++) {
      // Sequential round-robin: every append finds its session evicted (50 sessions, 3 slots).
      for (const id of ids) {
        const n = 1 + ((round + id.length) % 3);
        const first = next.get(id)!;
        const seqs = await store.append(
          id,
          Array.from({ length: n }, (_, k) => userMessage(`${id}:${first + k}`)),
          { expectedNextSeq: first },
        );
        expect(seqs).toEqual(Array.from({ length: n }, (_, k) => first + k));
        next.set(id, first + n);
        maxSeen = Math.max(maxSeen, store.cachedSessionCount);
        clock.advance(250);
      }
      // Concurrent round-robin: all 50 in one turn (busy entries cannot be evicted until written).
      const results = await Promise.all(
        ids.map((id) => {
          const first = next.get(id)!;
          next.set(id, first + 1);
          return store.append(id, [userMessage(`${id}:${first}`)], { expectedNextSeq: first });
        }),
      );
      expect(results).toEqual(ids.map((id) => [next.get(id)! - 1]));
      expect(store.cachedSessionCount).toBeLessThanOrEqual(3);
    }
    expect(maxSeen).toBeLessThanOrEqual(3);
    for (const id of ids) {
      const events = await store.loadEvents(id);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, k) => k));
      expect(events.map((e) => textOf(e.event))).toEqual(events.map((_, k) => `${id}:${k}`));
      expect(events.length).toBe(next.get(id));
      expect(await store.latestSequence(id)).toBe(events.length - 1);
      expect((await store.getSessionSummary(id))?.messageCount).toBe(events.length);
    }
    // The newest-first index followed every reload (one index entry per session, none stale).
    expect((await store.listSessionIds()).sort()).toEqual([...ids].sort());
    const page = await store.listSessions({ metadataFilter: { key: 'tenant', value: 'acme' }, limit: 100 });
    expect(page.sessions).toHaveLength(50);
    expect(store.cachedSessionCount).toBeLessThanOrEqual(3);
    await store.close();

    // And a fresh store (nothing cached) reads the same.
    const again = await open({ maxCachedSessions: 3 });
    for (const id of ids) expect(await again.latestSequence(id)).toBe(next.get(id)! - 1);
    await again.close();
  });

  it('detects expectedNextSeq conflicts after an eviction and reload', async () => {
    const store = await open({ maxCachedSessions: 1 });
    await store.createSession('a');
    await store.createSession('b');
    expect(await store.append('a', [userMessage('a0'), userMessage('a1')])).toEqual([0, 1]);
    await store.append('b', [userMessage('b0')]); // evicts a
    expect(store.evictSession('a')).toBe(true);
    const err = await expectStoreError(
      store.append('a', [userMessage('stale')], { expectedNextSeq: 1 }),
      'SEQUENCE_CONFLICT',
    );
    expect(err.expectedNextSeq).toBe(1);
    expect(err.actualNextSeq).toBe(2);
    await store.append('b', [userMessage('b1')]); // evicts a again
    await expectStoreError(
      store.append('a', [userMessage('x')], { expectedNextSeq: 3 }),
      'SEQUENCE_CONFLICT',
    );
    expect(await store.append('a', [userMessage('a2')], { expectedNextSeq: 2 })).toEqual([2]);
    expect((await store.loadEvents('a')).map((e) => textOf(e.event))).toEqual(['a0', 'a1', 'a2']);
    expect(store.cachedSessionCount).toBeLessThanOrEqual(1);
    await store.close();
  });

  it('numbers concurrent appends from many callers to an evicted session in call order', async () => {
    const store = await open({ maxCachedSessions: 2 });
    await store.createSession('hot');
    await store.append('hot', [userMessage('0')]);
    for (const id of ['x', 'y', 'z']) {
      await store.createSession(id);
      await store.append(id, [userMessage(id)]);
    }
    expect(store.evictSession('hot')).toBe(true); // already gone (two slots, three newer sessions)
    const callers = Array.from({ length: 40 }, (_, i) => store.append('hot', [userMessage(`c${i}`)]));
    // The same turn, while they wait for the reload: more sessions evict and reload.
    const others = ['x', 'y', 'z'].map((id) => store.append(id, [userMessage(`${id}1`)]));
    const seqs = await Promise.all(callers);
    await Promise.all(others);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => [i + 1]));
    const events = await store.loadEvents('hot');
    expect(events.map((e) => textOf(e.event))).toEqual([
      '0',
      ...Array.from({ length: 40 }, (_, i) => `c${i}`),
    ]);
    expect((await store.getSessionSummary('hot'))?.messageCount).toBe(41);
    expect(store.cachedSessionCount).toBeLessThanOrEqual(2);
    await store.close();
  });

  it('does no read for an append to a cached session, and two reads to reload an evicted one', async () => {
    const store = await open({ maxCachedSessions: 2 });
    await store.createSession('a');
    await store.createSession('b');
    await store.createSession('c');
    const counter = countReads(store);
    await store.append('c', [userMessage('c0')]);
    await store.append('b', [userMessage('b0')]);
    for (let i = 0; i < 20; i++) {
      await Promise.all([store.append('b', [userMessage('b')]), store.append('c', [userMessage('c')])]);
    }
    expect(counter.reads).toBe(0);
    await store.append('a', [userMessage('a0')]); // evicted by create of c: reload = catalog + last key
    expect(counter.reads).toBe(2);
    await store.close();
  });

  it('keeps an entry whose write is queued, and lets it go once the write is on disk', async () => {
    const store = await open({ maxCachedSessions: 1 });
    await store.createSession('a');
    await store.createSession('b');
    await store.append('a', [userMessage('a0')]);
    const pending = store.append('a', [userMessage('a1')]);
    // a's second event is accepted but not written: a must stay cached whatever else is loaded.
    expect(store.evictSession('a')).toBe(false);
    const other = store.append('b', [userMessage('b0')]);
    await turn();
    expect(store.evictSession('a')).toBe(false);
    // The hot path still numbers from the cached, unwritten state.
    const third = store.append('a', [userMessage('a2')]);
    expect(await pending).toEqual([1]);
    expect(await third).toEqual([2]);
    await other;
    expect(store.cachedSessionCount).toBeLessThanOrEqual(1);
    expect(store.evictSession('a')).toBe(true);
    expect(store.evictSession('b')).toBe(true);
    expect(store.cachedSessionCount).toBe(0);
    expect(await store.append('a', [userMessage('a3')], { expectedNextSeq: 3 })).toEqual([3]);
    await store.close();
  });

  it('never drops an entry ahead of the disk: a reload from disk would hand out its seqs again', async () => {
    const store = await open({ maxCachedSessions: 1 });
    const others = ['b', 'c', 'd', 'e'];
    for (const id of ['a', ...others]) await store.createSession(id);
    await store.append('a', [userMessage('a0')]);
    const held = holdWrites(store);
    const before = store.writeStats.batches;
    const a1 = store.append('a', [userMessage('a1')]);
    while (store.writeStats.batches === before) await turn(); // a1 is in flight, not on disk
    const a2 = store.append('a', [userMessage('a2')]); // queued behind it
    // Loads of other sessions (an empty append loads without writing) push the 1-entry cache over its bound.
    for (const id of others) expect(await store.append(id, [])).toEqual([]);
    const a3 = store.append('a', [userMessage('a3')]);
    held.release();
    expect(await Promise.all([a1, a2, a3])).toEqual([[1], [2], [3]]);
    held.restore();
    expect((await store.loadEvents('a')).map((e) => textOf(e.event))).toEqual(['a0', 'a1', 'a2', 'a3']);
    expect(store.cachedSessionCount).toBeLessThanOrEqual(1);
    await store.close();
  });

  it('evictSession: releases an idle session after an awaited snapshot, refuses during create/delete', async () => {
    const store = await open();
    await store.createSession('s', { tenant: 'acme' });
    await store.append('s', [userMessage('0'), userMessage('1')]);
    await store.saveSnapshot('s', 1, { n: 2 });
    expect(store.evictSession('s')).toBe(true);
    expect(store.cachedSessionCount).toBe(0);
    expect(store.evictSession('s')).toBe(true); // not cached: fine
    expect(store.evictSession('never-seen')).toBe(true);
    expect(await store.append('s', [userMessage('2')], { expectedNextSeq: 2 })).toEqual([2]);
    expect(await store.getSessionSummary('s')).toMatchObject({
      messageCount: 3,
      metadata: { tenant: 'acme' },
    });

    const held = holdWrites(store);
    const before = store.writeStats.batches;
    const creating = store.createSession('t');
    while (store.writeStats.batches === before) await turn(); // the create's batch is in flight
    expect(store.evictSession('t')).toBe(false);
    held.release();
    await creating;
    held.restore();
    expect(store.evictSession('t')).toBe(true);
    expect(await store.append('t', [userMessage('t0')], { expectedNextSeq: 0 })).toEqual([0]);

    const deleting = store.deleteSession('s');
    expect(store.evictSession('s')).toBe(false); // the lock is taken synchronously
    await deleting;
    expect(await store.sessionExists('s')).toBe(false);
    await expectStoreError(store.append('s', [userMessage('gone')]), 'SESSION_NOT_FOUND');
    await store.close();
    expect(store.evictSession('t')).toBe(true); // after close: no effect, no throw
  });

  it('appends to the cached entry, not a stale one, when the entry is evicted and reloaded after a load', async () => {
    const store = await open({ maxCachedSessions: 4 });
    await store.createSession('a');
    await store.append('a', [userMessage('a0')]);
    expect(store.evictSession('a')).toBe(true);
    const inner = internals(store);
    const load = inner.loadState.bind(store);
    let raced: Promise<number[]> | undefined;
    inner.loadState = async (id) => {
      const loaded = await load(id);
      if (raced === undefined) {
        // Between this load and the waiting append's continuation: the lock is released, the (idle) entry is
        // evicted, and another caller reloads the session and appends. The first caller holds a stale object.
        await turn();
        expect(store.evictSession(id)).toBe(true);
        raced = store.append(id, [userMessage('second')]);
        await raced;
      }
      return loaded;
    };
    const first = store.append('a', [userMessage('first')]);
    expect(await first).toEqual([2]);
    expect(await raced).toEqual([1]);
    expect((await store.loadEvents('a')).map((e) => textOf(e.event))).toEqual(['a0', 'second', 'first']);
    await store.close();
  });

  it('reloads a session whose batch failed, also when the cache is full, and continues its sequence', async () => {
    const store = await open({ maxCachedSessions: 2 });
    for (const id of ['a', 'b', 'c']) {
      await store.createSession(id);
      await store.append(id, [userMessage(`${id}0`)]);
    }
    const held = holdWrites(store);
    const before = store.writeStats.batches;
    // c is cached (hot path); a was evicted (reload first).
    const lostC = store.append('c', [userMessage('lost')]);
    const lostA = store.append('a', [userMessage('lost')]);
    while (store.writeStats.batches === before) await turn(); // c's batch is in flight
    // Queued behind the in-flight batch and numbered after it: fails with it (dependent).
    const dependent = store.append('c', [userMessage('lost too')]);
    for (let i = 0; i < 5; i++) await turn();
    held.fail(new Error('injected write failure'));
    const outcomes = await Promise.allSettled([lostC, lostA, dependent]);
    held.restore();
    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      expect((o as PromiseRejectedResult).reason).toMatchObject({ code: 'IO' });
    }
    expect((outcomes[2] as PromiseRejectedResult).reason.message).toContain('an earlier write');
    for (const id of ['a', 'b', 'c']) {
      expect(await store.append(id, [userMessage(`${id}1`)], { expectedNextSeq: 1 })).toEqual([1]);
      expect((await store.loadEvents(id)).map((e) => textOf(e.event))).toEqual([`${id}0`, `${id}1`]);
      expect((await store.getSessionSummary(id))?.messageCount).toBe(2);
    }
    expect(store.cachedSessionCount).toBeLessThanOrEqual(2);
    await store.close();
  });

  it('creates, deletes, snapshots and re-creates sessions whose entries come and go', async () => {
    const store = await open({ maxCachedSessions: 1 });
    const ids = Array.from({ length: 10 }, (_, i) => `d${i}`);
    await Promise.all(ids.map((id) => store.createSession(id)));
    await Promise.all(ids.map((id) => store.append(id, [userMessage('0'), userMessage('1')])));
    await Promise.all(ids.map((id) => store.saveSnapshot(id, 1, { id })));
    await Promise.all(ids.slice(0, 5).map((id) => store.deleteSession(id)));
    await Promise.all(ids.slice(0, 5).map((id) => store.createSession(id)));
    const seqs = await Promise.all(ids.map((id) => store.append(id, [userMessage('x')])));
    expect(seqs).toEqual(ids.map((_, i) => (i < 5 ? [0] : [2])));
    for (const [i, id] of ids.entries()) {
      expect(await store.loadLatestSnapshot(id)).toEqual(i < 5 ? null : { seq: 1, snapshot: { id } });
    }
    expect(store.cachedSessionCount).toBeLessThanOrEqual(1);
    await store.close();
  });
});
