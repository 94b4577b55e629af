import type { ActionOf } from '../schemas/actions.js';
import type { Message, ToolMessage, UserMessage } from '../schemas/message.js';
import { toolErrorDisplay } from '../schemas/tool-error-display.js';
import type { ToolResult } from '../schemas/tool-result.js';
import { readyToContinue } from '../state/app-state.js';
import { addPendingToolCall, completeOperation, removePendingToolCall } from '../state/operations.js';
import { mapWithout } from '../state/shared-collections.js';
import { projectAutoCompactionAfterToolResults } from './auto-compaction.js';
import { callModel } from './call-model.js';
import { emit, emitError, type ReduceCtx, softError } from './context.js';
import { startNextQueuedWork } from './turns.js';

/**
 * spec §3.3.5 with deliberate change 4: the action carries the op that issued the tool call. A start for an op
 * that is not current (cancelled, finished, or superseded) is ignored silently — this also removes the
 * start/cancel race of §11.19. Without any current op and for an op never cancelled, the spec's `Error` stays.
 */
export function onToolExecutionStarted(ctx: ReduceCtx, a: ActionOf<'ToolExecutionStarted'>): void {
  const { state } = ctx;
  const op = state.currentOperation;
  if (op === undefined) {
    if (!state.cancelledOps.has(a.opId)) emitError(ctx, softError.toolStartedWithoutOp);
    return;
  }
  if (op.opId !== a.opId || state.cancelledOps.has(a.opId)) return;
  addPendingToolCall(state, a.toolCallId);
  if (op.kind.type === 'DirectBash') return;
  const model = state.operationModels.get(op.opId);
  if (model === undefined) {
    emitError(ctx, softError.missingModelToolCall(op.opId));
    return;
  }
  emit(ctx, {
    type: 'ToolCallStarted',
    id: a.toolCallId,
    name: a.toolName,
    parameters: a.toolParameters,
    model,
  });
}

/** spec §3.3.6 step 4: the (stdout, stderr, exitCode) a direct-bash result reports. */
function commandOutput(result: ToolResult): [string, string, number] {
  if (result.type === 'Bash') return [result.stdout, result.stderr, result.exitCode];
  if (result.type === 'Error') return ['', toolErrorDisplay(result.error), 1];
  return [JSON.stringify(result), '', 0];
}

/**
 * spec §3.3.6 with deliberate change 4 (§11.10): a result is only accepted for the current op, and never for a
 * cancelled one (late result after cancel, §10.1 `late_result_ignored_after_cancel`).
 */
export function onToolResult(ctx: ReduceCtx, a: ActionOf<'ToolResult'>): void {
  const { state } = ctx;
  const op = state.currentOperation;
  if (op === undefined || op.opId !== a.opId || state.cancelledOps.has(op.opId)) return;
  removePendingToolCall(state, a.toolCallId);
  const result: ToolResult = a.result.ok ? a.result.value : { type: 'Error', error: a.result.error };
  const opId = op.opId;
  const graph = state.messageGraph;

  if (op.kind.type === 'DirectBash') {
    const command = op.kind.command;
    const [stdout, stderr, exitCode] = commandOutput(result);
    const messageId = state.operationMessages.get(opId);
    state.operationMessages = mapWithout(state.operationMessages, opId);
    let message: Message | undefined;
    if (messageId !== undefined) {
      message = graph.updateCommandExecution(messageId, command, stdout, stderr, exitCode);
      if (message === undefined) {
        // §11.29 (decided): the spec emits `MessageUpdated` for a message missing from the live graph, which
        // replay then appends. Apply the same "replace or append" live, so live state and replay agree.
        const replacement: UserMessage = {
          role: 'user',
          id: messageId,
          parentMessageId: graph.activeMessageId ?? null,
          timestamp: ctx.deps.now(),
          content: [{ type: 'command_execution', command, stdout, stderr, exitCode }],
        };
        graph.replace(replacement);
        message = replacement;
      }
    }
    completeOperation(state, opId);
    if (message !== undefined) emit(ctx, { type: 'MessageUpdated', message });
    emit(ctx, { type: 'OperationCompleted', opId });
    startNextQueuedWork(ctx);
    return;
  }

  const model = state.operationModels.get(opId);
  if (model === undefined) {
    emitError(ctx, softError.missingModelToolResult(opId));
    return;
  }
  if (result.type === 'Error') {
    emit(ctx, {
      type: 'ToolCallFailed',
      id: a.toolCallId,
      name: a.toolName,
      error: toolErrorDisplay(result.error),
      model,
    });
  } else {
    emit(ctx, { type: 'ToolCallCompleted', id: a.toolCallId, name: a.toolName, result, model });
  }
  const message: ToolMessage = {
    role: 'tool',
    id: `tool_result_${a.toolCallId}`,
    parentMessageId: graph.activeMessageId ?? null,
    timestamp: 0,
    toolUseId: a.toolCallId,
    result,
  };
  graph.add(message);
  emit(ctx, { type: 'ToolMessageAdded', message });
  // Only an agent loop goes on to the model (see continueIfReady).
  if (op.kind.type !== 'AgentLoop' || !readyToContinue(state)) return;
  if (projectAutoCompactionAfterToolResults(ctx, opId, model)) return;
  callModel(ctx, opId, model);
}
