import type { ActionOf } from '../schemas/actions.js';
import type { ApprovalMemory } from '../schemas/operation.js';
import { addPendingToolCall } from '../state/operations.js';
import { EMPTY_ARRAY, setWith } from '../state/shared-collections.js';
import { drainApprovalQueue, requestToolCall } from './admission.js';
import { emit, emitError, type ReduceCtx, softError } from './context.js';
import {
  cancelledText,
  deniedByUserText,
  failToolCallWithoutExecution,
  recordToolFailure,
} from './tool-failure.js';

/** spec §3.3.3 */
export function onToolApprovalRequested(ctx: ReduceCtx, a: ActionOf<'ToolApprovalRequested'>): void {
  requestToolCall(ctx, a.requestId, a.toolCall, true);
}

/** spec §3.3.4 step 3: memory only survives an approval; `PendingTool` names the pending call's tool. */
function resolveMemory(memory: ApprovalMemory | undefined, toolName: string): ApprovalMemory | undefined {
  if (memory === undefined) return undefined;
  return memory.type === 'PendingTool' ? { type: 'Tool', toolName } : memory;
}

/**
 * §11.5 (decided): without an operation nothing can execute, so instead of leaving queued approvals stuck
 * behind an error, every queued call is closed with a synthetic `Cancelled` result (as a cancel would,
 * §3.3.14 step 6b) and the queue is cleared.
 */
function closeApprovalQueueWithoutOp(ctx: ReduceCtx): void {
  const queue = ctx.state.approvalQueue;
  ctx.state.approvalQueue = EMPTY_ARRAY;
  for (const { toolCall } of queue) {
    recordToolFailure(
      ctx,
      toolCall.id,
      toolCall.name,
      { type: 'Cancelled', toolName: toolCall.name },
      cancelledText(toolCall.name),
      'cancelled',
    );
  }
}

/** spec §3.3.4 */
export function onToolApprovalDecided(ctx: ReduceCtx, a: ActionOf<'ToolApprovalDecided'>): void {
  const { state } = ctx;
  const pending = state.pendingApproval;
  if (pending === undefined || pending.requestId !== a.requestId) return; // stale id: silently ignored (§11.6)
  state.pendingApproval = undefined;
  const toolCall = pending.toolCall;
  const approved = a.decision === 'Approved';
  const memory = approved ? resolveMemory(a.remember, toolCall.name) : undefined;
  emit(
    ctx,
    memory === undefined
      ? { type: 'ApprovalDecided', requestId: a.requestId, decision: a.decision }
      : { type: 'ApprovalDecided', requestId: a.requestId, decision: a.decision, remember: memory },
  );
  const op = state.currentOperation;
  if (approved) {
    if (memory?.type === 'Tool') state.approvedTools = setWith(state.approvedTools, memory.toolName);
    else if (memory?.type === 'BashPattern') {
      state.approvedBashPatterns = setWith(state.approvedBashPatterns, memory.pattern);
    }
    if (op === undefined) {
      emitError(ctx, softError.approvalDecidedWithoutOp);
      closeApprovalQueueWithoutOp(ctx);
      return;
    }
    addPendingToolCall(state, toolCall.id);
    ctx.effects.push({ type: 'ExecuteTool', sessionId: ctx.sessionId, opId: op.opId, toolCall });
    // No CallModel here: the model is called after the tool result (§10.1).
  } else {
    failToolCallWithoutExecution(
      ctx,
      toolCall,
      { type: 'DeniedByUser', toolName: toolCall.name },
      deniedByUserText(toolCall.name),
      'denied',
      false,
    );
    if (op === undefined) {
      closeApprovalQueueWithoutOp(ctx);
      return;
    }
  }
  drainApprovalQueue(ctx);
}
