import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionConfigSchema } from '@shoal/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from './errors.js';
import { LevelEventStore } from './level-event-store.js';
import { MemoryEventStore } from './memory-event-store.js';
import { decodeSnapshot } from './snapshot-codec.js';

const config = SessionConfigSchema.parse({
  workspace: { type: 'local', path: '/w' },
  toolConfig: {},
  defaultModel: { provider: 'simulated', id: 'sim' },
});

describe('encoded snapshots', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  for (const kind of ['level', 'memory'] as const) {
    it(`${kind}: loadLatestSnapshotEncoded round-trips through decodeSnapshot`, async () => {
      dir = await mkdtemp(join(tmpdir(), 'snap-'));
      const store =
        kind === 'level'
          ? await LevelEventStore.open(dir, { durability: 'buffered' })
          : new MemoryEventStore();
      await store.createSession('s1');
      await store.append('s1', [{ type: 'SessionCreated', config, metadata: {} }]);
      const value = { version: 1, ids: new Map([['a', 1]]), list: [1, 2, 3] };
      await store.saveSnapshot('s1', 0, value);
      const enc = await store.loadLatestSnapshotEncoded('s1');
      expect(enc?.seq).toBe(0);
      expect(enc?.encoded).toBeInstanceOf(Uint8Array);
      // a clone (as across a port) decodes to the same value
      const cloned = structuredClone(enc!);
      expect(decodeSnapshot('s1', cloned)).toEqual(value);
      expect(await store.loadLatestSnapshotEncoded('unknown')).toBeNull();
      await store.close();
    });
  }

  it('undecodable bytes fail with CORRUPT_RECORD naming the session and seq', () => {
    const err = (() => {
      try {
        decodeSnapshot('s9', { seq: 7, encoded: new Uint8Array([0xff, 0x00, 0x01]) });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toMatchObject({ code: 'CORRUPT_RECORD' });
    expect((err as Error).message).toMatch(/s9.*7/);
  });
});
