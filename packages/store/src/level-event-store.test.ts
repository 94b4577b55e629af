import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeJson } from './codec.js';
import {
  catalogKey,
  eventKey,
  metadataIndexKey,
  sessionPrefix,
  snapshotKey,
  tombstoneKey,
  updatedIndexKey,
} from './keys.js';
import { LevelEventStore } from './level-event-store.js';
import { describeConformance } from './test-support/conformance.js';
import {
  assistantMessage,
  expectStoreError,
  OTHER,
  TestClock,
  userMessage,
} from './test-support/fixtures.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-store-'));
  dirs.push(dir);
  return dir;
}
function removeDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Makes every batch write of `store` fail until the returned function restores LevelDB's batches. */
function failBatchWrites(store: LevelEventStore): () => void {
  const db = (store as unknown as { db: { batch: () => unknown } }).db;
  const batch = db.batch;
  db.batch = () => ({
    put: () => undefined,
    del: () => undefined,
    write: () => Promise.reject(new Error('injected write failure')),
  });
  return () => {
    db.batch = batch;
  };
}

for (const durability of ['fsync', 'buffered'] as const) {
  describeConformance(`LevelEventStore (${durability})`, {
    open: (clock) => LevelEventStore.open(join(tempDir(), 'db'), { durability, now: clock.now }),
    cleanup: async () => removeDirs(),
  });
}
// A one-entry cache: nearly every operation finds its session evicted and reloads it from disk.
describeConformance('LevelEventStore (maxCachedSessions 1)', {
  open: (clock) =>
    LevelEventStore.open(join(tempDir(), 'db'), {
      durability: 'buffered',
      now: clock.now,
      maxCachedSessions: 1,
    }),
  cleanup: async () => removeDirs(),
});

describe('LevelEventStore', () => {
  let path: string;
  let clock: TestClock;
  const open = (): Promise<LevelEventStore> => LevelEventStore.open(path, { now: clock.now });

  beforeEach(() => {
    path = join(tempDir(), 'db');
    clock = new TestClock();
  });
  afterEach(() => removeDirs());

  it('defaults to fsync durability', async () => {
    const store = await open();
    expect(store.durability).toBe('fsync');
    await store.close();
  });

  it('rejects an unknown durability', async () => {
    await expectStoreError(
      LevelEventStore.open(path, { durability: 'sometimes' as unknown as 'fsync' }),
      'INVALID_ARGUMENT',
    );
  });

  it('rejects a flushAtOps that is neither a number >= 1 nor auto, and accepts auto', async () => {
    for (const bad of [0, -1, Number.NaN, 'soon', null]) {
      await expectStoreError(
        LevelEventStore.open(path, { flushAtOps: bad as unknown as number }),
        'INVALID_ARGUMENT',
      );
    }
    const store = await LevelEventStore.open(path, { flushAtOps: 'auto' });
    await store.createSession('s');
    await Promise.all([store.append('s', [userMessage('a')]), store.append('s', [userMessage('b')])]);
    expect((await store.loadEvents('s')).map((e) => e.seq)).toEqual([0, 1]);
    await store.close();
  });

  it('keeps everything across close and reopen, and continues the sequence', async () => {
    let store = await open();
    await store.createSession('s1', { tenant: 'acme' });
    await store.append('s1', [userMessage('a'), userMessage('b')]);
    await store.saveSnapshot('s1', 1, { n: 2 });
    await store.close();

    store = await open();
    expect(await store.sessionExists('s1')).toBe(true);
    expect((await store.loadEvents('s1')).map((e) => e.seq)).toEqual([0, 1]);
    expect(await store.latestSequence('s1')).toBe(1);
    // The seq cache is loaded lazily from the last key: the conflict check must see the reloaded value.
    await expectStoreError(
      store.append('s1', [userMessage('c')], { expectedNextSeq: 0 }),
      'SEQUENCE_CONFLICT',
    );
    expect(await store.append('s1', [userMessage('c')], { expectedNextSeq: 2 })).toEqual([2]);
    expect(await store.getSessionSummary('s1')).toMatchObject({
      messageCount: 3,
      metadata: { tenant: 'acme' },
    });
    expect(await store.loadLatestSnapshot('s1')).toEqual({ seq: 1, snapshot: { n: 2 } });
    expect(
      (await store.listSessions({ metadataFilter: { key: 'tenant', value: 'acme' } })).sessions,
    ).toHaveLength(1);
    await expectStoreError(store.createSession('s1'), 'SESSION_ALREADY_EXISTS');
    await store.close();
  });

  it('fails with LOCKED when the path is held by another open store', async () => {
    const store = await open();
    const err = await expectStoreError(open(), 'LOCKED');
    expect(err.message).toContain(path);
    await store.close();
    const again = await open();
    await again.close();
  });

  it('coalesces appends of many sessions in one event-loop turn into one batch write', async () => {
    const store = await open();
    const ids = Array.from({ length: 200 }, (_, i) => `s${i}`);
    await Promise.all(ids.map((id) => store.createSession(id)));
    const before = store.writeStats.batches;
    const results = await Promise.all(
      ids.map((id) => store.append(id, [userMessage(id)], { expectedNextSeq: 0 })),
    );
    expect(results.every((r) => r[0] === 0)).toBe(true);
    expect(store.writeStats.batches - before).toBe(1);
    await store.close();
  });

  it('handles concurrent appends from many sessions: contiguous, complete, in order', async () => {
    const store = await open();
    const sessions = 100;
    const rounds = 15;
    const ids = Array.from({ length: sessions }, (_, i) => `c${i}`);
    await Promise.all(ids.map((id) => store.createSession(id)));
    await Promise.all(
      ids.map(async (id, i) => {
        let next = 0;
        for (let r = 0; r < rounds; r++) {
          const n = 1 + ((i + r) % 3);
          const seqs = await store.append(
            id,
            Array.from({ length: n }, (_, k) => userMessage(`${id}:${next + k}`)),
            { expectedNextSeq: next },
          );
          expect(seqs).toEqual(Array.from({ length: n }, (_, k) => next + k));
          next += n;
        }
      }),
    );
    expect(store.writeStats.batches).toBeLessThan(sessions * rounds);
    for (const id of ids) {
      const events = await store.loadEvents(id);
      events.forEach((e, k) => {
        expect(e.seq).toBe(k);
        expect(JSON.stringify(e.event)).toContain(`"${id}:${k}"`);
      });
      expect((await store.getSessionSummary(id))?.messageCount).toBe(events.length);
    }
    await store.close();
  });

  /** Runs `fn` on the raw database while no store has it open. */
  async function raw(fn: (db: Level<Buffer, Buffer>) => Promise<void>): Promise<void> {
    const db = new Level<Buffer, Buffer>(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open();
    try {
      await fn(db);
    } finally {
      await db.close();
    }
  }

  it('reads sequence numbers beyond 2^32 in numeric order and continues after them', async () => {
    let store = await open();
    await store.createSession('big');
    await store.createSession('big2');
    await store.close();
    const seqs = [9, 10, 99, 100, 999, 1000, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1];
    await raw(async (db) => {
      const p = sessionPrefix('big');
      // Written in an order that differs from numeric order on purpose.
      for (const seq of [...seqs].reverse())
        await db.put(eventKey(p, seq), encodeJson(userMessage(`n${seq}`)));
    });
    store = await open();
    // Runs of contiguous seqs read in numeric order (byte order of the keys), across 2^32 too.
    const run = async (after: number, n: number) =>
      (await store.loadEventsAfter('big', after, { limit: n })).map((e) => e.seq);
    expect(await run(8, 2)).toEqual([9, 10]);
    expect(await run(98, 2)).toEqual([99, 100]);
    expect(await run(998, 2)).toEqual([999, 1000]);
    expect(await run(2 ** 32 - 2, 3)).toEqual(seqs.slice(6));
    expect((await store.loadEventsAfter('big', 2 ** 32 - 2)).map((e) => e.seq)).toEqual(seqs.slice(6));
    // The gaps between the runs are what a damaged log looks like.
    expect((await expectStoreError(store.loadEvents('big'), 'CORRUPT_RECORD')).seq).toBe(0);
    expect((await expectStoreError(store.loadEventsAfter('big', 10), 'CORRUPT_RECORD')).seq).toBe(11);
    expect(await store.latestSequence('big')).toBe(2 ** 32 + 1);
    expect(await store.append('big', [userMessage('next')])).toEqual([2 ** 32 + 2]);
    expect(await store.loadEvents('big2')).toEqual([]);
    await store.close();
  });

  it('fails a read of an undecodable record with CORRUPT_RECORD naming session and seq; others stay readable', async () => {
    let store = await open();
    await store.createSession('bad');
    await store.createSession('good');
    await store.append('bad', [userMessage('0'), userMessage('1'), userMessage('2')]);
    await store.append('good', [userMessage('ok')]);
    await store.close();
    await raw(async (db) => {
      await db.put(eventKey(sessionPrefix('bad'), 1), Buffer.from([0x01, 0x7b, 0x22])); // truncated JSON
    });
    store = await open();
    const err = await expectStoreError(store.loadEvents('bad'), 'CORRUPT_RECORD');
    expect(err.message).toContain('bad');
    expect(err.message).toContain('seq 1');
    expect(err.sessionId).toBe('bad');
    expect(err.seq).toBe(1);
    expect((await store.loadEventsAfter('bad', 1)).map((e) => e.seq)).toEqual([2]);
    expect((await store.loadEventsAfter('bad', -1, { limit: 1 })).map((e) => e.seq)).toEqual([0]);
    expect((await store.loadEvents('good')).map((e) => e.seq)).toEqual([0]);
    // The log itself is still appendable and deletable.
    expect(await store.append('bad', [userMessage('3')])).toEqual([3]);
    await store.deleteSession('bad');
    expect(await store.sessionExists('bad')).toBe(false);
    await store.close();
  });

  it('reports wrong-format values, non-event JSON and corrupt snapshots as CORRUPT_RECORD', async () => {
    let store = await open();
    await store.createSession('s');
    await store.append('s', [userMessage('0'), userMessage('1')]);
    await store.close();
    await raw(async (db) => {
      const p = sessionPrefix('s');
      await db.put(eventKey(p, 0), Buffer.from('{"type":"UserMessageAdded"}')); // no format byte
      await db.put(eventKey(p, 1), encodeJson([1, 2]));
      await db.put(snapshotKey(p, 1), Buffer.from([0x02, 0xff, 0xff]));
    });
    store = await open();
    expect((await expectStoreError(store.loadEvents('s'), 'CORRUPT_RECORD')).seq).toBe(0);
    expect((await expectStoreError(store.loadEventsAfter('s', 0), 'CORRUPT_RECORD')).seq).toBe(1);
    expect((await expectStoreError(store.loadLatestSnapshot('s'), 'CORRUPT_RECORD')).seq).toBe(1);
    await store.close();
  });

  it('writes count-only catalog changes lazily, yet every reader sees the exact count, also after reopen', async () => {
    let store = await open();
    await store.createSession('s', { tenant: 'acme' });
    await store.createSession('t', { tenant: 'acme' });
    await store.append('s', [assistantMessage('first', OTHER)]); // model and updatedAt: written now
    const opsBefore = store.writeStats.ops;
    for (let i = 0; i < 299; i++) await store.append('s', [userMessage(`m${i}`)]); // same second: counts only
    // One op per append, plus one catalog record when the lag reached CATALOG_MAX_LAG.
    expect(store.writeStats.ops - opsBefore).toBe(299 + 1);
    const check = async (count: number) => {
      expect((await store.getSessionSummary('s'))?.messageCount).toBe(count);
      const page = await store.listSessions();
      expect(page.sessions.find((x) => x.id === 's')?.messageCount).toBe(count);
      const filtered = await store.listSessions({ metadataFilter: { key: 'tenant', value: 'acme' } });
      expect(filtered.sessions.find((x) => x.id === 's')?.messageCount).toBe(count);
    };
    await check(300);
    await store.close();
    // On disk the record lags: it counts the events before its seq.
    await raw(async (db) => {
      const rec = JSON.parse((await db.get(catalogKey(sessionPrefix('s'))))!.toString('utf8', 1));
      expect(rec.seq).toBeGreaterThan(0);
      expect(rec.seq).toBeLessThan(300);
      expect(rec.messageCount).toBe(rec.seq);
    });
    store = await open();
    await check(300);
    expect(await store.append('s', [userMessage('after reopen')])).toEqual([300]);
    await check(301);
    // A change beyond the count (a new second) is written at once: the record catches up with the log.
    clock.advance(1000);
    await store.append('s', [userMessage('next second')]);
    await store.close();
    await raw(async (db) => {
      const rec = JSON.parse((await db.get(catalogKey(sessionPrefix('s'))))!.toString('utf8', 1));
      expect(rec).toMatchObject({ seq: 302, messageCount: 302, lastModel: 'anthropic/claude-x' });
    });
    store = await open();
    await check(302);
    await store.close();
  });

  it('keeps a session with a corrupt event after its catalog record listable and appendable', async () => {
    let store = await open();
    await store.createSession('s');
    await store.append('s', [userMessage('0'), userMessage('1'), userMessage('2')]);
    await store.close();
    await raw(async (db) => {
      const rec = JSON.parse((await db.get(catalogKey(sessionPrefix('s'))))!.toString('utf8', 1));
      expect(rec.seq).toBe(0); // the three messages are counted from the log
      await db.put(eventKey(sessionPrefix('s'), 1), Buffer.from([0x01, 0x7b])); // truncated JSON
    });
    store = await open();
    // The undecodable event is no message to count; reading the events reports it.
    expect((await store.getSessionSummary('s'))?.messageCount).toBe(2);
    expect(await store.append('s', [userMessage('3')])).toEqual([3]);
    expect((await store.listSessions()).sessions[0]?.messageCount).toBe(3);
    await expectStoreError(store.loadEvents('s'), 'CORRUPT_RECORD');
    await store.close();
  });

  it('reports a corrupt catalog record as CORRUPT_RECORD and can still delete that session', async () => {
    let store = await open();
    await store.createSession('s', { tenant: 'acme' });
    await store.createSession('t', { tenant: 'acme' });
    await store.append('s', [userMessage('0')]);
    await store.close();
    await raw(async (db) => {
      await db.put(catalogKey(sessionPrefix('s')), Buffer.from([0x01, 0x5b]));
    });
    store = await open();
    await expectStoreError(store.getSessionSummary('s'), 'CORRUPT_RECORD');
    await expectStoreError(store.append('s', [userMessage('1')]), 'CORRUPT_RECORD');
    await expectStoreError(store.listSessions(), 'CORRUPT_RECORD');
    // Its events cannot be checked against the catalog any more: the read fails too.
    await expectStoreError(store.loadEvents('s'), 'CORRUPT_RECORD');
    expect(await store.loadEvents('t')).toEqual([]);
    await store.deleteSession('s');
    expect(await store.sessionExists('s')).toBe(false);
    expect(await store.listSessionIds()).toEqual(['t']);
    const page = await store.listSessions({ metadataFilter: { key: 'tenant', value: 'acme' } });
    expect(page.sessions.map((x) => x.id)).toEqual(['t']);
    await store.close();
  });

  it('finishes a delete interrupted between its two steps when it reopens', async () => {
    let store = await open();
    await store.createSession('gone', { tenant: 'acme' });
    await store.createSession('kept');
    await store.append('gone', [userMessage('0'), userMessage('1')]);
    await store.saveSnapshot('gone', 1, 'snap');
    await store.append('kept', [userMessage('k')]);
    const summary = await store.getSessionSummary('gone');
    await store.close();
    // State after step 1 of deleteSession (catalog and index gone, tombstone written) but before the purge.
    await raw(async (db) => {
      const ops = [
        updatedIndexKey(summary!.updatedAt, 'gone'),
        metadataIndexKey('tenant', 'acme', 'gone'),
      ].map((key) => ({ type: 'del' as const, key }));
      await db.batch([
        ...ops,
        { type: 'del', key: catalogKey(sessionPrefix('gone')) },
        { type: 'put', key: tombstoneKey('gone'), value: Buffer.alloc(0) },
      ]);
    });
    store = await open();
    expect(await store.sessionExists('gone')).toBe(false);
    await store.createSession('gone');
    expect(await store.loadEvents('gone')).toEqual([]);
    expect(await store.loadLatestSnapshot('gone')).toBeNull();
    expect(await store.append('gone', [userMessage('new')])).toEqual([0]);
    expect((await store.loadEvents('kept')).map((e) => e.seq)).toEqual([0]);
    await store.close();
    await raw(async (db) => {
      expect(await db.get(tombstoneKey('gone'))).toBeUndefined();
    });
  });

  it('rejects an append whose batch write fails with IO and reloads the sequence afterwards', async () => {
    const store = await open();
    await store.createSession('s');
    await store.append('s', [userMessage('0')]);
    const restore = failBatchWrites(store);
    const failed = store.append('s', [userMessage('1')], { expectedNextSeq: 1 });
    const err = await expectStoreError(failed, 'IO');
    expect(err.message).toContain('injected write failure');
    restore();
    // Nothing was written, so the next append must again be seq 1.
    expect(await store.append('s', [userMessage('1 again')], { expectedNextSeq: 1 })).toEqual([1]);
    expect((await store.loadEvents('s')).map((e) => e.seq)).toEqual([0, 1]);
    await store.close();
  });

  it('keeps a session whose delete could not be written', async () => {
    const store = await open();
    await store.createSession('s');
    await store.append('s', [userMessage('0')]);
    const restore = failBatchWrites(store);
    await expectStoreError(store.deleteSession('s'), 'IO');
    restore();
    expect(await store.sessionExists('s')).toBe(true);
    expect((await store.loadEvents('s')).map((e) => e.seq)).toEqual([0]);
    expect(await store.append('s', [userMessage('1')], { expectedNextSeq: 1 })).toEqual([1]);
    await store.deleteSession('s');
    expect(await store.sessionExists('s')).toBe(false);
    await store.close();
  });

  it('refuses a database written in another layout version', async () => {
    await raw(async (db) => {
      await db.put(Buffer.from('!format'), Buffer.from('99'));
    });
    const err = await expectStoreError(open(), 'IO');
    expect(err.message).toContain('format 99');
    // The failed open released the lock.
    await raw(async () => undefined);
  });
});
