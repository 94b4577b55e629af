import type { ActionOf } from '../schemas/actions.js';
import type { ToolCall } from '../schemas/content.js';
import type { CancellationInfo, CancelReason } from '../schemas/events.js';
import type { AppState } from '../state/app-state.js';
import { completeOperation, recordCancelledOp } from '../state/operations.js';
import { popNextQueuedWork, queueItemSnapshot } from '../state/queue.js';
import { EMPTY_ARRAY } from '../state/shared-collections.js';
import { createCtx, emit, finishReduce, type ReduceCtx, type ReduceResult } from './context.js';
import type { ReducerDeps } from './deps.js';
import { cancelledText, cancelledUnknownText, recordToolFailure } from './tool-failure.js';

function cancelToolCall(ctx: ReduceCtx, toolCall: ToolCall): void {
  const name = toolCall.name;
  recordToolFailure(
    ctx,
    toolCall.id,
    name,
    { type: 'Cancelled', toolName: name },
    cancelledText(name),
    'cancelled',
  );
}

/**
 * spec §3.3.14 steps 2–12 for the current operation. `popQueue` is the spec's step 8 (a user cancel hands the
 * queue head back to the client); a suspend keeps the queue intact (deliberate change 10).
 * Order: `[CompactResult?, (ToolCallFailed?, ToolMessageAdded)*, OperationCancelled, QueueUpdated?]` plus the
 * `CancelOperation` effect.
 */
export function cancelCurrentOperation(ctx: ReduceCtx, reason: CancelReason, popQueue: boolean): void {
  const { state } = ctx;
  const op = state.currentOperation;
  if (op === undefined) return;
  const pendingIds = [...op.pendingToolCalls];
  recordCancelledOp(state, op.opId);
  if (op.kind.type === 'Compact') {
    emit(ctx, { type: 'CompactResult', result: { type: 'Cancelled' }, trigger: op.kind.trigger });
  }
  const pending = state.pendingApproval;
  const queued = state.approvalQueue;
  state.pendingApproval = undefined;
  state.approvalQueue = EMPTY_ARRAY;
  if (op.kind.type === 'AgentLoop') {
    // Keep the conversation well-formed: every tool call gets a result (step 6).
    if (pending !== undefined) cancelToolCall(ctx, pending.toolCall);
    for (const q of queued) cancelToolCall(ctx, q.toolCall);
    const graph = state.messageGraph;
    for (const id of pendingIds) {
      const name = graph.findToolNameById(id);
      recordToolFailure(
        ctx,
        id,
        name ?? id,
        { type: 'Cancelled', toolName: name ?? id },
        name === undefined ? cancelledUnknownText(id) : cancelledText(name),
        'cancelled',
      );
    }
  }
  const popped = popQueue ? popNextQueuedWork(state) : undefined;
  const info: CancellationInfo =
    popped === undefined
      ? { pendingToolCalls: pendingIds.length }
      : { pendingToolCalls: pendingIds.length, poppedQueuedItem: queueItemSnapshot(popped) };
  emit(ctx, { type: 'OperationCancelled', opId: op.opId, info, reason });
  ctx.effects.push({ type: 'CancelOperation', sessionId: ctx.sessionId, opId: op.opId });
  completeOperation(state, op.opId);
  if (popped !== undefined) emit(ctx, { type: 'QueuedWorkRemoved', opId: popped.opId });
  // Step 13: nothing is started afterwards.
}

/** spec §3.3.14 `Cancel` (reason `user`). Ignored without an op or when `opId` names another op. */
export function onCancel(ctx: ReduceCtx, a: ActionOf<'Cancel'>): void {
  const op = ctx.state.currentOperation;
  if (op === undefined || (a.opId !== undefined && a.opId !== op.opId)) return;
  cancelCurrentOperation(ctx, 'user', true);
}

/**
 * Deliberate change 10 (§11.16): suspending a busy session cancels its work with the same events as a `Cancel`
 * (reason `suspended`), except that the queue head is not popped — queued work survives the suspend and is
 * drained on resume. Returns empty lists for an idle session. Mutates `state` like `reduce`.
 */
export function cancelForSuspend(state: AppState, deps: ReducerDeps): ReduceResult {
  const ctx = createCtx(state, deps, state.sessionId);
  cancelCurrentOperation(ctx, 'suspended', false);
  return finishReduce(ctx);
}
