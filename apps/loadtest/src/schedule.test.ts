import { describe, expect, it } from 'vitest';
import type { Clock } from './clock.js';
import { runOpenLoop } from './schedule.js';

/** Virtual time: `sleep` moves the clock forward at once; `stall` simulates a harness that was busy. */
class FakeClock implements Clock {
  t = 1000;
  sleeps = 0;
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps++;
    this.t += Math.max(0, ms);
  }
}

describe('runOpenLoop', () => {
  it('starts arrivals at the rate on schedule, however slow the turns are', async () => {
    const clock = new FakeClock();
    const arrivals: { i: number; due: number; at: number }[] = [];
    const pending: Promise<void>[] = [];
    const n = await runOpenLoop({
      clock,
      rate: 50,
      count: null,
      durationMs: 2000,
      onArrival: (i, due) => {
        arrivals.push({ i, due, at: clock.now() });
        // A turn that takes 10 s of virtual time: the schedule must not wait for it.
        pending.push(new Promise<void>(() => undefined));
      },
    });
    expect(n).toBe(100);
    expect(arrivals.map((a) => a.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (const a of arrivals) {
      expect(a.due).toBeCloseTo(1000 + a.i * 20, 9);
      expect(a.at).toBeCloseTo(a.due, 9); // started when due, not later
    }
    expect(clock.now()).toBeLessThanOrEqual(1000 + 2000);
  });

  it('after a stall starts the overdue arrivals at once, each with its own due time', async () => {
    const clock = new FakeClock();
    const arrivals: { due: number; at: number }[] = [];
    await runOpenLoop({
      clock,
      rate: 10,
      count: 20,
      durationMs: null,
      onArrival: (i, due) => {
        arrivals.push({ due, at: clock.now() });
        if (i === 4) clock.t += 1000; // the harness was blocked for a second after arrival 4
      },
    });
    expect(arrivals).toHaveLength(20);
    // Arrivals 5..13 were due during the stall: started at its end, due times unchanged (latency counts from them).
    for (let i = 5; i <= 13; i++) {
      expect(arrivals[i]!.due).toBeCloseTo(1000 + i * 100, 9);
      expect(arrivals[i]!.at).toBeCloseTo(1000 + 400 + 1000, 9);
    }
    expect(arrivals[15]!.at).toBeCloseTo(arrivals[15]!.due, 9);
  });

  it('stops at the count, at the duration, or when asked', async () => {
    const clock = new FakeClock();
    expect(
      await runOpenLoop({ clock, rate: 1000, count: 7, durationMs: null, onArrival: () => undefined }),
    ).toBe(7);
    expect(
      await runOpenLoop({ clock, rate: 4, count: null, durationMs: 1000, onArrival: () => undefined }),
    ).toBe(4);
    let seen = 0;
    const stopped = await runOpenLoop({
      clock,
      rate: 100,
      count: null,
      durationMs: 60_000,
      onArrival: () => void seen++,
      stopped: () => seen >= 3,
    });
    expect(stopped).toBe(3);
  });

  it('yields between long bursts of overdue arrivals', async () => {
    const clock = new FakeClock();
    await runOpenLoop({
      clock,
      rate: 1_000_000,
      count: 1000,
      durationMs: null,
      onArrival: () => {
        clock.t += 1; // each arrival costs a virtual millisecond: the schedule is always behind
      },
    });
    expect(clock.sleeps).toBeGreaterThanOrEqual(1000 / 64 - 1);
  });
});
