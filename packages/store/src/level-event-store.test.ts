import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LevelEventStore } from './level-event-store.js';
import { describeConformance } from './test-support/conformance.js';
import { expectStoreError, TestClock, userMessage } from './test-support/fixtures.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-store-'));
  dirs.push(dir);
  return dir;
}
function removeDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

for (const durability of ['fsync', 'buffered'] as const) {
  describeConformance(`LevelEventStore (${durability})`, {
    open: (clock) => LevelEventStore.open(join(tempDir(), 'db'), { durability, now: clock.now }),
    cleanup: async () => removeDirs(),
  });
}

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
});
