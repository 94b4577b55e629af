import { describe, expect, it } from 'vitest';
import { copyRecord } from './copy-record.js';

describe('copyRecord', () => {
  it('copies like a spread: same keys in the same order, changes on top, source untouched', () => {
    const source = { a: 1, b: undefined as string | undefined, c: { deep: true } };
    const copy = copyRecord(source, { b: 'x' });
    expect(copy).toEqual({ a: 1, b: 'x', c: { deep: true } });
    expect(Object.keys(copy)).toEqual(['a', 'b', 'c']);
    expect(copy.c).toBe(source.c); // shallow
    expect(source.b).toBeUndefined();
    expect(copy).not.toBe(source);
    const added = copyRecord(source as typeof source & { d?: number }, { d: 4 });
    expect(Object.keys(added)).toEqual(['a', 'b', 'c', 'd']);
    expect(copyRecord(source)).toEqual(source);
  });
});
