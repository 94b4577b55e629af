import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { LevelEventStore } from './level-event-store.js';
import { checkAgainstMemory } from './test-support/differential.js';

describe('LevelEventStore and MemoryEventStore agree (differential, random operation sequences)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  // 2 cache entries for 4 ids: sessions are evicted and reloaded between operations all the time.
  for (const maxCachedSessions of [undefined, 2]) {
    it(`gives the same outcome for every operation and the same final state (maxCachedSessions ${maxCachedSessions ?? 'default'})`, async () => {
      let dir = '';
      await checkAgainstMemory((clock, fresh) => {
        if (fresh) {
          dir = mkdtempSync(join(tmpdir(), 'shoal-diff-'));
          dirs.push(dir);
        }
        // Reopening must bring everything back from disk, including catalog counts the record did not hold
        // yet (packages/store README, "Catalog").
        return LevelEventStore.open(join(dir, 'db'), {
          now: clock.now,
          durability: 'buffered',
          ...(maxCachedSessions === undefined ? {} : { maxCachedSessions }),
        });
      }, 60);
    }, 120_000);
  }
});
