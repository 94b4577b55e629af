import type { SessionEvent } from '@shoal/shared';
import { describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance.js';
import {
  assistantMessage,
  expectStoreError,
  operationStarted,
  sessionCreated,
  textOf,
  unencodableToolCallStarted,
  userMessage,
} from './fixtures.js';

/** Conformance: creating sessions and appending to them. */
export function describeWrites(t: ConformanceContext): void {
  describe('createSession', () => {
    it('registers a session with no events', async () => {
      await t.store.createSession('s1');
      expect(await t.store.sessionExists('s1')).toBe(true);
      expect(await t.store.latestSequence('s1')).toBeNull();
      expect(await t.store.loadEvents('s1')).toEqual([]);
    });

    it('rejects an existing id with SESSION_ALREADY_EXISTS and keeps its events', async () => {
      await t.store.createSession('s1');
      await t.store.append('s1', [userMessage('hi')]);
      await expectStoreError(t.store.createSession('s1'), 'SESSION_ALREADY_EXISTS');
      expect(await t.seqsOf('s1')).toEqual([0]);
    });

    it('rejects concurrent creates of one id: exactly one wins', async () => {
      const results = await Promise.allSettled([t.store.createSession('dup'), t.store.createSession('dup')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('rejects malformed ids and metadata with INVALID_ARGUMENT', async () => {
      await expectStoreError(t.store.createSession(''), 'INVALID_ARGUMENT');
      await expectStoreError(t.store.createSession('a\0b'), 'INVALID_ARGUMENT');
      await expectStoreError(t.store.createSession('m', { tenant: 'a\0' }), 'INVALID_ARGUMENT');
      await expectStoreError(
        t.store.createSession('m', { n: 1 } as unknown as Record<string, string>),
        'INVALID_ARGUMENT',
      );
      expect(await t.store.sessionExists('m')).toBe(false);
    });

    it('stores initial events at seq 0.. with the registration, catalog and config in one write', async () => {
      const created = sessionCreated({ title: 'born', metadata: { tenant: 'evil', project: 'p' } });
      await t.store.createSession('s1', { tenant: 'acme' }, [created, userMessage('first')]);
      expect(await t.store.loadEvents('s1')).toEqual([
        { seq: 0, event: created },
        { seq: 1, event: expect.objectContaining({ type: 'UserMessageAdded' }) },
      ]);
      expect(await t.store.latestSequence('s1')).toBe(1);
      expect(await t.store.getSessionSummary('s1')).toMatchObject({
        title: 'born',
        messageCount: 1,
        metadata: { tenant: 'acme', project: 'p' },
      });
      expect((await t.store.getSessionConfig('s1'))?.title).toBe('born');
      const byProject = await t.store.listSessions({ metadataFilter: { key: 'project', value: 'p' } });
      expect(byProject.sessions.map((s) => s.id)).toEqual(['s1']);
      expect(await t.store.append('s1', [userMessage('next')], { expectedNextSeq: 2 })).toEqual([2]);
      // An empty list is the same as none.
      await t.store.createSession('s2', undefined, []);
      expect(await t.store.latestSequence('s2')).toBeNull();
      expect(await t.store.append('s2', [userMessage('a')], { expectedNextSeq: 0 })).toEqual([0]);
    });

    it('creates nothing when an initial event is invalid, or the id exists', async () => {
      const bad = { type: 'SessionCreated', config: {} } as unknown as SessionEvent;
      const err = await expectStoreError(
        t.store.createSession('s1', {}, [sessionCreated(), bad]),
        'INVALID_EVENT',
      );
      expect(err.eventIndex).toBe(1);
      await expectStoreError(
        t.store.createSession('s1', {}, 'x' as unknown as SessionEvent[]),
        'INVALID_ARGUMENT',
      );
      await expectStoreError(
        t.store.createSession('s1', {}, [unencodableToolCallStarted()]),
        'INVALID_EVENT',
      );
      expect(await t.store.sessionExists('s1')).toBe(false);
      expect(await t.store.listSessionIds()).toEqual([]);
      await t.store.createSession('s1', {}, [sessionCreated({ title: 'one' })]);
      await expectStoreError(
        t.store.createSession('s1', {}, [sessionCreated({ title: 'two' }), userMessage('x')]),
        'SESSION_ALREADY_EXISTS',
      );
      expect(await t.seqsOf('s1')).toEqual([0]);
      expect((await t.store.getSessionConfig('s1'))?.title).toBe('one');
    });

    it('lets an append issued right after a create with initial events follow them', async () => {
      const creating = t.store.createSession('s1', {}, [sessionCreated(), userMessage('a')]);
      const appended = t.store.append('s1', [userMessage('b')]);
      await creating;
      expect(await appended).toEqual([2]);
    });

    it('answers false / [] / null for unknown ids', async () => {
      expect(await t.store.sessionExists('nope')).toBe(false);
      expect(await t.store.loadEvents('nope')).toEqual([]);
      expect(await t.store.loadEventsAfter('nope', 3)).toEqual([]);
      expect(await t.store.latestSequence('nope')).toBeNull();
      expect(await t.store.getSessionSummary('nope')).toBeNull();
      expect(await t.store.getSessionConfig('nope')).toBeNull();
      expect(await t.store.loadLatestSnapshot('nope')).toBeNull();
    });
  });

  describe('append', () => {
    it('assigns contiguous sequence numbers from 0 (spec §9.1)', async () => {
      await t.store.createSession('s1');
      expect(await t.store.append('s1', [userMessage('a')])).toEqual([0]);
      expect(await t.store.append('s1', [userMessage('b'), userMessage('c'), userMessage('d')])).toEqual([
        1, 2, 3,
      ]);
      expect(await t.store.append('s1', [userMessage('e')])).toEqual([4]);
      expect(await t.store.latestSequence('s1')).toBe(4);
    });

    it('returns the stored events in order, equal to what was appended', async () => {
      await t.store.createSession('s1');
      const events = [
        sessionCreated({ title: 't' }),
        userMessage('hello'),
        assistantMessage('hi'),
        operationStarted(),
      ];
      await t.store.append('s1', events.slice(0, 1));
      await t.store.append('s1', events.slice(1));
      expect(await t.store.loadEvents('s1')).toEqual(events.map((event, seq) => ({ seq, event })));
    });

    it('keeps sessions independent, including ids that are prefixes of each other', async () => {
      const ids = ['a', 'ab', 'a!', 'a b', 'ä', 'a/0'];
      for (const id of ids) await t.store.createSession(id);
      for (const [i, id] of ids.entries()) {
        await t.store.append(
          id,
          Array.from({ length: i + 1 }, (_, k) => userMessage(`${id}-${k}`)),
        );
      }
      for (const [i, id] of ids.entries()) {
        const loaded = await t.store.loadEvents(id);
        expect(loaded.map((e) => e.seq)).toEqual(Array.from({ length: i + 1 }, (_, k) => k));
        expect(loaded.every((e) => JSON.stringify(e.event).includes(`"${id}-`))).toBe(true);
      }
      await t.store.deleteSession('a');
      expect(await t.store.loadEvents('a')).toEqual([]);
      expect(await t.seqsOf('ab')).toEqual([0, 1]);
      expect(await t.seqsOf('a!')).toEqual([0, 1, 2]);
    });

    it('rejects appends to a session never created with SESSION_NOT_FOUND, creating nothing', async () => {
      const err = await expectStoreError(t.store.append('ghost', [userMessage('x')]), 'SESSION_NOT_FOUND');
      expect(err.sessionId).toBe('ghost');
      expect(await t.store.sessionExists('ghost')).toBe(false);
      expect(await t.store.loadEvents('ghost')).toEqual([]);
    });

    it('checks expectedNextSeq: a match appends, a mismatch writes nothing (SEQUENCE_CONFLICT)', async () => {
      await t.store.createSession('s1');
      expect(await t.store.append('s1', [userMessage('a')], { expectedNextSeq: 0 })).toEqual([0]);
      expect(await t.store.append('s1', [userMessage('b')], { expectedNextSeq: 1 })).toEqual([1]);
      const err = await expectStoreError(
        t.store.append('s1', [userMessage('c'), userMessage('d')], { expectedNextSeq: 1 }),
        'SEQUENCE_CONFLICT',
      );
      expect(err.expectedNextSeq).toBe(1);
      expect(err.actualNextSeq).toBe(2);
      await expectStoreError(
        t.store.append('s1', [userMessage('c')], { expectedNextSeq: 5 }),
        'SEQUENCE_CONFLICT',
      );
      expect(await t.seqsOf('s1')).toEqual([0, 1]);
      expect(await t.store.append('s1', [userMessage('c')], { expectedNextSeq: 2 })).toEqual([2]);
    });

    it('lets exactly one of two racing appends with the same expectedNextSeq win', async () => {
      await t.store.createSession('s1');
      const results = await Promise.allSettled([
        t.store.append('s1', [userMessage('x')], { expectedNextSeq: 0 }),
        t.store.append('s1', [userMessage('y')], { expectedNextSeq: 0 }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(await t.seqsOf('s1')).toEqual([0]);
    });

    it('orders concurrent appends to one session by call order, gap-free', async () => {
      await t.store.createSession('s1');
      const all = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          t.store.append('s1', [userMessage(`m${i}`), userMessage(`m${i}b`)]),
        ),
      );
      expect(all.flat()).toEqual(Array.from({ length: 50 }, (_, i) => i));
      const texts = (await t.store.loadEvents('s1')).map((e) => textOf(e.event));
      expect(texts).toEqual(Array.from({ length: 25 }, (_, i) => [`m${i}`, `m${i}b`]).flat());
    });

    it('is atomic: one invalid event rejects the whole batch with INVALID_EVENT', async () => {
      await t.store.createSession('s1');
      await t.store.append('s1', [userMessage('ok')]);
      const bad = { type: 'UserMessageAdded', message: { role: 'user' } } as unknown as SessionEvent;
      const err = await expectStoreError(
        t.store.append('s1', [userMessage('a'), bad, userMessage('b')]),
        'INVALID_EVENT',
      );
      expect(err.eventIndex).toBe(1);
      expect(err.issues).toBeDefined();
      await expectStoreError(
        t.store.append('s1', [{ type: 'NoSuchEvent' } as unknown as SessionEvent]),
        'INVALID_EVENT',
      );
      expect(await t.seqsOf('s1')).toEqual([0]);
      expect((await t.store.getSessionSummary('s1'))?.messageCount).toBe(1);
      expect(await t.store.append('s1', [userMessage('next')])).toEqual([1]);
    });

    it('rejects an event JSON cannot hold (BigInt inside unknown parameters), writing nothing', async () => {
      await t.store.createSession('s1');
      const ev = unencodableToolCallStarted();
      await expectStoreError(t.store.append('s1', [userMessage('a'), ev]), 'INVALID_EVENT');
      expect(await t.store.loadEvents('s1')).toEqual([]);
    });

    it('stores the validated form and is not affected by later mutation of the input', async () => {
      await t.store.createSession('s1');
      const ev = userMessage('original') as SessionEvent & { extra?: string };
      ev.extra = 'stripped by the schema';
      await t.store.append('s1', [ev]);
      if (ev.type === 'UserMessageAdded') ev.message.content = [];
      const [stored] = await t.store.loadEvents('s1');
      expect(textOf(stored!.event)).toBe('original');
      expect('extra' in stored!.event).toBe(false);
    });

    it('accepts an empty batch: returns [] and writes nothing, still checking expectedNextSeq', async () => {
      await t.store.createSession('s1');
      expect(await t.store.append('s1', [])).toEqual([]);
      expect(await t.store.append('s1', [], { expectedNextSeq: 0 })).toEqual([]);
      await expectStoreError(t.store.append('s1', [], { expectedNextSeq: 3 }), 'SEQUENCE_CONFLICT');
      expect(await t.store.latestSequence('s1')).toBeNull();
    });

    it('rejects malformed arguments with INVALID_ARGUMENT', async () => {
      await t.store.createSession('s1');
      await expectStoreError(
        t.store.append('s1', [userMessage('a')], { expectedNextSeq: -1 }),
        'INVALID_ARGUMENT',
      );
      await expectStoreError(
        t.store.append('s1', [userMessage('a')], { expectedNextSeq: 0.5 }),
        'INVALID_ARGUMENT',
      );
      await expectStoreError(t.store.append('s1', 'x' as unknown as SessionEvent[]), 'INVALID_ARGUMENT');
      await expectStoreError(t.store.append('', [userMessage('a')]), 'INVALID_ARGUMENT');
    });
  });
}
