import type { ActionOf } from '../schemas/actions.js';
import type { AssistantMessage } from '../schemas/message.js';
import type { CompactionRecord, CompactTrigger } from '../schemas/operation.js';
import type { AppState } from '../state/app-state.js';
import { completeOperation, startOperation } from '../state/operations.js';
import { mapWith } from '../state/shared-collections.js';
import { continueAfterCompaction, MIN_COMPACTION_MESSAGES } from './auto-compaction.js';
import { emit, emitError, type ReduceCtx, softError } from './context.js';
import { InvalidActionError } from './errors.js';
import { startNextQueuedWork } from './turns.js';

/** spec §3.3.17 manual `RequestCompaction`. */
export function onRequestCompaction(ctx: ReduceCtx, a: ActionOf<'RequestCompaction'>): void {
  const { state } = ctx;
  if (state.currentOperation !== undefined) {
    throw new InvalidActionError('OperationInFlight', 'Cannot compact while an operation is active');
  }
  if (!state.messageGraph.threadHasAtLeast(MIN_COMPACTION_MESSAGES)) {
    emit(ctx, { type: 'CompactResult', result: { type: 'InsufficientMessages' }, trigger: 'Manual' });
    return;
  }
  const kind = { type: 'Compact', trigger: 'Manual' } as const;
  startOperation(state, a.opId, kind);
  state.operationModels = mapWith(state.operationModels, a.opId, a.model);
  emit(ctx, { type: 'OperationStarted', opId: a.opId, kind });
  ctx.effects.push({ type: 'RequestCompaction', sessionId: ctx.sessionId, opId: a.opId, model: a.model });
}

/** spec §3.3.18 step 5: the current op's compact trigger, else `Manual`. */
function currentTrigger(state: AppState): CompactTrigger {
  const kind = state.currentOperation?.kind;
  return kind?.type === 'Compact' ? kind.trigger : 'Manual';
}

/** spec §1.10: `createdAt` is the action's seconds as RFC 3339, falling back to now when out of range. */
function createdAt(timestamp: number, now: number): string {
  const ms = timestamp * 1000;
  const date = Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms) : new Date(now * 1000);
  return date.toISOString();
}

/** Deliberate change 4 (§11.11): compaction outcomes count only for the current, non-cancelled op. */
const isLiveOp = (state: AppState, opId: string): boolean =>
  state.currentOperation?.opId === opId && !state.cancelledOps.has(opId);

/** spec §3.3.18 */
export function onCompactionComplete(ctx: ReduceCtx, a: ActionOf<'CompactionComplete'>): void {
  const { state } = ctx;
  const opId = a.opId;
  if (!isLiveOp(state, opId)) return;
  const model = state.operationModels.get(opId);
  if (model === undefined) {
    // §11.29 (decided): the spec adds the summary to live state without an event; Shoal adds nothing, and
    // closes the op in the log too, so live state, log and replay agree.
    completeOperation(state, opId);
    emitError(ctx, softError.missingModelCompaction(opId));
    emit(ctx, { type: 'OperationCompleted', opId });
    startNextQueuedWork(ctx);
    return;
  }
  const graph = state.messageGraph;
  const summary: AssistantMessage = {
    role: 'assistant',
    id: a.summaryMessageId,
    parentMessageId: null,
    timestamp: a.timestamp,
    content: [{ type: 'text', text: a.summary }],
  };
  graph.add(summary);
  graph.markCompactionSummary(summary.id);
  const record: CompactionRecord = {
    id: a.compactionId,
    summaryMessageId: a.summaryMessageId,
    compactedHeadMessageId: a.compactedHeadMessageId,
    model: a.model,
    createdAt: createdAt(a.timestamp, ctx.deps.now()),
  };
  if (a.previousActiveMessageId !== undefined) record.previousActiveMessageId = a.previousActiveMessageId;
  const trigger = currentTrigger(state);
  completeOperation(state, opId);
  emit(ctx, { type: 'AssistantMessageAdded', message: summary, model });
  emit(ctx, { type: 'CompactResult', result: { type: 'Success', summary: a.summary }, trigger });
  emit(ctx, { type: 'ConversationCompacted', record });
  emit(ctx, { type: 'OperationCompleted', opId });
  startNextQueuedWork(ctx);
  continueAfterCompaction(ctx, trigger, model);
}

/** spec §3.3.19 (no `Error` event). */
export function onCompactionFailed(ctx: ReduceCtx, a: ActionOf<'CompactionFailed'>): void {
  const { state } = ctx;
  if (!isLiveOp(state, a.opId)) return;
  const trigger = currentTrigger(state);
  completeOperation(state, a.opId);
  emit(ctx, { type: 'CompactResult', result: { type: 'Failed', error: a.error }, trigger });
  emit(ctx, { type: 'OperationCompleted', opId: a.opId });
  startNextQueuedWork(ctx);
}
