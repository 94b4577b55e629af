import { beforeEach, describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance.js';
import { expectStoreError, sessionCreated, userMessage } from './fixtures.js';

/** Conformance: reading ranges, deleting sessions, closing the store. */
export function describeReadsAndDeletes(t: ConformanceContext): void {
  describe('reading ranges', () => {
    beforeEach(async () => {
      await t.store.createSession('s1');
      await t.store.append(
        's1',
        ['a', 'b', 'c', 'd', 'e'].map((t) => userMessage(t)),
      );
    });

    it('loadEventsAfter is exclusive (spec §9.1: after 2 of 0-4 gives 3 and 4)', async () => {
      expect((await t.store.loadEventsAfter('s1', 2)).map((e) => e.seq)).toEqual([3, 4]);
      expect((await t.store.loadEventsAfter('s1', -1)).map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
      expect(await t.store.loadEventsAfter('s1', 4)).toEqual([]);
      expect(await t.store.loadEventsAfter('s1', 100)).toEqual([]);
    });

    it('honours limit', async () => {
      expect((await t.store.loadEventsAfter('s1', 0, { limit: 2 })).map((e) => e.seq)).toEqual([1, 2]);
      expect((await t.store.loadEventsAfter('s1', 3, { limit: 10 })).map((e) => e.seq)).toEqual([4]);
      expect(await t.store.loadEventsAfter('s1', -1, { limit: 0 })).toEqual([]);
    });

    it('matches loadEvents for every starting point', async () => {
      const all = await t.store.loadEvents('s1');
      for (let after = -1; after <= 5; after++) {
        expect(await t.store.loadEventsAfter('s1', after)).toEqual(all.slice(after + 1));
      }
    });

    it('rejects malformed ranges with INVALID_ARGUMENT', async () => {
      await expectStoreError(t.store.loadEventsAfter('s1', -2), 'INVALID_ARGUMENT');
      await expectStoreError(t.store.loadEventsAfter('s1', 1.5), 'INVALID_ARGUMENT');
      await expectStoreError(t.store.loadEventsAfter('s1', Number.NaN), 'INVALID_ARGUMENT');
      await expectStoreError(t.store.loadEventsAfter('s1', 0, { limit: -1 }), 'INVALID_ARGUMENT');
    });
  });

  describe('deleteSession', () => {
    it('removes events, catalog, config and snapshot; other sessions stay', async () => {
      await t.store.createSession('s1', { tenant: 'acme' });
      await t.store.createSession('s2', { tenant: 'acme' });
      await t.store.append('s1', [sessionCreated({ title: 'one' }), userMessage('a')]);
      await t.store.append('s2', [userMessage('b')]);
      await t.store.saveSnapshot('s1', 1, { state: 1 });
      await t.store.deleteSession('s1');
      expect(await t.store.sessionExists('s1')).toBe(false);
      expect(await t.store.loadEvents('s1')).toEqual([]);
      expect(await t.store.latestSequence('s1')).toBeNull();
      expect(await t.store.getSessionSummary('s1')).toBeNull();
      expect(await t.store.getSessionConfig('s1')).toBeNull();
      expect(await t.store.loadLatestSnapshot('s1')).toBeNull();
      expect(await t.store.listSessionIds()).toEqual(['s2']);
      const page = await t.store.listSessions({ metadataFilter: { key: 'tenant', value: 'acme' } });
      expect(page.sessions.map((s) => s.id)).toEqual(['s2']);
      expect(await t.seqsOf('s2')).toEqual([0]);
      await expectStoreError(t.store.append('s1', [userMessage('x')]), 'SESSION_NOT_FOUND');
    });

    it('is ok for unknown ids and idempotent', async () => {
      await t.store.deleteSession('never');
      await t.store.createSession('s1');
      await t.store.deleteSession('s1');
      await t.store.deleteSession('s1');
      expect(await t.store.sessionExists('s1')).toBe(false);
    });

    it('lets a deleted id be created again, starting from seq 0 with nothing left over', async () => {
      await t.store.createSession('s1', { tenant: 'old' });
      await t.store.append('s1', [userMessage('a'), userMessage('b')]);
      await t.store.saveSnapshot('s1', 1, 'snap');
      await t.store.deleteSession('s1');
      await t.store.createSession('s1', { tenant: 'new' });
      expect(await t.store.loadEvents('s1')).toEqual([]);
      expect(await t.store.loadLatestSnapshot('s1')).toBeNull();
      expect(await t.store.append('s1', [userMessage('c')], { expectedNextSeq: 0 })).toEqual([0]);
      expect((await t.store.getSessionSummary('s1'))?.metadata).toEqual({ tenant: 'new' });
      expect(
        (await t.store.listSessions({ metadataFilter: { key: 'tenant', value: 'old' } })).sessions,
      ).toEqual([]);
    });

    it('does not lose appends accepted before the delete, nor resurrect the session', async () => {
      await t.store.createSession('s1');
      await t.store.append('s1', [userMessage('warm the cache')]);
      const pending = t.store.append('s1', [userMessage('a')]);
      const del = t.store.deleteSession('s1');
      expect(await pending).toEqual([1]);
      await del;
      expect(await t.store.sessionExists('s1')).toBe(false);
      expect(await t.store.loadEvents('s1')).toEqual([]);
    });
  });

  describe('close', () => {
    it('completes appends accepted before close, then answers CLOSED everywhere', async () => {
      await t.store.createSession('s1');
      const accepted = t.store.append('s1', [userMessage('a')]);
      await t.store.close();
      expect(await accepted).toEqual([0]);
      await t.store.close(); // idempotent
      await expectStoreError(t.store.createSession('s2'), 'CLOSED');
      await expectStoreError(t.store.append('s1', [userMessage('b')]), 'CLOSED');
      await expectStoreError(t.store.loadEvents('s1'), 'CLOSED');
      await expectStoreError(t.store.loadEventsAfter('s1', 0), 'CLOSED');
      await expectStoreError(t.store.latestSequence('s1'), 'CLOSED');
      await expectStoreError(t.store.sessionExists('s1'), 'CLOSED');
      await expectStoreError(t.store.deleteSession('s1'), 'CLOSED');
      await expectStoreError(t.store.listSessionIds(), 'CLOSED');
      await expectStoreError(t.store.listSessions(), 'CLOSED');
      await expectStoreError(t.store.getSessionSummary('s1'), 'CLOSED');
      await expectStoreError(t.store.getSessionConfig('s1'), 'CLOSED');
      await expectStoreError(t.store.saveSnapshot('s1', 0, {}), 'CLOSED');
      await expectStoreError(t.store.loadLatestSnapshot('s1'), 'CLOSED');
    });
  });
}
