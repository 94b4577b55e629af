import { describe, expect, it } from 'vitest';
import { placeShards, shardsPlacedOn } from './placement.js';

const SHARDS = 1024;

function counts(owners: readonly (string | null)[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const o of owners) if (o !== null) m.set(o, (m.get(o) ?? 0) + 1);
  return m;
}

function moved(a: readonly (string | null)[], b: readonly (string | null)[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

describe('placeShards', () => {
  it('gives no shard an owner when no node is live', () => {
    expect(placeShards(8, [])).toEqual(new Array(8).fill(null));
  });

  it('gives every shard to the only node', () => {
    expect(new Set(placeShards(SHARDS, ['a']))).toEqual(new Set(['a']));
  });

  it('is deterministic and independent of the order or duplicates of the node list', () => {
    const a = placeShards(SHARDS, ['n1', 'n2', 'n3']);
    expect(placeShards(SHARDS, ['n3', 'n1', 'n2', 'n1'])).toEqual(a);
  });

  it('spreads shards evenly over the nodes', () => {
    for (const n of [2, 3, 5, 8]) {
      const nodes = Array.from({ length: n }, (_, i) => `node-${i}`);
      const c = counts(placeShards(SHARDS, nodes));
      expect(c.size).toBe(n);
      const fair = SHARDS / n;
      for (const count of c.values()) {
        expect(count).toBeGreaterThan(fair * 0.75);
        expect(count).toBeLessThan(fair * 1.25);
      }
    }
  });

  it('moves only the leaving node’s shards, spread over the survivors', () => {
    const before = placeShards(SHARDS, ['a', 'b', 'c', 'd']);
    const after = placeShards(SHARDS, ['a', 'b', 'd']);
    const changed = moved(before, after);
    expect(changed).toEqual(shardsPlacedOn(before, 'c'));
    expect(new Set(changed.map((s) => after[s]))).toEqual(new Set(['a', 'b', 'd']));
  });

  it('moves only the shards a joining node wins, all to it', () => {
    const before = placeShards(SHARDS, ['a', 'b', 'c']);
    const after = placeShards(SHARDS, ['a', 'b', 'c', 'e']);
    const changed = moved(before, after);
    expect(changed).toEqual(shardsPlacedOn(after, 'e'));
    expect(changed.length).toBeGreaterThan(SHARDS / 4 - SHARDS / 16);
    expect(changed.length).toBeLessThan(SHARDS / 4 + SHARDS / 16);
  });

  it('pins the placement of a few shards (changing the hash moves shards on a running cluster)', () => {
    const owners = placeShards(SHARDS, ['node-a', 'node-b', 'node-c']);
    expect([owners[0], owners[1], owners[2], owners[1023]]).toMatchInlineSnapshot(`
      [
        "node-c",
        "node-c",
        "node-a",
        "node-b",
      ]
    `);
  });

  it('rejects a shard count that is not a positive integer', () => {
    expect(() => placeShards(0, ['a'])).toThrow(RangeError);
    expect(() => placeShards(1.5, ['a'])).toThrow(RangeError);
  });
});
