import { describe, expect, it } from 'vitest';
import {
  catalogKey,
  encodeSeq,
  eventKey,
  eventRange,
  listingKeySessionId,
  listingKeys,
  readSeq,
  seqOfKey,
  sessionPrefix,
  sessionRange,
  snapshotKey,
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

  it('orders the listing index newest first and recovers the session id', () => {
    const older = listingKeys(1_000, 'x', { tenant: 'acme' });
    const newer = listingKeys(2_000, 'y', { tenant: 'acme' });
    expect(Buffer.compare(newer[0]!, older[0]!)).toBe(-1);
    expect(Buffer.compare(newer[1]!, older[1]!)).toBe(-1);
    expect(older.map(listingKeySessionId)).toEqual(['x', 'x']);
    expect(listingKeys(0, 'sess\u00e4', { k: 'v', other: '' }).map(listingKeySessionId)).toEqual([
      'sess\u00e4',
      'sess\u00e4',
      'sess\u00e4',
    ]);
  });
});
