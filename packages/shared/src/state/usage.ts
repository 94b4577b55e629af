import type { ModelId } from '../schemas/ids.js';
import type { ContextWindowUsage, TokenUsage } from '../schemas/usage.js';
import { U32_MAX } from '../usage/token-usage.js';
import type { AppState, LlmUsageSnapshot } from './app-state.js';
import { mapWith } from './shared-collections.js';

/**
 * Aggregates over `llmUsageByOp`, maintained incrementally so the hot path never rescans every snapshot.
 * Because usage values are non-negative, the spec's saturating sum equals `min(exact sum, U32_MAX)`, so exact
 * sums are kept (integers far below 2^53) and clamped on read. The maxima used by the tool-result projection
 * (§3.2.13) are cached and recomputed only when the snapshot holding a maximum is replaced by a lower value.
 */
export interface UsageIndex {
  input: number;
  output: number;
  total: number;
  /** max `usage.totalTokens` over snapshots; `null` = stale, recompute */
  maxTotal: number | null;
  /** max `contextWindow.maxContextTokens` over snapshots (`undefined` = none); `null` = stale */
  maxWindow: number | undefined | null;
}

export const createUsageIndex = (): UsageIndex => ({
  input: 0,
  output: 0,
  total: 0,
  maxTotal: 0,
  maxWindow: undefined,
});

/**
 * The index of a state without usage, shared (frozen) until the first `recordLlmUsage` gives the state its
 * own. Readers never write to it: with no snapshots the maxima are not stale (`maxTotal` 0, `maxWindow` none).
 */
export const INITIAL_USAGE_INDEX: Readonly<UsageIndex> = Object.freeze(createUsageIndex());

/** The totals of a state without usage (shared; `llmUsageTotals` is always replaced, never mutated). */
export const NO_USAGE: Readonly<TokenUsage> = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  totalTokens: 0,
});

const clampU32 = (n: number): number => Math.min(n, U32_MAX);

/** spec §2.7 `recordLlmUsage`: replace the op's snapshot, then recompute the totals. */
export function recordLlmUsage(
  state: AppState,
  opId: string,
  model: ModelId,
  usage: TokenUsage,
  contextWindow: ContextWindowUsage | undefined,
): void {
  let idx = state.usageIndex;
  if (idx === INITIAL_USAGE_INDEX) {
    idx = createUsageIndex();
    state.usageIndex = idx;
  }
  const old = state.llmUsageByOp.get(opId);
  const snapshot: LlmUsageSnapshot = { model, usage, contextWindow };
  if (old !== undefined) {
    // Re-inserting keeps the Map's original insertion position (like a replace).
    idx.input -= old.usage.inputTokens;
    idx.output -= old.usage.outputTokens;
    idx.total -= old.usage.totalTokens;
    if (idx.maxTotal !== null && old.usage.totalTokens >= idx.maxTotal && usage.totalTokens < idx.maxTotal) {
      idx.maxTotal = null;
    }
    const oldWin = old.contextWindow?.maxContextTokens;
    if (
      idx.maxWindow !== null &&
      oldWin !== undefined &&
      idx.maxWindow !== undefined &&
      oldWin >= idx.maxWindow &&
      (contextWindow?.maxContextTokens ?? -1) < idx.maxWindow
    ) {
      idx.maxWindow = null;
    }
  }
  state.llmUsageByOp = mapWith(state.llmUsageByOp, opId, snapshot);
  idx.input += usage.inputTokens;
  idx.output += usage.outputTokens;
  idx.total += usage.totalTokens;
  if (idx.maxTotal !== null && usage.totalTokens > idx.maxTotal) idx.maxTotal = usage.totalTokens;
  const win = contextWindow?.maxContextTokens;
  if (idx.maxWindow !== null && win !== undefined && (idx.maxWindow === undefined || win > idx.maxWindow)) {
    idx.maxWindow = win;
  }
  state.llmUsageTotals = {
    inputTokens: clampU32(idx.input),
    outputTokens: clampU32(idx.output),
    totalTokens: clampU32(idx.total),
  };
}

/** spec §3.2.13 step 1: the maximum `totalTokens` over all snapshots, or `undefined` when there are none. */
export function maxRecordedTotalTokens(state: AppState): number | undefined {
  if (state.llmUsageByOp.size === 0) return undefined;
  const idx = state.usageIndex;
  if (idx.maxTotal === null) {
    let max = 0;
    for (const s of state.llmUsageByOp.values()) if (s.usage.totalTokens > max) max = s.usage.totalTokens;
    idx.maxTotal = max;
  }
  return idx.maxTotal;
}

/** spec §3.2.13 step 4: the maximum recorded context window, if any snapshot has one. */
export function maxRecordedContextWindow(state: AppState): number | undefined {
  const idx = state.usageIndex;
  if (idx.maxWindow === null) {
    let max: number | undefined;
    for (const s of state.llmUsageByOp.values()) {
      const w = s.contextWindow?.maxContextTokens;
      if (w !== undefined && (max === undefined || w > max)) max = w;
    }
    idx.maxWindow = max;
  }
  return idx.maxWindow;
}

/** Rebuilds the usage index and totals from `llmUsageByOp` (durable restore). */
export function rebuildUsageIndex(state: AppState): void {
  if (state.llmUsageByOp.size === 0) {
    state.usageIndex = INITIAL_USAGE_INDEX;
    state.llmUsageTotals = NO_USAGE;
    return;
  }
  const idx = createUsageIndex();
  idx.maxTotal = null;
  idx.maxWindow = null;
  for (const s of state.llmUsageByOp.values()) {
    idx.input += s.usage.inputTokens;
    idx.output += s.usage.outputTokens;
    idx.total += s.usage.totalTokens;
  }
  state.usageIndex = idx;
  state.llmUsageTotals = {
    inputTokens: clampU32(idx.input),
    outputTokens: clampU32(idx.output),
    totalTokens: clampU32(idx.total),
  };
}
