import type { ToolCall } from '../schemas/content.js';
import type { ToolMessage } from '../schemas/message.js';
import type { ToolError } from '../schemas/tool-result.js';
import { readyToContinue } from '../state/app-state.js';
import { callModel } from './call-model.js';
import { emit, emitError, type ReduceCtx, softError } from './context.js';

/** Appendix B message-id prefixes of synthetic tool results. */
export type FailurePrefix = 'invalid' | 'denied' | 'cancelled';

/**
 * spec §3.2.9 `recordToolFailure`: add a tool message holding `Error(toolError)` (it becomes the head), emit
 * `ToolCallFailed` when the current op has a model, then `ToolMessageAdded`.
 */
export function recordToolFailure(
  ctx: ReduceCtx,
  toolCallId: string,
  toolName: string,
  toolError: ToolError,
  eventError: string,
  idPrefix: FailurePrefix,
): void {
  const { state } = ctx;
  const graph = state.messageGraph;
  const message: ToolMessage = {
    role: 'tool',
    id: `${idPrefix}_${toolCallId}`,
    parentMessageId: graph.activeMessageId ?? null,
    timestamp: 0,
    toolUseId: toolCallId,
    result: { type: 'Error', error: toolError },
  };
  graph.add(message);
  const op = state.currentOperation;
  const model = op === undefined ? undefined : state.operationModels.get(op.opId);
  if (model !== undefined)
    emit(ctx, { type: 'ToolCallFailed', id: toolCallId, name: toolName, error: eventError, model });
  emit(ctx, { type: 'ToolMessageAdded', message });
}

/** spec §3.2.10 `failToolCallWithoutExecution`. */
export function failToolCallWithoutExecution(
  ctx: ReduceCtx,
  toolCall: ToolCall,
  toolError: ToolError,
  eventError: string,
  idPrefix: FailurePrefix,
  continueIfReady: boolean,
): void {
  recordToolFailure(ctx, toolCall.id, toolCall.name, toolError, eventError, idPrefix);
  if (!continueIfReady) return;
  const { state } = ctx;
  const op = state.currentOperation;
  if (op === undefined) {
    emitError(ctx, softError.toolFailureWithoutOp);
    return;
  }
  if (op.kind.type !== 'AgentLoop') return; // only an agent loop goes on to the model (see continueIfReady)
  const model = state.operationModels.get(op.opId);
  if (model === undefined) {
    emitError(ctx, softError.missingModel(op.opId));
    return;
  }
  if (readyToContinue(state)) callModel(ctx, op.opId, model);
}

/** A call the approval policy denies (spec §3.2.17, §3.2.18, §3.3.8): a synthetic DeniedByPolicy result. */
export function denyByPolicy(ctx: ReduceCtx, toolCall: ToolCall, continueIfReady: boolean): void {
  failToolCallWithoutExecution(
    ctx,
    toolCall,
    { type: 'DeniedByPolicy', toolName: toolCall.name },
    deniedByPolicyText(toolCall.name),
    'denied',
    continueIfReady,
  );
}

/** spec §3.2.10 event texts. */
export const deniedByPolicyText = (name: string): string => `Tool '${name}' denied by policy`;
export const deniedByUserText = (name: string): string => `Tool '${name}' denied by user`;
export const cancelledText = (name: string): string => `Tool '${name}' cancelled`;
export const cancelledUnknownText = (id: string): string => `Tool call '${id}' cancelled`;
