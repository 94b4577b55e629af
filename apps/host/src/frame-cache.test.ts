import { describe, expect, it } from 'vitest';
import { FrameCache } from './frame-cache.js';

describe('FrameCache', () => {
  it('formats an item once while it is among the last `size` formatted, by identity', () => {
    let formatted = 0;
    const cache = new FrameCache<{ n: number }>((item) => {
      formatted++;
      return `n=${item.n}`;
    }, 2);
    const a = { n: 1 };
    const b = { n: 2 };
    expect(cache.frame(a)).toBe('n=1');
    expect(cache.frame(a)).toBe('n=1');
    expect(cache.frame(b)).toBe('n=2');
    expect(cache.frame(a)).toBe('n=1');
    expect(formatted).toBe(2);
    // An equal but different object is another item.
    expect(cache.frame({ n: 1 })).toBe('n=1');
    expect(formatted).toBe(3);
  });

  it('formats an item again once it fell out of the ring', () => {
    let formatted = 0;
    const cache = new FrameCache<{ n: number }>((item) => {
      formatted++;
      return `n=${item.n}`;
    }, 2);
    const a = { n: 1 };
    cache.frame(a);
    cache.frame({ n: 2 });
    cache.frame({ n: 3 });
    expect(cache.frame(a)).toBe('n=1');
    expect(formatted).toBe(4);
  });
});
