import { afterEach, beforeEach, describe } from 'vitest';
import type { SessionStore } from '../event-store.js';
import { describeCatalogAndSnapshots } from './conformance-catalog.js';
import { describeReadsAndDeletes } from './conformance-reads.js';
import { describeWrites } from './conformance-writes.js';
import { TestClock } from './fixtures.js';

/** What the topic suites of the conformance suite use: the store and clock of the running test. */
export interface ConformanceContext {
  readonly store: SessionStore;
  readonly clock: TestClock;
  seqsOf(id: string): Promise<number[]>;
}

export interface ConformanceHarness {
  /** A fresh, empty store using `clock` for catalog times. */
  open(clock: TestClock): Promise<SessionStore>;
  /** Called after each test (the store may already be closed). */
  cleanup?(): Promise<void>;
}

/**
 * The one conformance suite every store must pass (in the spirit of the Akka persistence TCK journal spec):
 * create, append, read ranges, latest sequence, delete, list, sequence conflicts, atomicity, errors, plus the
 * catalog (spec §9.3) and snapshots. The topics live in conformance-writes.ts, conformance-reads.ts and
 * conformance-catalog.ts.
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

    const t: ConformanceContext = {
      get store() {
        return store;
      },
      get clock() {
        return clock;
      },
      seqsOf,
    };
    describeWrites(t);
    describeReadsAndDeletes(t);
    describeCatalogAndSnapshots(t);
  });
}
