import { describe, expect, it } from 'vitest';
import { ContextWindowUsageSchema } from '../schemas/usage.js';
import {
  addUsage,
  deriveContextWindowUsage,
  saturatingAdd,
  U32_MAX,
  usageWithComputedTotal,
  ZERO_USAGE,
} from './token-usage.js';

describe('TokenUsage arithmetic (spec §1.3)', () => {
  it('adds field-wise', () => {
    expect(
      addUsage(
        { inputTokens: 3, outputTokens: 5, totalTokens: 8 },
        { inputTokens: 7, outputTokens: 11, totalTokens: 18 },
      ),
    ).toEqual({ inputTokens: 10, outputTokens: 16, totalTokens: 26 });
  });

  it('running totals from zero: (3,5,8) + (2,4,6) = (5,9,14)', () => {
    const a = addUsage(ZERO_USAGE, { inputTokens: 3, outputTokens: 5, totalTokens: 8 });
    expect(a).toEqual({ inputTokens: 3, outputTokens: 5, totalTokens: 8 });
    expect(addUsage(a, { inputTokens: 2, outputTokens: 4, totalTokens: 6 })).toEqual({
      inputTokens: 5,
      outputTokens: 9,
      totalTokens: 14,
    });
  });

  it('saturates each field at 2^32-1', () => {
    const big = { inputTokens: U32_MAX - 1, outputTokens: U32_MAX, totalTokens: 10 };
    expect(addUsage(big, { inputTokens: 5, outputTokens: 1, totalTokens: 1 })).toEqual({
      inputTokens: U32_MAX,
      outputTokens: U32_MAX,
      totalTokens: 11,
    });
    expect(saturatingAdd(U32_MAX, U32_MAX)).toBe(U32_MAX);
    expect(U32_MAX).toBe(2 ** 32 - 1);
  });

  it('ZERO_USAGE is frozen and addUsage returns new objects', () => {
    expect(Object.isFrozen(ZERO_USAGE)).toBe(true);
    const a = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };
    const sum = addUsage(a, ZERO_USAGE);
    expect(sum).toEqual(a);
    expect(sum).not.toBe(a);
  });

  it('usageWithComputedTotal sums input and output with saturation', () => {
    expect(usageWithComputedTotal(10, 20)).toEqual({ inputTokens: 10, outputTokens: 20, totalTokens: 30 });
    expect(usageWithComputedTotal(U32_MAX, 1).totalTokens).toBe(U32_MAX);
  });
});

describe('deriveContextWindowUsage (spec §3.2.11)', () => {
  it('is absent without a context window', () => {
    expect(deriveContextWindowUsage(30)).toBeUndefined();
    expect(deriveContextWindowUsage(30, undefined, 40)).toBeUndefined();
  });

  it('model_response_with_usage_and_context_window_emits_utilization: total 30, window 100 → remaining 70, ratio 0.3', () => {
    expect(deriveContextWindowUsage(30, 100)).toEqual({
      maxContextTokens: 100,
      remainingTokens: 70,
      utilizationRatio: 0.3,
      estimated: false,
    });
  });

  it('model_response_utilization_uses_reserved_context_window: reserve 40 → remaining 30, ratio 0.5', () => {
    expect(deriveContextWindowUsage(30, 100, 40)).toEqual({
      maxContextTokens: 100,
      remainingTokens: 30,
      utilizationRatio: 0.5,
      estimated: false,
    });
  });

  it('model_response_with_zero_context_window_marks_estimated: window 0 → ratio absent, estimated', () => {
    const usage = deriveContextWindowUsage(30, 0);
    expect(usage).toEqual({ maxContextTokens: 0, remainingTokens: 0, estimated: true });
    expect(usage && 'utilizationRatio' in usage).toBe(false);
  });

  it('total 95 000, window 100 000, reserve 10 000 → ratio clamped to 1.0', () => {
    expect(deriveContextWindowUsage(95_000, 100_000, 10_000)).toEqual({
      maxContextTokens: 100_000,
      remainingTokens: 0,
      utilizationRatio: 1,
      estimated: false,
    });
  });

  it('a reserve at or above the window leaves no effective window (estimated)', () => {
    expect(deriveContextWindowUsage(10, 100, 100)).toEqual({
      maxContextTokens: 100,
      remainingTokens: 0,
      estimated: true,
    });
    expect(deriveContextWindowUsage(10, 100, 500)).toEqual({
      maxContextTokens: 100,
      remainingTokens: 0,
      estimated: true,
    });
  });

  it('zero tokens → ratio 0, remaining = effective window', () => {
    expect(deriveContextWindowUsage(0, 200_000, 32_000)).toEqual({
      maxContextTokens: 200_000,
      remainingTokens: 168_000,
      utilizationRatio: 0,
      estimated: false,
    });
  });

  it('results satisfy the schema', () => {
    const cases: [number, number, number | undefined][] = [
      [30, 100, undefined],
      [30, 100, 40],
      [30, 0, undefined],
      [95_000, 100_000, 10_000],
    ];
    for (const [total, window, reserve] of cases) {
      const usage = deriveContextWindowUsage(total, window, reserve);
      expect(ContextWindowUsageSchema.parse(usage)).toEqual(usage);
    }
  });
});
