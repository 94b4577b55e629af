import { charCount, estimateTokens, toolResultLlmText } from '../compaction/llm-text.js';
import { CONTINUATION_PROMPT } from '../compaction/prompts.js';
import type { ModelId } from '../schemas/ids.js';
import type { UserMessage } from '../schemas/message.js';
import type { CompactTrigger } from '../schemas/operation.js';
import type { TokenUsage } from '../schemas/usage.js';
import type { AppState } from '../state/app-state.js';
import { completeOperation, startOperation } from '../state/operations.js';
import { EMPTY_ARRAY, mapWith } from '../state/shared-collections.js';
import { maxRecordedContextWindow, maxRecordedTotalTokens } from '../state/usage.js';
import { deriveContextWindowUsage, U32_MAX } from '../usage/token-usage.js';
import { emit, type ReduceCtx } from './context.js';
import { startNextQueuedWork } from './turns.js';

/** Appendix B: the minimum thread length for compaction (manual and auto). */
export const MIN_COMPACTION_MESSAGES = 3;

type UsageLike = Pick<TokenUsage, 'totalTokens'>;

/** spec §3.2.12 `shouldAutoCompact`. Cheap guards first. */
export function shouldAutoCompact(
  state: AppState,
  usage: UsageLike | undefined,
  contextWindowTokens: number | undefined,
  maxOutputTokens: number | undefined,
  requireNoActiveOperation: boolean,
): boolean {
  const config = state.sessionConfig;
  if (config === undefined || !config.autoCompaction.enabled || usage === undefined) return false;
  if (state.queuedWork.length > 0) return false;
  if (requireNoActiveOperation && state.currentOperation !== undefined) return false;
  const window = deriveContextWindowUsage(usage.totalTokens, contextWindowTokens, maxOutputTokens);
  if (window == null || window.estimated) return false;
  if ((window.utilizationRatio ?? 0) < config.autoCompaction.thresholdPercent / 100) return false;
  return state.messageGraph.threadHasAtLeast(MIN_COMPACTION_MESSAGES);
}

/** spec §3.2.13 `startAutoCompaction` (op id from deps, deliberate change 11). */
export function startAutoCompaction(ctx: ReduceCtx, model: ModelId): void {
  const opId = ctx.deps.newId();
  const kind = { type: 'Compact', trigger: 'Auto' } as const;
  startOperation(ctx.state, opId, kind);
  ctx.state.operationModels = mapWith(ctx.state.operationModels, opId, model);
  emit(ctx, { type: 'OperationStarted', opId, kind });
  ctx.effects.push({ type: 'RequestCompaction', sessionId: ctx.sessionId, opId, model });
}

/** spec §3.2.13 `maybeAutoCompact`. Returns whether a compaction started. */
export function maybeAutoCompact(
  ctx: ReduceCtx,
  usage: UsageLike | undefined,
  contextWindowTokens: number | undefined,
  maxOutputTokens: number | undefined,
  model: ModelId,
): boolean {
  if (!shouldAutoCompact(ctx.state, usage, contextWindowTokens, maxOutputTokens, true)) return false;
  startAutoCompaction(ctx, model);
  return true;
}

/** The "auto-compact, else drain the queue" step after an operation completed (§3.3.10 steps 8–9). */
export function autoCompactElseDrain(
  ctx: ReduceCtx,
  usage: UsageLike | undefined,
  contextWindowTokens: number | undefined,
  maxOutputTokens: number | undefined,
  model: ModelId,
): void {
  if (!maybeAutoCompact(ctx, usage, contextWindowTokens, maxOutputTokens, model)) startNextQueuedWork(ctx);
}

/** spec §3.2.13 `forceAutoCompactAfterOverflow`. Returns whether a compaction started. */
export function forceAutoCompactAfterOverflow(ctx: ReduceCtx, model: ModelId): boolean {
  const { state } = ctx;
  const config = state.sessionConfig;
  if (config === undefined || !config.autoCompaction.enabled) return false;
  if (state.queuedWork.length > 0 || state.currentOperation !== undefined) return false;
  if (!state.messageGraph.threadHasAtLeast(MIN_COMPACTION_MESSAGES)) return false;
  startAutoCompaction(ctx, model);
  return true;
}

/**
 * spec §3.2.13 `projectAutoCompactionAfterToolResults` (runs when the last tool result of a round arrived).
 * Returns whether it applied (the op was completed and the caller must not call the model).
 */
export function projectAutoCompactionAfterToolResults(ctx: ReduceCtx, opId: string, model: ModelId): boolean {
  const { state } = ctx;
  const config = state.sessionConfig;
  // Cheap guards of shouldAutoCompact first, so the common case never renders tool results.
  if (config === undefined || !config.autoCompaction.enabled || state.queuedWork.length > 0) return false;
  const latest = maxRecordedTotalTokens(state);
  if (latest === undefined) return false;
  let growth = 0;
  for (const m of state.messageGraph.trailingToolMessages()) {
    growth += estimateTokens(charCount(toolResultLlmText(m.result)));
  }
  if (growth === 0) return false;
  const projected = { totalTokens: Math.min(latest + growth, U32_MAX) };
  const window = maxRecordedContextWindow(state);
  if (!shouldAutoCompact(state, projected, window, undefined, false)) return false;
  completeOperation(state, opId);
  state.pendingApproval = undefined;
  state.approvalQueue = EMPTY_ARRAY;
  emit(ctx, { type: 'OperationCompleted', opId });
  autoCompactElseDrain(ctx, projected, window, undefined, model);
  return true;
}

/**
 * spec §3.2.15 `continueAfterCompaction`: after a successful *auto* compaction with nothing else started, a new
 * agent loop whose model call ends with a synthetic (never stored, never emitted) continuation message.
 */
export function continueAfterCompaction(ctx: ReduceCtx, trigger: CompactTrigger, model: ModelId): void {
  const { state, deps } = ctx;
  if (trigger !== 'Auto' || state.currentOperation !== undefined) return;
  const opId = deps.newId();
  startOperation(state, opId, { type: 'AgentLoop' });
  state.operationModels = mapWith(state.operationModels, opId, model);
  const messages = state.messageGraph.getActiveThread();
  const prompt: UserMessage = {
    role: 'user',
    id: `compact_continue_${opId}`,
    parentMessageId: state.messageGraph.activeMessageId ?? null,
    timestamp: deps.now(),
    content: [{ type: 'text', text: CONTINUATION_PROMPT }],
  };
  messages.push(prompt);
  emit(ctx, { type: 'OperationStarted', opId, kind: { type: 'AgentLoop' } });
  ctx.effects.push({
    type: 'CallModel',
    sessionId: ctx.sessionId,
    opId,
    model,
    messages,
    systemContext: state.cachedSystemContext,
    tools: state.tools.slice(),
  });
}
