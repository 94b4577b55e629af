import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionEvent } from '@shoal/shared';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import type { SessionStore } from './event-store.js';
import { LevelEventStore } from './level-event-store.js';
import { MemoryEventStore } from './memory-event-store.js';
import {
  assistantMessage,
  configUpdated,
  OTHER,
  operationStarted,
  sessionCreated,
  TestClock,
  usageUpdated,
  userMessage,
} from './test-support/fixtures.js';

// Random operation sequences run against both stores must give the same answers, step by step: the memory
// store is the model the LevelDB store is checked against (and vice versa).

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
  // Close and reopen the LevelDB store (a no-op for the memory store): everything must come back from disk,
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

describe('LevelEventStore and MemoryEventStore agree (differential, random operation sequences)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  // 2 cache entries for 4 ids: sessions are evicted and reloaded between operations all the time.
  for (const maxCachedSessions of [undefined, 2]) {
    it(`gives the same outcome for every operation and the same final state (maxCachedSessions ${maxCachedSessions ?? 'default'})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 60, size: 'large' }), async (ops) => {
          const dir = mkdtempSync(join(tmpdir(), 'shoal-diff-'));
          dirs.push(dir);
          const memClock = new TestClock();
          const lvlClock = new TestClock();
          const mem = new MemoryEventStore({ now: memClock.now });
          const openLevel = () =>
            LevelEventStore.open(join(dir, 'db'), {
              now: lvlClock.now,
              durability: 'buffered',
              ...(maxCachedSessions === undefined ? {} : { maxCachedSessions }),
            });
          let lvl = await openLevel();
          try {
            // Most operations should hit existing sessions: start with all but one created.
            const setup: Op[] = IDS.slice(1).map((sid, i) => ({
              kind: 'create',
              id: sid,
              tenant: i % 2 ? 'acme' : null,
            }));
            for (const o of [...setup, ...ops]) {
              if (o.kind === 'reopen') {
                await lvl.close();
                lvl = await openLevel();
              }
              const events = o.kind === 'append' ? o.events.map((i) => EVENTS[i]!()) : [];
              const [a, b] = [await apply(mem, o, events, memClock), await apply(lvl, o, events, lvlClock)];
              expect(b, JSON.stringify(o)).toEqual(a);
            }
            expect(await observe(lvl)).toEqual(await observe(mem));
          } finally {
            await lvl.close();
            await mem.close();
          }
        }),
        { numRuns: 60 },
      );
    }, 120_000);
  }
});
