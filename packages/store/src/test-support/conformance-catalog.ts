import { beforeEach, describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance.js';
import {
  assistantMessage,
  compacted,
  configUpdated,
  expectStoreError,
  OTHER,
  operationStarted,
  SIM,
  sessionCreated,
  toolCallStarted,
  usageUpdated,
  userMessage,
} from './fixtures.js';

/** Conformance: listing, the catalog (spec §9.3) and snapshots. */
export function describeCatalogAndSnapshots(t: ConformanceContext): void {
  describe('listing', () => {
    it('listSessionIds returns every session, most recently updated first', async () => {
      for (const id of ['a', 'b', 'c']) {
        t.clock.advance();
        await t.store.createSession(id);
      }
      expect(await t.store.listSessionIds()).toEqual(['c', 'b', 'a']);
      t.clock.advance();
      await t.store.append('a', [userMessage('bump')]);
      expect(await t.store.listSessionIds()).toEqual(['a', 'c', 'b']);
    });

    it('listSessions pages newest-updated first, with cursor and offset', async () => {
      const ids = Array.from({ length: 7 }, (_, i) => `s${i}`);
      for (const id of ids) {
        t.clock.advance();
        await t.store.createSession(id);
      }
      const newestFirst = [...ids].reverse();
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await t.store.listSessions(cursor === undefined ? { limit: 3 } : { limit: 3, cursor });
        seen.push(...page.sessions.map((s) => s.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(newestFirst);
      expect((await t.store.listSessions({ offset: 2, limit: 2 })).sessions.map((s) => s.id)).toEqual(
        newestFirst.slice(2, 4),
      );
      expect((await t.store.listSessions()).sessions).toHaveLength(7);
      expect((await t.store.listSessions({ limit: 7 })).nextCursor).toBeNull();
      expect((await t.store.listSessions({ limit: 0 })).sessions).toEqual([]);
    });

    it('breaks updatedAt ties by id', async () => {
      for (const id of ['b', 'c', 'a']) await t.store.createSession(id);
      expect(await t.store.listSessionIds()).toEqual(['a', 'b', 'c']);
    });

    it('filters by a metadata pair, e.g. tenant, and pages within the filter', async () => {
      for (let i = 0; i < 6; i++) {
        t.clock.advance();
        await t.store.createSession(`s${i}`, { tenant: i % 2 === 0 ? 'acme' : 'globex', tier: 'free' });
      }
      const acme = { key: 'tenant', value: 'acme' };
      const first = await t.store.listSessions({ metadataFilter: acme, limit: 2 });
      expect(first.sessions.map((s) => s.id)).toEqual(['s4', 's2']);
      expect(first.sessions[0]!.metadata).toEqual({ tenant: 'acme', tier: 'free' });
      const second = await t.store.listSessions({
        metadataFilter: acme,
        limit: 2,
        cursor: first.nextCursor!,
      });
      expect(second.sessions.map((s) => s.id)).toEqual(['s0']);
      expect(second.nextCursor).toBeNull();
      t.clock.advance();
      await t.store.append('s0', [userMessage('bump')]);
      expect((await t.store.listSessions({ metadataFilter: acme })).sessions.map((s) => s.id)).toEqual([
        's0',
        's4',
        's2',
      ]);
      expect(
        (await t.store.listSessions({ metadataFilter: { key: 'tenant', value: 'none' } })).sessions,
      ).toEqual([]);
      expect(
        (await t.store.listSessions({ metadataFilter: { key: 'tier', value: 'free' } })).sessions,
      ).toHaveLength(6);
    });

    it('rejects malformed listing options with INVALID_ARGUMENT', async () => {
      await expectStoreError(t.store.listSessions({ cursor: 'not a cursor!' }), 'INVALID_ARGUMENT');
      await expectStoreError(t.store.listSessions({ limit: -1 }), 'INVALID_ARGUMENT');
      await expectStoreError(t.store.listSessions({ offset: 1.5 }), 'INVALID_ARGUMENT');
      await expectStoreError(
        t.store.listSessions({ metadataFilter: { key: '', value: 'x' } }),
        'INVALID_ARGUMENT',
      );
    });
  });

  describe('catalog (spec §9.3)', () => {
    it('starts with the creation time, no messages and the given metadata', async () => {
      await t.store.createSession('s1', { tenant: 'acme' });
      expect(await t.store.getSessionSummary('s1')).toEqual({
        id: 's1',
        createdAt: t.clock.t,
        updatedAt: t.clock.t,
        messageCount: 0,
        metadata: { tenant: 'acme' },
      });
    });

    it('counts messages, tracks the last model and title, and bumps updatedAt', async () => {
      const created = t.clock.t;
      await t.store.createSession('s1');
      t.clock.advance(10_000);
      await t.store.append('s1', [
        sessionCreated({ title: 'first', metadata: { tenant: 'evil', src: 'cfg' } }),
      ]);
      let s = await t.store.getSessionSummary('s1');
      expect(s).toMatchObject({ createdAt: created, updatedAt: t.clock.t, messageCount: 0, title: 'first' });
      expect(s?.lastModel).toBeUndefined();
      expect((await t.store.getSessionConfig('s1'))?.title).toBe('first');

      t.clock.advance(10_000);
      await t.store.append('s1', [userMessage('q'), assistantMessage('a', OTHER)]);
      s = await t.store.getSessionSummary('s1');
      expect(s).toMatchObject({ messageCount: 2, lastModel: 'anthropic/claude-x', updatedAt: t.clock.t });

      t.clock.advance(10_000);
      await t.store.append('s1', [toolCallStarted(SIM)]);
      expect((await t.store.getSessionSummary('s1'))?.lastModel).toBe('simulated/sim');
      await t.store.append('s1', [usageUpdated(OTHER)]);
      expect((await t.store.getSessionSummary('s1'))?.lastModel).toBe('anthropic/claude-x');
      await t.store.append('s1', [compacted('bare-model-id')]);
      expect((await t.store.getSessionSummary('s1'))?.lastModel).toBe('bare-model-id');

      await t.store.append('s1', [configUpdated('second')]);
      expect((await t.store.getSessionSummary('s1'))?.title).toBe('second');
      expect((await t.store.getSessionConfig('s1'))?.title).toBe('second');
      await t.store.append('s1', [configUpdated(undefined)]);
      s = await t.store.getSessionSummary('s1');
      expect(s?.title).toBeUndefined();
      expect(s?.messageCount).toBe(2);
    });

    it('does not bump updatedAt for events outside §9.3', async () => {
      await t.store.createSession('s1');
      const before = t.clock.t;
      t.clock.advance(50_000);
      await t.store.append('s1', [operationStarted()]);
      expect((await t.store.getSessionSummary('s1'))?.updatedAt).toBe(before);
    });

    it('adds SessionCreated metadata without overriding createSession metadata', async () => {
      await t.store.createSession('s1', { tenant: 'acme' });
      await t.store.append('s1', [sessionCreated({ metadata: { tenant: 'evil', project: 'x' } })]);
      expect((await t.store.getSessionSummary('s1'))?.metadata).toEqual({ tenant: 'acme', project: 'x' });
      const byProject = await t.store.listSessions({ metadataFilter: { key: 'project', value: 'x' } });
      expect(byProject.sessions.map((s) => s.id)).toEqual(['s1']);
      expect(
        (await t.store.listSessions({ metadataFilter: { key: 'tenant', value: 'evil' } })).sessions,
      ).toEqual([]);
    });

    it('keeps catalog times to whole seconds (spec notation: "now" is whole seconds)', async () => {
      t.clock.t = 1_700_000_000_999;
      await t.store.createSession('s1');
      expect(await t.store.getSessionSummary('s1')).toMatchObject({
        createdAt: 1_700_000_000_000,
        updatedAt: 1_700_000_000_000,
      });
      t.clock.t = 1_700_000_001_500;
      await t.store.append('s1', [userMessage('x')]);
      expect((await t.store.getSessionSummary('s1'))?.updatedAt).toBe(1_700_000_001_000);
    });

    it('keeps updatedAt monotonic when the clock goes backwards', async () => {
      await t.store.createSession('s1');
      const t0 = t.clock.t;
      t.clock.t -= 5000;
      await t.store.append('s1', [userMessage('x')]);
      expect((await t.store.getSessionSummary('s1'))?.updatedAt).toBe(t0);
    });
  });

  describe('snapshots', () => {
    beforeEach(async () => {
      await t.store.createSession('s1');
      await t.store.append(
        's1',
        ['a', 'b', 'c', 'd'].map((t) => userMessage(t)),
      );
    });

    it('saves and loads the latest snapshot; resume = snapshot + tail', async () => {
      expect(await t.store.loadLatestSnapshot('s1')).toBeNull();
      await t.store.saveSnapshot('s1', 1, { messages: ['a', 'b'] });
      await t.store.saveSnapshot('s1', 2, { messages: ['a', 'b', 'c'] });
      const snap = await t.store.loadLatestSnapshot('s1');
      expect(snap).toEqual({ seq: 2, snapshot: { messages: ['a', 'b', 'c'] } });
      expect((await t.store.loadEventsAfter('s1', snap!.seq)).map((e) => e.seq)).toEqual([3]);
    });

    it('keeps the highest seq as latest when an older one is saved later', async () => {
      await t.store.saveSnapshot('s1', 3, 'three');
      await t.store.saveSnapshot('s1', 1, 'one');
      expect(await t.store.loadLatestSnapshot('s1')).toEqual({ seq: 3, snapshot: 'three' });
    });

    it('round-trips structured-cloneable values', async () => {
      const value = { map: new Map([['k', 1]]), when: new Date(5), nothing: undefined, list: [1, 'two'] };
      await t.store.saveSnapshot('s1', 0, value);
      expect((await t.store.loadLatestSnapshot('s1'))?.snapshot).toEqual(value);
    });

    it('rejects unknown sessions, seqs without an event and uncloneable values', async () => {
      await expectStoreError(t.store.saveSnapshot('ghost', 0, {}), 'SESSION_NOT_FOUND');
      await expectStoreError(t.store.saveSnapshot('s1', 4, {}), 'INVALID_ARGUMENT');
      await expectStoreError(t.store.saveSnapshot('s1', -1, {}), 'INVALID_ARGUMENT');
      await expectStoreError(t.store.saveSnapshot('s1', 0, { f: () => 1 }), 'INVALID_ARGUMENT');
      expect(await t.store.loadLatestSnapshot('s1')).toBeNull();
    });
  });
}
