// The shared empty / shared-between-sessions collections of the reducer state (heap per idle session).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { durableView, Harness, replay, stepsArb } from '../reducer/test-support/harness.js';
import { type AppState, createAppState } from './app-state.js';
import { stateFromDurable, stateToDurable } from './durable.js';
import {
  arrayWith,
  arrayWithoutFirst,
  EMPTY_ARRAY,
  EMPTY_MAP,
  EMPTY_SET,
  isShared,
  mapOf,
  mapWith,
  mapWithout,
  orSharedEmpty,
  ownArray,
  sameSetInOrder,
  setOf,
  setWith,
  sharedArrayOf,
  sharedSetOf,
} from './shared-collections.js';

/** The collection fields of the state (what may be shared). */
function collectionsOf(
  s: AppState,
): Record<string, ReadonlySet<unknown> | ReadonlyMap<unknown, unknown> | readonly unknown[]> {
  return {
    tools: s.tools,
    approvedTools: s.approvedTools,
    approvedBashPatterns: s.approvedBashPatterns,
    staticBashPatterns: s.staticBashPatterns,
    approvalQueue: s.approvalQueue,
    queuedWork: s.queuedWork,
    workspaceFiles: s.workspaceFiles,
    mcpServers: s.mcpServers,
    cancelledOps: s.cancelledOps,
    operationModels: s.operationModels,
    operationMessages: s.operationMessages,
    llmUsageByOp: s.llmUsageByOp,
    compactionSummaryIds: s.messageGraph.compactionSummaryIds,
  };
}

const sizeOf = (c: ReadonlySet<unknown> | ReadonlyMap<unknown, unknown> | readonly unknown[]): number =>
  'size' in c ? c.size : c.length;

describe('shared collections', () => {
  it('the shared empties are frozen and refuse writes', () => {
    expect(isShared(EMPTY_ARRAY) && isShared(EMPTY_SET) && isShared(EMPTY_MAP)).toBe(true);
    expect(() => (EMPTY_ARRAY as unknown as string[]).push('x')).toThrow(TypeError);
    expect(() => (EMPTY_SET as unknown as Set<string>).add('x')).toThrow(TypeError);
    expect(() => (EMPTY_MAP as unknown as Map<string, number>).set('x', 1)).toThrow(TypeError);
    expect(() => (EMPTY_MAP as unknown as Map<string, number>).delete('x')).toThrow(TypeError);
    expect(() => (EMPTY_SET as unknown as Set<string>).clear()).toThrow(TypeError);
    expect([EMPTY_ARRAY.length, EMPTY_SET.size, EMPTY_MAP.size]).toEqual([0, 0, 0]);
  });

  it('writes copy a shared collection first and mutate an own one in place, keeping insertion order', () => {
    const shared = sharedSetOf(Object.freeze(['a', 'b']));
    const own = setWith(shared, 'c');
    expect([...shared]).toEqual(['a', 'b']);
    expect([...own]).toEqual(['a', 'b', 'c']);
    expect(isShared(own)).toBe(false);
    expect(setWith(own, 'd')).toBe(own);
    expect(setWith(shared, 'a')).toBe(shared); // already there: nothing to copy
    const m = mapWith(mapWith(EMPTY_MAP as ReadonlyMap<string, number>, 'x', 1), 'y', 2);
    expect(mapWith(m, 'x', 3)).toBe(m);
    expect([...m]).toEqual([
      ['x', 3],
      ['y', 2],
    ]);
    const a = arrayWith(EMPTY_ARRAY as readonly number[], 1);
    expect(arrayWith(a, 2)).toBe(a);
    expect(a).toEqual([1, 2]);
    expect(ownArray(a)).toBe(a);
  });

  it('an emptied map or array is released to the shared empty one', () => {
    const m = mapWith(mapWith(EMPTY_MAP as ReadonlyMap<string, number>, 'x', 1), 'y', 2);
    expect(mapWithout(m, 'missing')).toBe(m);
    const m2 = mapWithout(m, 'x');
    expect(m2).toBe(m);
    expect(mapWithout(m2, 'y')).toBe(EMPTY_MAP);
    expect(mapWithout(EMPTY_MAP as ReadonlyMap<string, number>, 'y')).toBe(EMPTY_MAP);
    const a = arrayWith(arrayWith(EMPTY_ARRAY as readonly number[], 1), 2);
    expect(arrayWithoutFirst(a)).toEqual([2]);
    expect(arrayWithoutFirst(a)).toBe(EMPTY_ARRAY);
    expect(arrayWithoutFirst(EMPTY_ARRAY)).toBe(EMPTY_ARRAY);
    expect(orSharedEmpty([])).toBe(EMPTY_ARRAY);
    expect(setOf([])).toBe(EMPTY_SET);
    expect(mapOf([])).toBe(EMPTY_MAP);
    expect([...setOf(['b', 'a'])]).toEqual(['b', 'a']);
  });

  it('lists from frozen (interned) configs are shared; mutable ones are copied', () => {
    const frozen = Object.freeze(['read_file', 'grep']);
    expect(sharedSetOf(frozen)).toBe(sharedSetOf(frozen));
    expect(isShared(sharedSetOf(frozen))).toBe(true);
    const mutable = ['read_file'];
    const set = sharedSetOf(mutable);
    expect(isShared(set)).toBe(false);
    mutable.push('bash');
    expect([...set]).toEqual(['read_file']);
    expect(sharedSetOf([])).toBe(EMPTY_SET);
    expect(sharedArrayOf(frozen)).toBe(frozen);
    expect(sharedArrayOf(mutable)).not.toBe(mutable);
    expect(sharedArrayOf(mutable)).toEqual(mutable);
    expect(sharedArrayOf([])).toBe(EMPTY_ARRAY);
    expect(sameSetInOrder(new Set(['a', 'b']), new Set(['a', 'b']))).toBe(true);
    expect(sameSetInOrder(new Set(['a', 'b']), new Set(['b', 'a']))).toBe(false);
    expect(sameSetInOrder(new Set(['a']), new Set(['a', 'b']))).toBe(false);
  });

  it('a new state holds only shared collections, and so does its durable round trip', () => {
    const fresh = createAppState('s');
    for (const [name, c] of Object.entries(collectionsOf(fresh)))
      expect([name, isShared(c)]).toEqual([name, true]);
    const restored = stateFromDurable(JSON.parse(JSON.stringify(stateToDurable(fresh))));
    for (const [name, c] of Object.entries(collectionsOf(restored))) {
      expect([name, isShared(c)]).toEqual([name, true]);
    }
  });

  it('prop: an empty collection of a live, replayed or restored state is always the shared one; the empties stay empty', () => {
    fc.assert(
      fc.property(stepsArb(60), (steps) => {
        const h = new Harness();
        const check = (s: AppState) => {
          for (const [name, c] of Object.entries(collectionsOf(s))) {
            if (sizeOf(c) === 0)
              expect([name, c === EMPTY_ARRAY || c === EMPTY_SET || c === EMPTY_MAP]).toEqual([name, true]);
          }
        };
        for (const s of steps) {
          h.step(s);
          check(h.state);
        }
        const log = h.fullLog();
        check(replay(log));
        check(stateFromDurable(JSON.parse(JSON.stringify(stateToDurable(h.state)))));
        expect([EMPTY_ARRAY.length, EMPTY_SET.size, EMPTY_MAP.size]).toEqual([0, 0, 0]);
      }),
      { numRuns: 100 },
    );
  });

  it('prop: sessions never see each other’s writes (no collection is shared by mistake)', () => {
    fc.assert(
      fc.property(stepsArb(40), stepsArb(40), (stepsA, stepsB) => {
        const a = new Harness().run(stepsA);
        const before = durableView(a.state);
        const b = new Harness().run(stepsB);
        expect(durableView(a.state)).toEqual(before);
        // the released maps and queues replay to the same durable state as the live one
        expect(durableView(replay(b.fullLog()))).toEqual(durableView(b.state));
      }),
      { numRuns: 100 },
    );
  });
});
