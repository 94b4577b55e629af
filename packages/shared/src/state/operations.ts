import type { OperationKind } from '../schemas/operation.js';
import type { AppState } from './app-state.js';
import { EMPTY_SET, mapWithout, ownSet, setWith, setWithout } from './shared-collections.js';

/** spec §2.7 / Appendix B: how many cancelled op ids are remembered. */
export const CANCELLED_OPS_LIMIT = 100;

/** spec §2.7 `startOperation`: overwrites any existing operation. */
export function startOperation(state: AppState, opId: string, kind: OperationKind): void {
  state.currentOperation = { opId, kind, pendingToolCalls: EMPTY_SET };
}

/** spec §2.7 `completeOperation`. The maps go back to the shared empty one once no op is left in them. */
export function completeOperation(state: AppState, opId: string): void {
  state.operationModels = mapWithout(state.operationModels, opId);
  state.operationMessages = mapWithout(state.operationMessages, opId);
  if (state.currentOperation?.opId === opId) state.currentOperation = undefined;
}

/** spec §2.7 `addPendingToolCall` (only with a current operation). */
export function addPendingToolCall(state: AppState, toolCallId: string): void {
  const op = state.currentOperation;
  if (op !== undefined) op.pendingToolCalls = setWith(op.pendingToolCalls, toolCallId);
}

/** spec §2.7 `removePendingToolCall` (only with a current operation). */
export function removePendingToolCall(state: AppState, toolCallId: string): void {
  const op = state.currentOperation;
  if (op !== undefined) op.pendingToolCalls = setWithout(op.pendingToolCalls, toolCallId);
}

/** spec §2.7 `recordCancelledOp`, evicting the oldest entry by insertion order (§11.14 decided). */
export function recordCancelledOp(state: AppState, opId: string): void {
  const set = ownSet(state.cancelledOps); // the shared empty set until the first cancel
  state.cancelledOps = set;
  set.add(opId);
  while (set.size > CANCELLED_OPS_LIMIT) {
    const oldest = set.values().next();
    if (oldest.done === true) break;
    set.delete(oldest.value);
  }
}

/** Whether an operation of any kind is active. */
export const isBusy = (state: AppState): boolean => state.currentOperation !== undefined;
