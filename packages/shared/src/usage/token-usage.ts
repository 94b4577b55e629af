import type { ContextWindowUsage, TokenUsage } from '../schemas/usage.js';

/** spec §1.3: u32 ceiling for token counts. */
export const U32_MAX = 0xffff_ffff;

/** Saturating u32 addition (spec §1.3). Negative or fractional inputs are clamped/truncated first. */
export function saturatingAdd(a: number, b: number): number {
  const sum = toU32(a) + toU32(b);
  return Math.min(sum, U32_MAX);
}

function toU32(n: number): number {
  if (!(n > 0)) return 0; // also NaN
  return n >= U32_MAX ? U32_MAX : Math.floor(n);
}

export const ZERO_USAGE: Readonly<TokenUsage> = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  totalTokens: 0,
});

/** spec §1.3: field-wise sum, saturating at 2^32−1. Returns a new object. */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: saturatingAdd(a.inputTokens, b.inputTokens),
    outputTokens: saturatingAdd(a.outputTokens, b.outputTokens),
    totalTokens: saturatingAdd(a.totalTokens, b.totalTokens),
  };
}

/** spec §1.3: usage whose total is input + output (saturating). */
export function usageWithComputedTotal(inputTokens: number, outputTokens: number): TokenUsage {
  return {
    inputTokens: toU32(inputTokens),
    outputTokens: toU32(outputTokens),
    totalTokens: saturatingAdd(inputTokens, outputTokens),
  };
}

/**
 * spec §3.2.11: context-window utilisation. Absent without a window. The output reserve
 * (`maxOutputTokens`) is subtracted from the window; a non-positive effective window yields
 * `{ratio absent, estimated: true}`. Optional fields are omitted (not `undefined`) when absent.
 */
export function deriveContextWindowUsage(
  totalTokens: number,
  contextWindowTokens?: number,
  maxOutputTokens?: number,
): ContextWindowUsage | undefined {
  if (contextWindowTokens === undefined) return undefined;
  const total = toU32(totalTokens);
  const window = toU32(contextWindowTokens);
  const reserve = toU32(maxOutputTokens ?? 0);
  const effective = Math.max(0, window - reserve);
  const remaining = Math.max(0, effective - total);
  if (effective > 0) {
    const ratio = Math.min(1, Math.max(0, total / effective));
    return {
      maxContextTokens: window,
      remainingTokens: remaining,
      utilizationRatio: ratio,
      estimated: false,
    };
  }
  return { maxContextTokens: window, remainingTokens: remaining, estimated: true };
}
