import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from './latency.js';

describe('LatencyRecorder', () => {
  it('reports zeros when nothing was recorded', () => {
    expect(new LatencyRecorder().summary()).toEqual({
      count: 0,
      min: 0,
      mean: 0,
      p50: 0,
      p90: 0,
      p95: 0,
      p99: 0,
      max: 0,
    });
  });

  it('keeps microsecond precision and reports milliseconds', () => {
    const r = new LatencyRecorder();
    for (let i = 1; i <= 100; i++) r.record(i + 0.25); // 1.25 ms … 100.25 ms
    const s = r.summary();
    expect(s.count).toBe(100);
    expect(s.min).toBe(1.25);
    expect(s.max).toBe(100.25);
    // 3 significant digits: within 0.1% of the exact percentile
    expect(s.p50).toBeCloseTo(50.25, 1);
    expect(s.p95).toBeCloseTo(95.25, 1);
    expect(s.p99).toBeCloseTo(99.25, 1);
    expect(s.mean).toBeCloseTo(50.75, 1);
  });

  it('never reports a percentile above the exact maximum', () => {
    const r = new LatencyRecorder();
    r.record(12_345.678);
    const s = r.summary();
    expect(s.p99).toBeLessThanOrEqual(s.max);
    expect(s.max).toBe(12_345.678);
  });

  it('ignores values that are not finite and clamps negatives to 0', () => {
    const r = new LatencyRecorder();
    r.record(Number.NaN);
    r.record(Number.POSITIVE_INFINITY);
    r.record(-3);
    expect(r.count).toBe(1);
    expect(r.summary().max).toBe(0);
  });
});
