import { trackOpenOperation } from '../replay/open-operation.js';
import type { Effect } from '../schemas/effects.js';
import type { SessionEvent } from '../schemas/events.js';
import type { AppState } from '../state/app-state.js';
import type { ReducerDeps } from './deps.js';

/** What `reduce` returns: events in emission order (spec "emit X") and the other effects in order. */
export interface ReduceResult {
  events: SessionEvent[];
  effects: Effect[];
}

/** The working context of one `reduce` call. */
export interface ReduceCtx {
  readonly state: AppState;
  readonly deps: ReducerDeps;
  /** copied from the action into every effect (spec §3.1: never checked against `state.sessionId`) */
  readonly sessionId: string;
  readonly events: SessionEvent[];
  readonly effects: Effect[];
}

export function createCtx(state: AppState, deps: ReducerDeps, sessionId: string): ReduceCtx {
  return { state, deps, sessionId, events: [], effects: [] };
}

export function emit(ctx: ReduceCtx, event: SessionEvent): void {
  ctx.events.push(event);
}

export function emitError(ctx: ReduceCtx, message: string): void {
  ctx.events.push({ type: 'Error', message });
}

/** spec §3.0 soft-error texts (gists). */
export const softError = {
  approvalRequestedWithoutOp: 'A tool approval was requested while no operation is active',
  approvalDecidedWithoutOp: 'A tool approval was decided while no operation is active',
  queuedApprovalWithoutOp: 'A queued tool approval was processed while no operation is active',
  toolFailureWithoutOp: 'A tool failure was recorded while no operation is active',
  toolStartedWithoutOp: 'A tool call started while no operation is active',
  missingModel: (op: string) => `Missing model for operation ${op}`,
  missingModelToolCall: (op: string) => `Missing model for a tool call on operation ${op}`,
  missingModelToolResult: (op: string) => `Missing model for a tool result on operation ${op}`,
  missingModelCompaction: (op: string) => `Missing model for compaction operation ${op}`,
} as const;

/**
 * Ends every entry point that emits events (reduce, cancelForSuspend): keeps `state.interruptedOperation` in
 * step with the emitted events exactly as replay would (deliberate change 6).
 */
export function finishReduce(ctx: ReduceCtx): ReduceResult {
  for (const e of ctx.events) trackOpenOperation(ctx.state, e);
  return { events: ctx.events, effects: ctx.effects };
}
