import { describe, expect, it } from 'vitest';
import { forEachConcurrently } from './pool.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('forEachConcurrently', () => {
  it('runs every index once with at most `limit` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachConcurrently(10, 3, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick();
      seen.push(i);
      inFlight--;
    });
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
  });

  it('finishes the others and rethrows the first failure', async () => {
    const seen: number[] = [];
    await expect(
      forEachConcurrently(4, 2, async (i) => {
        await tick();
        seen.push(i);
        if (i === 1) throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(seen).toHaveLength(4);
  });

  it('does nothing for a count of 0', async () => {
    let calls = 0;
    await forEachConcurrently(0, 5, async () => {
      calls++;
    });
    expect(calls).toBe(0);
  });
});
