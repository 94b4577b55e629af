import { isContextWindowExceededError } from '../compaction/overflow.js';
import type { ActionOf } from '../schemas/actions.js';
import type { AssistantContent, ToolCall } from '../schemas/content.js';
import type { AssistantMessage } from '../schemas/message.js';
import type { CompactTrigger } from '../schemas/operation.js';
import { completeOperation } from '../state/operations.js';
import { EMPTY_ARRAY } from '../state/shared-collections.js';
import { recordLlmUsage } from '../state/usage.js';
import { deriveContextWindowUsage } from '../usage/token-usage.js';
import { continueIfReady, requestToolCall } from './admission.js';
import { autoCompactElseDrain, forceAutoCompactAfterOverflow, shouldAutoCompact } from './auto-compaction.js';
import { emit, emitError, type ReduceCtx, softError } from './context.js';
import { startNextQueuedWork } from './turns.js';

/** spec §3.3.10 step 5: the content stored when tool calls are pruned (undefined = drop the message). */
function prunedContent(content: AssistantContent[]): AssistantContent[] | undefined {
  const kept = content.filter((c) => c.type !== 'tool_call');
  return kept.some((c) => c.type !== 'thought') ? kept : undefined;
}

/**
 * spec §3.3.10 with deliberate changes 2 and 4: a response for an op that is not current (or was cancelled) is
 * ignored, and all tool calls of the response are admitted before deciding — once — whether to call the model.
 */
export function onModelResponseComplete(ctx: ReduceCtx, a: ActionOf<'ModelResponseComplete'>): void {
  const { state } = ctx;
  const opId = a.opId;
  if (state.cancelledOps.has(opId) || state.currentOperation?.opId !== opId) return;
  const toolCalls: ToolCall[] = [];
  for (const c of a.content) if (c.type === 'tool_call') toolCalls.push(c.toolCall);
  const model = state.operationModels.get(opId);
  if (model === undefined) {
    emitError(ctx, softError.missingModel(opId));
    return;
  }
  const window = a.contextWindowTokens;
  const maxOut = a.configuredMaxOutputTokens;
  const preempt = toolCalls.length > 0 && shouldAutoCompact(state, a.usage, window, maxOut, false);
  const stored = preempt ? prunedContent(a.content) : a.content;
  if (stored !== undefined) {
    const graph = state.messageGraph;
    const message: AssistantMessage = {
      role: 'assistant',
      id: a.messageId,
      parentMessageId: graph.activeMessageId ?? null,
      timestamp: a.timestamp,
      content: stored,
    };
    graph.add(message);
    emit(ctx, { type: 'AssistantMessageAdded', message, model });
  }
  if (a.usage !== undefined) {
    const contextWindow = deriveContextWindowUsage(a.usage.totalTokens, window, maxOut) ?? undefined;
    recordLlmUsage(state, opId, model, a.usage, contextWindow);
    emit(
      ctx,
      contextWindow === undefined
        ? { type: 'LlmUsageUpdated', opId, model, usage: a.usage }
        : { type: 'LlmUsageUpdated', opId, model, usage: a.usage, contextWindow },
    );
  }
  if (preempt || toolCalls.length === 0) {
    completeOperation(state, opId);
    if (preempt) {
      state.pendingApproval = undefined;
      state.approvalQueue = EMPTY_ARRAY;
    }
    emit(ctx, { type: 'OperationCompleted', opId });
    autoCompactElseDrain(ctx, a.usage, window, maxOut, model);
    return;
  }
  for (const toolCall of toolCalls) requestToolCall(ctx, ctx.deps.newId(), toolCall, false);
  continueIfReady(ctx);
}

/** spec §3.3.11 with deliberate change 4: an error for an op that is not current is ignored. */
export function onModelResponseError(ctx: ReduceCtx, a: ActionOf<'ModelResponseError'>): void {
  const { state } = ctx;
  const opId = a.opId;
  const op = state.currentOperation;
  if (state.cancelledOps.has(opId) || op?.opId !== opId) return;
  const trigger: CompactTrigger = op.kind.type === 'Compact' ? op.kind.trigger : 'Manual';
  const model = state.operationModels.get(opId);
  completeOperation(state, opId);
  if (model !== undefined && trigger !== 'Auto' && isContextWindowExceededError(a.error)) {
    // Overflow recovery (§3.2.13 trigger 4): completion first, then a forced compaction or the error.
    emit(ctx, { type: 'OperationCompleted', opId });
    if (forceAutoCompactAfterOverflow(ctx, model)) return;
    emitError(ctx, a.error);
    startNextQueuedWork(ctx);
    return;
  }
  emitError(ctx, a.error);
  emit(ctx, { type: 'OperationCompleted', opId });
  startNextQueuedWork(ctx);
}
