import { describe, expect, it } from 'vitest';
import {
  catalogKey,
  encodeSeq,
  eventKey,
  eventKeyOf,
  eventRange,
  listingSuffix,
  metadataIndexKey,
  readSeq,
  seqOfKey,
  sessionIdOfIndexKey,
  sessionPrefix,
  sessionRange,
  snapshotKey,
  suffixOfUpdatedKey,
  updatedIndexKey,
} from './keys.js';

const inRange = (key: Buffer, r: { gte: Buffer; lt: Buffer }): boolean =>
  Buffer.compare(key, r.gte) >= 0 && Buffer.compare(key, r.lt) < 0;

describe('sequence encoding', () => {
  const boundaries = [
    0,
    1,
    9,
    10,
    99,
    100,
    255,
    256,
    999,
    1000,
    65_535,
    65_536,
    2 ** 31,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 32 + 1,
    2 ** 40,
    Number.MAX_SAFE_INTEGER - 1,
    Number.MAX_SAFE_INTEGER,
  ];

  it('round-trips up to 2^53 - 1', () => {
    for (const n of boundaries) expect(readSeq(encodeSeq(n), 0)).toBe(n);
  });

  it('orders bytes numerically across 9/10, 99/100, 999/1000 and beyond 2^32', () => {
    for (let i = 1; i < boundaries.length; i++) {
      expect(Buffer.compare(encodeSeq(boundaries[i - 1]!), encodeSeq(boundaries[i]!))).toBe(-1);
    }
    const prefix = sessionPrefix('s');
    const shuffled = [
      ...boundaries.filter((_, i) => i % 2 === 1),
      ...boundaries.filter((_, i) => i % 2 === 0),
    ].reverse();
    const sorted = shuffled.map((n) => eventKey(prefix, n)).sort(Buffer.compare);
    expect(sorted.map((k) => seqOfKey(prefix, k))).toEqual(boundaries);
  });
});

describe('key layout', () => {
  it('keeps every key of a session inside its one range, and other sessions out', () => {
    const p = sessionPrefix('a');
    const range = sessionRange(p);
    for (const key of [
      catalogKey(p),
      eventKey(p, 0),
      eventKey(p, Number.MAX_SAFE_INTEGER),
      snapshotKey(p, 7),
    ]) {
      expect(inRange(key, range)).toBe(true);
    }
    for (const other of ['ab', 'a!', 'a\u0001', 'b', '', '\u00e4']) {
      if (other === '') continue;
      const q = sessionPrefix(other);
      for (const key of [catalogKey(q), eventKey(q, 0), snapshotKey(q, 0)])
        expect(inRange(key, range)).toBe(false);
    }
  });

  it('keeps snapshots and catalog out of the event range', () => {
    const p = sessionPrefix('a');
    const events = eventRange(p);
    expect(inRange(eventKey(p, 5), events)).toBe(true);
    expect(inRange(catalogKey(p), events)).toBe(false);
    expect(inRange(snapshotKey(p, 5), events)).toBe(false);
    expect(inRange(eventKey(p, 4), eventRange(p, 5))).toBe(false);
  });

  it('rejects keys of the wrong shape when reading a seq', () => {
    const p = sessionPrefix('a');
    expect(seqOfKey(p, Buffer.concat([eventKey(p, 1), Buffer.from([0])]))).toBeNull();
  });

  it('orders the updated index newest first and recovers session ids from both indexes', () => {
    const older = updatedIndexKey(1_000, 'x');
    const newer = updatedIndexKey(2_000, 'y');
    const sameTimeLaterId = updatedIndexKey(2_000, 'z');
    expect(Buffer.compare(newer, older)).toBe(-1);
    expect(Buffer.compare(newer, sameTimeLaterId)).toBe(-1);
    expect(suffixOfUpdatedKey(older).equals(listingSuffix(1_000, 'x'))).toBe(true);
    expect([older, newer].map(sessionIdOfIndexKey)).toEqual(['x', 'y']);
    expect(sessionIdOfIndexKey(metadataIndexKey('tenant', 'acme', 'sess\u00e4'))).toBe('sess\u00e4');
    expect(sessionIdOfIndexKey(metadataIndexKey('k', '', 'a'))).toBe('a');
  });
});

describe('eventKeyOf', () => {
  it('builds the same key as eventKey over the session prefix, for any id and seq', () => {
    for (const id of ['a', 'sess-1', 'Grüße ✓', '0f6b2c1e-5d3a-4e7b-9c1d-2a3b4c5d6e7f']) {
      for (const seq of [0, 9, 10, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
        expect(eventKeyOf(id, seq).equals(eventKey(sessionPrefix(id), seq))).toBe(true);
      }
    }
  });
});
