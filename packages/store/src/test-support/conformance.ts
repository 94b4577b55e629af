import type { SessionEvent } from '@shoal/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionStore } from '../event-store.js';
import {
  assistantMessage,
  compacted,
  configUpdated,
  expectStoreError,
  OTHER,
  operationStarted,
  SIM,
  sessionCreated,
  TestClock,
  toolCallStarted,
  unencodableToolCallStarted,
  usageUpdated,
  userMessage,
} from './fixtures.js';

export interface ConformanceHarness {
  /** A fresh, empty store using `clock` for catalog times. */
  open(clock: TestClock): Promise<SessionStore>;
  /** Called after each test (the store may already be closed). */
  cleanup?(): Promise<void>;
}

/**
 * The one conformance suite both stores must pass (in the spirit of the Akka persistence TCK journal
 * spec): create, append, read ranges, latest sequence, delete, list, sequence conflicts, atomicity, errors,
 * plus the catalog (spec §9.3) and snapshots.
 */
export function describeConformance(name: string, harness: ConformanceHarness): void {
  describe(`${name}: EventStore conformance`, () => {
    let store: SessionStore;
    let clock: TestClock;

    beforeEach(async () => {
      clock = new TestClock();
      store = await harness.open(clock);
    });
    afterEach(async () => {
      await store.close();
      await harness.cleanup?.();
    });

    const seqsOf = async (id: string): Promise<number[]> => (await store.loadEvents(id)).map((e) => e.seq);

    describe('createSession', () => {
      it('registers a session with no events', async () => {
        await store.createSession('s1');
        expect(await store.sessionExists('s1')).toBe(true);
        expect(await store.latestSequence('s1')).toBeNull();
        expect(await store.loadEvents('s1')).toEqual([]);
      });

      it('rejects an existing id with SESSION_ALREADY_EXISTS and keeps its events', async () => {
        await store.createSession('s1');
        await store.append('s1', [userMessage('hi')]);
        await expectStoreError(store.createSession('s1'), 'SESSION_ALREADY_EXISTS');
        expect(await seqsOf('s1')).toEqual([0]);
      });

      it('rejects concurrent creates of one id: exactly one wins', async () => {
        const results = await Promise.allSettled([store.createSession('dup'), store.createSession('dup')]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      });

      it('rejects malformed ids and metadata with INVALID_ARGUMENT', async () => {
        await expectStoreError(store.createSession(''), 'INVALID_ARGUMENT');
        await expectStoreError(store.createSession('a\0b'), 'INVALID_ARGUMENT');
        await expectStoreError(store.createSession('m', { tenant: 'a\0' }), 'INVALID_ARGUMENT');
        await expectStoreError(
          store.createSession('m', { n: 1 } as unknown as Record<string, string>),
          'INVALID_ARGUMENT',
        );
        expect(await store.sessionExists('m')).toBe(false);
      });

      it('stores initial events at seq 0.. with the registration, catalog and config in one write', async () => {
        const created = sessionCreated({ title: 'born', metadata: { tenant: 'evil', project: 'p' } });
        await store.createSession('s1', { tenant: 'acme' }, [created, userMessage('first')]);
        expect(await store.loadEvents('s1')).toEqual([
          { seq: 0, event: created },
          { seq: 1, event: expect.objectContaining({ type: 'UserMessageAdded' }) },
        ]);
        expect(await store.latestSequence('s1')).toBe(1);
        expect(await store.getSessionSummary('s1')).toMatchObject({
          title: 'born',
          messageCount: 1,
          metadata: { tenant: 'acme', project: 'p' },
        });
        expect((await store.getSessionConfig('s1'))?.title).toBe('born');
        const byProject = await store.listSessions({ metadataFilter: { key: 'project', value: 'p' } });
        expect(byProject.sessions.map((s) => s.id)).toEqual(['s1']);
        expect(await store.append('s1', [userMessage('next')], { expectedNextSeq: 2 })).toEqual([2]);
        // An empty list is the same as none.
        await store.createSession('s2', undefined, []);
        expect(await store.latestSequence('s2')).toBeNull();
        expect(await store.append('s2', [userMessage('a')], { expectedNextSeq: 0 })).toEqual([0]);
      });

      it('creates nothing when an initial event is invalid, or the id exists', async () => {
        const bad = { type: 'SessionCreated', config: {} } as unknown as SessionEvent;
        const err = await expectStoreError(
          store.createSession('s1', {}, [sessionCreated(), bad]),
          'INVALID_EVENT',
        );
        expect(err.eventIndex).toBe(1);
        await expectStoreError(
          store.createSession('s1', {}, 'x' as unknown as SessionEvent[]),
          'INVALID_ARGUMENT',
        );
        await expectStoreError(
          store.createSession('s1', {}, [unencodableToolCallStarted()]),
          'INVALID_EVENT',
        );
        expect(await store.sessionExists('s1')).toBe(false);
        expect(await store.listSessionIds()).toEqual([]);
        await store.createSession('s1', {}, [sessionCreated({ title: 'one' })]);
        await expectStoreError(
          store.createSession('s1', {}, [sessionCreated({ title: 'two' }), userMessage('x')]),
          'SESSION_ALREADY_EXISTS',
        );
        expect(await seqsOf('s1')).toEqual([0]);
        expect((await store.getSessionConfig('s1'))?.title).toBe('one');
      });

      it('lets an append issued right after a create with initial events follow them', async () => {
        const creating = store.createSession('s1', {}, [sessionCreated(), userMessage('a')]);
        const appended = store.append('s1', [userMessage('b')]);
        await creating;
        expect(await appended).toEqual([2]);
      });

      it('answers false / [] / null for unknown ids', async () => {
        expect(await store.sessionExists('nope')).toBe(false);
        expect(await store.loadEvents('nope')).toEqual([]);
        expect(await store.loadEventsAfter('nope', 3)).toEqual([]);
        expect(await store.latestSequence('nope')).toBeNull();
        expect(await store.getSessionSummary('nope')).toBeNull();
        expect(await store.getSessionConfig('nope')).toBeNull();
        expect(await store.loadLatestSnapshot('nope')).toBeNull();
      });
    });

    describe('append', () => {
      it('assigns contiguous sequence numbers from 0 (spec §9.1)', async () => {
        await store.createSession('s1');
        expect(await store.append('s1', [userMessage('a')])).toEqual([0]);
        expect(await store.append('s1', [userMessage('b'), userMessage('c'), userMessage('d')])).toEqual([
          1, 2, 3,
        ]);
        expect(await store.append('s1', [userMessage('e')])).toEqual([4]);
        expect(await store.latestSequence('s1')).toBe(4);
      });

      it('returns the stored events in order, equal to what was appended', async () => {
        await store.createSession('s1');
        const events = [
          sessionCreated({ title: 't' }),
          userMessage('hello'),
          assistantMessage('hi'),
          operationStarted(),
        ];
        await store.append('s1', events.slice(0, 1));
        await store.append('s1', events.slice(1));
        expect(await store.loadEvents('s1')).toEqual(events.map((event, seq) => ({ seq, event })));
      });

      it('keeps sessions independent, including ids that are prefixes of each other', async () => {
        const ids = ['a', 'ab', 'a!', 'a b', 'ä', 'a/0'];
        for (const id of ids) await store.createSession(id);
        for (const [i, id] of ids.entries()) {
          await store.append(
            id,
            Array.from({ length: i + 1 }, (_, k) => userMessage(`${id}-${k}`)),
          );
        }
        for (const [i, id] of ids.entries()) {
          const loaded = await store.loadEvents(id);
          expect(loaded.map((e) => e.seq)).toEqual(Array.from({ length: i + 1 }, (_, k) => k));
          expect(loaded.every((e) => JSON.stringify(e.event).includes(`"${id}-`))).toBe(true);
        }
        await store.deleteSession('a');
        expect(await store.loadEvents('a')).toEqual([]);
        expect(await seqsOf('ab')).toEqual([0, 1]);
        expect(await seqsOf('a!')).toEqual([0, 1, 2]);
      });

      it('rejects appends to a session never created with SESSION_NOT_FOUND, creating nothing', async () => {
        const err = await expectStoreError(store.append('ghost', [userMessage('x')]), 'SESSION_NOT_FOUND');
        expect(err.sessionId).toBe('ghost');
        expect(await store.sessionExists('ghost')).toBe(false);
        expect(await store.loadEvents('ghost')).toEqual([]);
      });

      it('checks expectedNextSeq: a match appends, a mismatch writes nothing (SEQUENCE_CONFLICT)', async () => {
        await store.createSession('s1');
        expect(await store.append('s1', [userMessage('a')], { expectedNextSeq: 0 })).toEqual([0]);
        expect(await store.append('s1', [userMessage('b')], { expectedNextSeq: 1 })).toEqual([1]);
        const err = await expectStoreError(
          store.append('s1', [userMessage('c'), userMessage('d')], { expectedNextSeq: 1 }),
          'SEQUENCE_CONFLICT',
        );
        expect(err.expectedNextSeq).toBe(1);
        expect(err.actualNextSeq).toBe(2);
        await expectStoreError(
          store.append('s1', [userMessage('c')], { expectedNextSeq: 5 }),
          'SEQUENCE_CONFLICT',
        );
        expect(await seqsOf('s1')).toEqual([0, 1]);
        expect(await store.append('s1', [userMessage('c')], { expectedNextSeq: 2 })).toEqual([2]);
      });

      it('lets exactly one of two racing appends with the same expectedNextSeq win', async () => {
        await store.createSession('s1');
        const results = await Promise.allSettled([
          store.append('s1', [userMessage('x')], { expectedNextSeq: 0 }),
          store.append('s1', [userMessage('y')], { expectedNextSeq: 0 }),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        expect(await seqsOf('s1')).toEqual([0]);
      });

      it('orders concurrent appends to one session by call order, gap-free', async () => {
        await store.createSession('s1');
        const all = await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            store.append('s1', [userMessage(`m${i}`), userMessage(`m${i}b`)]),
          ),
        );
        expect(all.flat()).toEqual(Array.from({ length: 50 }, (_, i) => i));
        const texts = (await store.loadEvents('s1')).map((e) => textOf(e.event));
        expect(texts).toEqual(Array.from({ length: 25 }, (_, i) => [`m${i}`, `m${i}b`]).flat());
      });

      it('is atomic: one invalid event rejects the whole batch with INVALID_EVENT', async () => {
        await store.createSession('s1');
        await store.append('s1', [userMessage('ok')]);
        const bad = { type: 'UserMessageAdded', message: { role: 'user' } } as unknown as SessionEvent;
        const err = await expectStoreError(
          store.append('s1', [userMessage('a'), bad, userMessage('b')]),
          'INVALID_EVENT',
        );
        expect(err.eventIndex).toBe(1);
        expect(err.issues).toBeDefined();
        await expectStoreError(
          store.append('s1', [{ type: 'NoSuchEvent' } as unknown as SessionEvent]),
          'INVALID_EVENT',
        );
        expect(await seqsOf('s1')).toEqual([0]);
        expect((await store.getSessionSummary('s1'))?.messageCount).toBe(1);
        expect(await store.append('s1', [userMessage('next')])).toEqual([1]);
      });

      it('rejects an event JSON cannot hold (BigInt inside unknown parameters), writing nothing', async () => {
        await store.createSession('s1');
        const ev = unencodableToolCallStarted();
        await expectStoreError(store.append('s1', [userMessage('a'), ev]), 'INVALID_EVENT');
        expect(await store.loadEvents('s1')).toEqual([]);
      });

      it('stores the validated form and is not affected by later mutation of the input', async () => {
        await store.createSession('s1');
        const ev = userMessage('original') as SessionEvent & { extra?: string };
        ev.extra = 'stripped by the schema';
        await store.append('s1', [ev]);
        if (ev.type === 'UserMessageAdded') ev.message.content = [];
        const [stored] = await store.loadEvents('s1');
        expect(textOf(stored!.event)).toBe('original');
        expect('extra' in stored!.event).toBe(false);
      });

      it('accepts an empty batch: returns [] and writes nothing, still checking expectedNextSeq', async () => {
        await store.createSession('s1');
        expect(await store.append('s1', [])).toEqual([]);
        expect(await store.append('s1', [], { expectedNextSeq: 0 })).toEqual([]);
        await expectStoreError(store.append('s1', [], { expectedNextSeq: 3 }), 'SEQUENCE_CONFLICT');
        expect(await store.latestSequence('s1')).toBeNull();
      });

      it('rejects malformed arguments with INVALID_ARGUMENT', async () => {
        await store.createSession('s1');
        await expectStoreError(
          store.append('s1', [userMessage('a')], { expectedNextSeq: -1 }),
          'INVALID_ARGUMENT',
        );
        await expectStoreError(
          store.append('s1', [userMessage('a')], { expectedNextSeq: 0.5 }),
          'INVALID_ARGUMENT',
        );
        await expectStoreError(store.append('s1', 'x' as unknown as SessionEvent[]), 'INVALID_ARGUMENT');
        await expectStoreError(store.append('', [userMessage('a')]), 'INVALID_ARGUMENT');
      });
    });

    describe('reading ranges', () => {
      beforeEach(async () => {
        await store.createSession('s1');
        await store.append(
          's1',
          ['a', 'b', 'c', 'd', 'e'].map((t) => userMessage(t)),
        );
      });

      it('loadEventsAfter is exclusive (spec §9.1: after 2 of 0-4 gives 3 and 4)', async () => {
        expect((await store.loadEventsAfter('s1', 2)).map((e) => e.seq)).toEqual([3, 4]);
        expect((await store.loadEventsAfter('s1', -1)).map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
        expect(await store.loadEventsAfter('s1', 4)).toEqual([]);
        expect(await store.loadEventsAfter('s1', 100)).toEqual([]);
      });

      it('honours limit', async () => {
        expect((await store.loadEventsAfter('s1', 0, { limit: 2 })).map((e) => e.seq)).toEqual([1, 2]);
        expect((await store.loadEventsAfter('s1', 3, { limit: 10 })).map((e) => e.seq)).toEqual([4]);
        expect(await store.loadEventsAfter('s1', -1, { limit: 0 })).toEqual([]);
      });

      it('matches loadEvents for every starting point', async () => {
        const all = await store.loadEvents('s1');
        for (let after = -1; after <= 5; after++) {
          expect(await store.loadEventsAfter('s1', after)).toEqual(all.slice(after + 1));
        }
      });

      it('rejects malformed ranges with INVALID_ARGUMENT', async () => {
        await expectStoreError(store.loadEventsAfter('s1', -2), 'INVALID_ARGUMENT');
        await expectStoreError(store.loadEventsAfter('s1', 1.5), 'INVALID_ARGUMENT');
        await expectStoreError(store.loadEventsAfter('s1', Number.NaN), 'INVALID_ARGUMENT');
        await expectStoreError(store.loadEventsAfter('s1', 0, { limit: -1 }), 'INVALID_ARGUMENT');
      });
    });

    describe('deleteSession', () => {
      it('removes events, catalog, config and snapshot; other sessions stay', async () => {
        await store.createSession('s1', { tenant: 'acme' });
        await store.createSession('s2', { tenant: 'acme' });
        await store.append('s1', [sessionCreated({ title: 'one' }), userMessage('a')]);
        await store.append('s2', [userMessage('b')]);
        await store.saveSnapshot('s1', 1, { state: 1 });
        await store.deleteSession('s1');
        expect(await store.sessionExists('s1')).toBe(false);
        expect(await store.loadEvents('s1')).toEqual([]);
        expect(await store.latestSequence('s1')).toBeNull();
        expect(await store.getSessionSummary('s1')).toBeNull();
        expect(await store.getSessionConfig('s1')).toBeNull();
        expect(await store.loadLatestSnapshot('s1')).toBeNull();
        expect(await store.listSessionIds()).toEqual(['s2']);
        const page = await store.listSessions({ metadataFilter: { key: 'tenant', value: 'acme' } });
        expect(page.sessions.map((s) => s.id)).toEqual(['s2']);
        expect(await seqsOf('s2')).toEqual([0]);
        await expectStoreError(store.append('s1', [userMessage('x')]), 'SESSION_NOT_FOUND');
      });

      it('is ok for unknown ids and idempotent', async () => {
        await store.deleteSession('never');
        await store.createSession('s1');
        await store.deleteSession('s1');
        await store.deleteSession('s1');
        expect(await store.sessionExists('s1')).toBe(false);
      });

      it('lets a deleted id be created again, starting from seq 0 with nothing left over', async () => {
        await store.createSession('s1', { tenant: 'old' });
        await store.append('s1', [userMessage('a'), userMessage('b')]);
        await store.saveSnapshot('s1', 1, 'snap');
        await store.deleteSession('s1');
        await store.createSession('s1', { tenant: 'new' });
        expect(await store.loadEvents('s1')).toEqual([]);
        expect(await store.loadLatestSnapshot('s1')).toBeNull();
        expect(await store.append('s1', [userMessage('c')], { expectedNextSeq: 0 })).toEqual([0]);
        expect((await store.getSessionSummary('s1'))?.metadata).toEqual({ tenant: 'new' });
        expect(
          (await store.listSessions({ metadataFilter: { key: 'tenant', value: 'old' } })).sessions,
        ).toEqual([]);
      });

      it('does not lose appends accepted before the delete, nor resurrect the session', async () => {
        await store.createSession('s1');
        await store.append('s1', [userMessage('warm the cache')]);
        const pending = store.append('s1', [userMessage('a')]);
        const del = store.deleteSession('s1');
        expect(await pending).toEqual([1]);
        await del;
        expect(await store.sessionExists('s1')).toBe(false);
        expect(await store.loadEvents('s1')).toEqual([]);
      });
    });

    describe('listing', () => {
      it('listSessionIds returns every session, most recently updated first', async () => {
        for (const id of ['a', 'b', 'c']) {
          clock.advance();
          await store.createSession(id);
        }
        expect(await store.listSessionIds()).toEqual(['c', 'b', 'a']);
        clock.advance();
        await store.append('a', [userMessage('bump')]);
        expect(await store.listSessionIds()).toEqual(['a', 'c', 'b']);
      });

      it('listSessions pages newest-updated first, with cursor and offset', async () => {
        const ids = Array.from({ length: 7 }, (_, i) => `s${i}`);
        for (const id of ids) {
          clock.advance();
          await store.createSession(id);
        }
        const newestFirst = [...ids].reverse();
        const seen: string[] = [];
        let cursor: string | undefined;
        for (;;) {
          const page = await store.listSessions(cursor === undefined ? { limit: 3 } : { limit: 3, cursor });
          seen.push(...page.sessions.map((s) => s.id));
          if (page.nextCursor === null) break;
          cursor = page.nextCursor;
        }
        expect(seen).toEqual(newestFirst);
        expect((await store.listSessions({ offset: 2, limit: 2 })).sessions.map((s) => s.id)).toEqual(
          newestFirst.slice(2, 4),
        );
        expect((await store.listSessions()).sessions).toHaveLength(7);
        expect((await store.listSessions({ limit: 7 })).nextCursor).toBeNull();
        expect((await store.listSessions({ limit: 0 })).sessions).toEqual([]);
      });

      it('breaks updatedAt ties by id', async () => {
        for (const id of ['b', 'c', 'a']) await store.createSession(id);
        expect(await store.listSessionIds()).toEqual(['a', 'b', 'c']);
      });

      it('filters by a metadata pair, e.g. tenant, and pages within the filter', async () => {
        for (let i = 0; i < 6; i++) {
          clock.advance();
          await store.createSession(`s${i}`, { tenant: i % 2 === 0 ? 'acme' : 'globex', tier: 'free' });
        }
        const acme = { key: 'tenant', value: 'acme' };
        const first = await store.listSessions({ metadataFilter: acme, limit: 2 });
        expect(first.sessions.map((s) => s.id)).toEqual(['s4', 's2']);
        expect(first.sessions[0]!.metadata).toEqual({ tenant: 'acme', tier: 'free' });
        const second = await store.listSessions({
          metadataFilter: acme,
          limit: 2,
          cursor: first.nextCursor!,
        });
        expect(second.sessions.map((s) => s.id)).toEqual(['s0']);
        expect(second.nextCursor).toBeNull();
        clock.advance();
        await store.append('s0', [userMessage('bump')]);
        expect((await store.listSessions({ metadataFilter: acme })).sessions.map((s) => s.id)).toEqual([
          's0',
          's4',
          's2',
        ]);
        expect(
          (await store.listSessions({ metadataFilter: { key: 'tenant', value: 'none' } })).sessions,
        ).toEqual([]);
        expect(
          (await store.listSessions({ metadataFilter: { key: 'tier', value: 'free' } })).sessions,
        ).toHaveLength(6);
      });

      it('rejects malformed listing options with INVALID_ARGUMENT', async () => {
        await expectStoreError(store.listSessions({ cursor: 'not a cursor!' }), 'INVALID_ARGUMENT');
        await expectStoreError(store.listSessions({ limit: -1 }), 'INVALID_ARGUMENT');
        await expectStoreError(store.listSessions({ offset: 1.5 }), 'INVALID_ARGUMENT');
        await expectStoreError(
          store.listSessions({ metadataFilter: { key: '', value: 'x' } }),
          'INVALID_ARGUMENT',
        );
      });
    });

    describe('catalog (spec §9.3)', () => {
      it('starts with the creation time, no messages and the given metadata', async () => {
        await store.createSession('s1', { tenant: 'acme' });
        expect(await store.getSessionSummary('s1')).toEqual({
          id: 's1',
          createdAt: clock.t,
          updatedAt: clock.t,
          messageCount: 0,
          metadata: { tenant: 'acme' },
        });
      });

      it('counts messages, tracks the last model and title, and bumps updatedAt', async () => {
        const created = clock.t;
        await store.createSession('s1');
        clock.advance(10_000);
        await store.append('s1', [
          sessionCreated({ title: 'first', metadata: { tenant: 'evil', src: 'cfg' } }),
        ]);
        let s = await store.getSessionSummary('s1');
        expect(s).toMatchObject({ createdAt: created, updatedAt: clock.t, messageCount: 0, title: 'first' });
        expect(s?.lastModel).toBeUndefined();
        expect((await store.getSessionConfig('s1'))?.title).toBe('first');

        clock.advance(10_000);
        await store.append('s1', [userMessage('q'), assistantMessage('a', OTHER)]);
        s = await store.getSessionSummary('s1');
        expect(s).toMatchObject({ messageCount: 2, lastModel: 'anthropic/claude-x', updatedAt: clock.t });

        clock.advance(10_000);
        await store.append('s1', [toolCallStarted(SIM)]);
        expect((await store.getSessionSummary('s1'))?.lastModel).toBe('simulated/sim');
        await store.append('s1', [usageUpdated(OTHER)]);
        expect((await store.getSessionSummary('s1'))?.lastModel).toBe('anthropic/claude-x');
        await store.append('s1', [compacted('bare-model-id')]);
        expect((await store.getSessionSummary('s1'))?.lastModel).toBe('bare-model-id');

        await store.append('s1', [configUpdated('second')]);
        expect((await store.getSessionSummary('s1'))?.title).toBe('second');
        expect((await store.getSessionConfig('s1'))?.title).toBe('second');
        await store.append('s1', [configUpdated(undefined)]);
        s = await store.getSessionSummary('s1');
        expect(s?.title).toBeUndefined();
        expect(s?.messageCount).toBe(2);
      });

      it('does not bump updatedAt for events outside §9.3', async () => {
        await store.createSession('s1');
        const before = clock.t;
        clock.advance(50_000);
        await store.append('s1', [operationStarted()]);
        expect((await store.getSessionSummary('s1'))?.updatedAt).toBe(before);
      });

      it('adds SessionCreated metadata without overriding createSession metadata', async () => {
        await store.createSession('s1', { tenant: 'acme' });
        await store.append('s1', [sessionCreated({ metadata: { tenant: 'evil', project: 'x' } })]);
        expect((await store.getSessionSummary('s1'))?.metadata).toEqual({ tenant: 'acme', project: 'x' });
        const byProject = await store.listSessions({ metadataFilter: { key: 'project', value: 'x' } });
        expect(byProject.sessions.map((s) => s.id)).toEqual(['s1']);
        expect(
          (await store.listSessions({ metadataFilter: { key: 'tenant', value: 'evil' } })).sessions,
        ).toEqual([]);
      });

      it('keeps catalog times to whole seconds (spec notation: "now" is whole seconds)', async () => {
        clock.t = 1_700_000_000_999;
        await store.createSession('s1');
        expect(await store.getSessionSummary('s1')).toMatchObject({
          createdAt: 1_700_000_000_000,
          updatedAt: 1_700_000_000_000,
        });
        clock.t = 1_700_000_001_500;
        await store.append('s1', [userMessage('x')]);
        expect((await store.getSessionSummary('s1'))?.updatedAt).toBe(1_700_000_001_000);
      });

      it('keeps updatedAt monotonic when the clock goes backwards', async () => {
        await store.createSession('s1');
        const t0 = clock.t;
        clock.t -= 5000;
        await store.append('s1', [userMessage('x')]);
        expect((await store.getSessionSummary('s1'))?.updatedAt).toBe(t0);
      });
    });

    describe('snapshots', () => {
      beforeEach(async () => {
        await store.createSession('s1');
        await store.append(
          's1',
          ['a', 'b', 'c', 'd'].map((t) => userMessage(t)),
        );
      });

      it('saves and loads the latest snapshot; resume = snapshot + tail', async () => {
        expect(await store.loadLatestSnapshot('s1')).toBeNull();
        await store.saveSnapshot('s1', 1, { messages: ['a', 'b'] });
        await store.saveSnapshot('s1', 2, { messages: ['a', 'b', 'c'] });
        const snap = await store.loadLatestSnapshot('s1');
        expect(snap).toEqual({ seq: 2, snapshot: { messages: ['a', 'b', 'c'] } });
        expect((await store.loadEventsAfter('s1', snap!.seq)).map((e) => e.seq)).toEqual([3]);
      });

      it('keeps the highest seq as latest when an older one is saved later', async () => {
        await store.saveSnapshot('s1', 3, 'three');
        await store.saveSnapshot('s1', 1, 'one');
        expect(await store.loadLatestSnapshot('s1')).toEqual({ seq: 3, snapshot: 'three' });
      });

      it('round-trips structured-cloneable values', async () => {
        const value = { map: new Map([['k', 1]]), when: new Date(5), nothing: undefined, list: [1, 'two'] };
        await store.saveSnapshot('s1', 0, value);
        expect((await store.loadLatestSnapshot('s1'))?.snapshot).toEqual(value);
      });

      it('rejects unknown sessions, seqs without an event and uncloneable values', async () => {
        await expectStoreError(store.saveSnapshot('ghost', 0, {}), 'SESSION_NOT_FOUND');
        await expectStoreError(store.saveSnapshot('s1', 4, {}), 'INVALID_ARGUMENT');
        await expectStoreError(store.saveSnapshot('s1', -1, {}), 'INVALID_ARGUMENT');
        await expectStoreError(store.saveSnapshot('s1', 0, { f: () => 1 }), 'INVALID_ARGUMENT');
        expect(await store.loadLatestSnapshot('s1')).toBeNull();
      });
    });

    describe('close', () => {
      it('completes appends accepted before close, then answers CLOSED everywhere', async () => {
        await store.createSession('s1');
        const accepted = store.append('s1', [userMessage('a')]);
        await store.close();
        expect(await accepted).toEqual([0]);
        await store.close(); // idempotent
        await expectStoreError(store.createSession('s2'), 'CLOSED');
        await expectStoreError(store.append('s1', [userMessage('b')]), 'CLOSED');
        await expectStoreError(store.loadEvents('s1'), 'CLOSED');
        await expectStoreError(store.loadEventsAfter('s1', 0), 'CLOSED');
        await expectStoreError(store.latestSequence('s1'), 'CLOSED');
        await expectStoreError(store.sessionExists('s1'), 'CLOSED');
        await expectStoreError(store.deleteSession('s1'), 'CLOSED');
        await expectStoreError(store.listSessionIds(), 'CLOSED');
        await expectStoreError(store.listSessions(), 'CLOSED');
        await expectStoreError(store.getSessionSummary('s1'), 'CLOSED');
        await expectStoreError(store.getSessionConfig('s1'), 'CLOSED');
        await expectStoreError(store.saveSnapshot('s1', 0, {}), 'CLOSED');
        await expectStoreError(store.loadLatestSnapshot('s1'), 'CLOSED');
      });
    });
  });
}

export function textOf(ev: SessionEvent): string {
  if (ev.type !== 'UserMessageAdded' && ev.type !== 'AssistantMessageAdded') return '';
  const first = ev.message.content[0];
  return first !== undefined && first.type === 'text' ? first.text : '';
}
