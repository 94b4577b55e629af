import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fmix32, fnv1a32, sessionHash, shardOf } from './shard.js';

/** Deterministic v4-shaped UUIDs from a seeded mulberry32 generator (no flakiness). */
function seededUuids(count: number, seed: number): string[] {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const hex = (n: number, len: number) => (n >>> 0).toString(16).padStart(8, '0').slice(-len);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const w = [next(), next(), next(), next()];
    const variant = (8 + (w[2]! >>> 30)).toString(16);
    out.push(
      `${hex(w[0]!, 8)}-${hex(w[1]!, 4)}-4${hex(w[1]! >>> 16, 3)}-${variant}${hex(w[2]!, 3)}-${hex(w[3]!, 8)}${hex(w[2]! >>> 12, 4)}`,
    );
  }
  return out;
}

describe('shardOf', () => {
  it('FNV-1a matches the published test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('hashes the UTF-8 bytes (non-ASCII ids, lone surrogates as U+FFFD)', () => {
    const viaBytes = (s: string) => {
      let h = 0x811c9dc5;
      for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, 0x01000193);
      return h >>> 0;
    };
    for (const s of ['é', '日本', '😀', 'a\ud83db', '\ude00', 'x\u07ff\u0800\uffff']) {
      expect(fnv1a32(s)).toBe(viaBytes(s));
    }
  });

  it('golden values are pinned (a change here moves sessions between shards)', () => {
    // Cross-checked against an independent Python implementation (FNV-1a 32 over UTF-8, murmur3 fmix32).
    expect(sessionHash('00000000-0000-0000-0000-000000000000')).toBe(0x3753bd98);
    expect(sessionHash('6f1c2b1e-8d3a-4c55-9b7e-2f0d4a6c8e91')).toBe(0xeae8c602);
    expect(sessionHash('f47ac10b-58cc-4372-a567-0e02b2c3d479')).toBe(0x827af9e7);
    expect(sessionHash('session-é-😀')).toBe(0xa31b0016);
    expect(sessionHash('')).toBe(0xab3e7c0b);
    const shards = (id: string) => [2, 4, 7, 16, 1000].map((n) => shardOf(id, n));
    expect(shards('00000000-0000-0000-0000-000000000000')).toEqual([0, 0, 2, 8, 904]);
    expect(shards('6f1c2b1e-8d3a-4c55-9b7e-2f0d4a6c8e91')).toEqual([0, 2, 1, 2, 586]);
    expect(shards('f47ac10b-58cc-4372-a567-0e02b2c3d479')).toEqual([1, 3, 5, 7, 447]);
    expect(shards('session-é-😀')).toEqual([0, 2, 1, 6, 702]);
  });

  it('fmix32 is a bijection sample check and maps 0 to 0', () => {
    expect(fmix32(0)).toBe(0);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) seen.add(fmix32(i));
    expect(seen.size).toBe(10_000);
  });

  it('is deterministic and always in range', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 10_000 }), (id, n) => {
        const s = shardOf(id, n);
        expect(Number.isInteger(s)).toBe(true);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThan(n);
        expect(shardOf(id, n)).toBe(s);
      }),
    );
    expect(shardOf('anything', 1)).toBe(0);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])(
    'rejects shardCount %s with a RangeError',
    (n) => {
      expect(() => shardOf('id', n)).toThrow(RangeError);
    },
  );

  it.each([2, 4, 7, 16])('distributes 100k UUIDs evenly over %i shards (chi-square)', (shards) => {
    const ids = seededUuids(100_000, 0x5eed + shards);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const counts = new Array<number>(shards).fill(0);
    for (const id of ids) counts[shardOf(id, shards)]! += 1;
    const expected = ids.length / shards;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    const dof = shards - 1;
    // Generous bound: mean dof, sd sqrt(2·dof); dof + 6 sd + 10 is far beyond p = 0.001 for these dofs.
    expect(chi2).toBeLessThan(dof + 6 * Math.sqrt(2 * dof) + 10);
    for (const c of counts) expect(Math.abs(c - expected) / expected).toBeLessThan(0.05);
  });

  it('sequential ids (same prefix, last char varies) spread over shards too', () => {
    const counts = new Array<number>(4).fill(0);
    for (let i = 0; i < 4096; i++)
      counts[shardOf(`00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, 4)]! += 1;
    for (const c of counts) expect(Math.abs(c - 1024)).toBeLessThan(150);
  });
});
