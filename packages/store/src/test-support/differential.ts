import type { SessionEvent } from '@shoal/shared';
import fc from 'fast-check';
import { expect } from 'vitest';
import { StoreError } from '../errors.js';
import type { SessionStore } from '../event-store.js';
import { MemoryEventStore } from '../memory-event-store.js';
import {
  assistantMessage,
  configUpdated,
  OTHER,
  operationStarted,
  sessionCreated,
  TestClock,
  usageUpdated,
  userMessage,
} from './fixtures.js';

// Random operation sequences run against the memory store (the model) and a durable store must give the same
// answers, step by step, and the same final state.

const IDS = ['a', 'b', 'ab', 'a!'];
const EVENTS: Array<() => SessionEvent> = [
  () => userMessage('u'),
  () => assistantMessage('a', OTHER),
  () => usageUpdated(),
  () => operationStarted(),
  () => configUpdated('t'),
  () => sessionCreated({ title: 'x', metadata: { project: 'p' } }),
];

type Op =
  | { kind: 'create'; id: string; tenant: string | null }
  | { kind: 'append'; id: string; events: number[]; expectDelta: number | null }
  | { kind: 'delete'; id: string }
  | { kind: 'snapshot'; id: string; back: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'reopen' };

const id = fc.constantFrom(...IDS);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      id,
      tenant: fc.constantFrom('acme', 'globex', null),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      id,
      events: fc.array(fc.nat(EVENTS.length - 1), { maxLength: 4 }),
      expectDelta: fc.constantFrom(null, 0, 0, 1, -1),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), id }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('snapshot' as const), id, back: fc.nat(3) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.constantFrom(0, 400, 1000, 5000) }),
  },
  // Close and reopen the store under test (a no-op for the memory store): everything must come back from disk,
  // including catalog counts the record did not hold yet (packages/store README, "Catalog").
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
);

/** The observable outcome of a call: its value, or its error code. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await p };
  } catch (err) {
    if (err instanceof StoreError) return { code: err.code };
    throw err;
  }
}

async function apply(store: SessionStore, o: Op, events: SessionEvent[], clock: TestClock): Promise<unknown> {
  switch (o.kind) {
    case 'create':
      return outcome(store.createSession(o.id, o.tenant === null ? undefined : { tenant: o.tenant }));
    case 'append': {
      const latest = await store.latestSequence(o.id);
      const next = (latest ?? -1) + 1;
      const opts =
        o.expectDelta === null ? undefined : { expectedNextSeq: Math.max(0, next + o.expectDelta) };
      return outcome(store.append(o.id, events, opts));
    }
    case 'delete':
      return outcome(store.deleteSession(o.id));
    case 'snapshot': {
      const latest = (await store.latestSequence(o.id)) ?? 0;
      return outcome(store.saveSnapshot(o.id, Math.max(0, latest - o.back), { at: latest }));
    }
    case 'tick':
      clock.advance(o.ms);
      return null;
    case 'reopen':
      return null; // done by the test loop, which owns the store
  }
}

async function observe(store: SessionStore): Promise<unknown> {
  const sessions: Record<string, unknown> = {};
  for (const sid of IDS) {
    sessions[sid] = {
      exists: await store.sessionExists(sid),
      events: await store.loadEvents(sid),
      tail: await store.loadEventsAfter(sid, 1, { limit: 2 }),
      latest: await store.latestSequence(sid),
      summary: await store.getSessionSummary(sid),
      title: (await store.getSessionConfig(sid))?.title ?? null,
      snapshot: await store.loadLatestSnapshot(sid),
    };
  }
  const acme = await store.listSessions({ metadataFilter: { key: 'tenant', value: 'acme' }, limit: 2 });
  return {
    sessions,
    ids: await store.listSessionIds(),
    page1: await store.listSessions({ limit: 2 }),
    acme,
    acme2:
      acme.nextCursor === null
        ? null
        : await store.listSessions({
            metadataFilter: { key: 'tenant', value: 'acme' },
            cursor: acme.nextCursor,
          }),
  };
}

/** Opens the durable store of one run: `fresh` once at the start, then again (same data) on every `reopen`. */
export type OpenCandidate = (clock: TestClock, fresh: boolean) => Promise<SessionStore>;

/** Runs `numRuns` random operation sequences on the memory store and on `open`'s store, comparing every answer. */
export async function checkAgainstMemory(open: OpenCandidate, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 60, size: 'large' }), async (ops) => {
      const memClock = new TestClock();
      const candClock = new TestClock();
      const mem = new MemoryEventStore({ now: memClock.now });
      let cand = await open(candClock, true);
      try {
        // Most operations should hit existing sessions: start with all but one created.
        const setup: Op[] = IDS.slice(1).map((sid, i) => ({
          kind: 'create',
          id: sid,
          tenant: i % 2 ? 'acme' : null,
        }));
        for (const o of [...setup, ...ops]) {
          if (o.kind === 'reopen') {
            await cand.close();
            cand = await open(candClock, false);
          }
          const events = o.kind === 'append' ? o.events.map((i) => EVENTS[i]!()) : [];
          const [a, b] = [await apply(mem, o, events, memClock), await apply(cand, o, events, candClock)];
          expect(b, JSON.stringify(o)).toEqual(a);
        }
        expect(await observe(cand)).toEqual(await observe(mem));
      } finally {
        await cand.close();
        await mem.close();
      }
    }),
    { numRuns },
  );
}
