import type { ActionOf } from '../schemas/actions.js';
import type { UserMessage } from '../schemas/message.js';
import type { QueuedWorkItem } from '../state/app-state.js';
import { startOperation } from '../state/operations.js';
import { queueBashCommand, queueItemSnapshot, queueUserMessage } from '../state/queue.js';
import { mapWith } from '../state/shared-collections.js';
import { callModel } from './call-model.js';
import { emit, type ReduceCtx } from './context.js';
import { InvalidActionError } from './errors.js';
import { startDirectBash, startUserTurn } from './turns.js';

/** spec §3.3.1: busy → queued (coalescing, §2.7); idle → a new user turn. Empty content is not rejected here. */
export function onUserInput(ctx: ReduceCtx, a: ActionOf<'UserInput'>): void {
  const { state } = ctx;
  if (state.currentOperation !== undefined) {
    const item: QueuedWorkItem = {
      kind: 'UserMessage',
      content: a.content,
      opId: a.opId,
      messageId: a.messageId,
      model: a.model,
      queuedAt: a.timestamp,
    };
    // Snapshot first: queueUserMessage may merge the input into the tail (the event carries the input only).
    const added = queueItemSnapshot(item);
    queueUserMessage(state, item);
    emit(ctx, { type: 'QueuedWorkAdded', item: added });
    return;
  }
  startUserTurn(ctx, a.content, a.opId, a.messageId, a.model, a.timestamp);
}

/** spec §3.3.2: an edit branches from the original's parent. Rejected while an operation is active. */
export function onUserEditedMessage(ctx: ReduceCtx, a: ActionOf<'UserEditedMessage'>): void {
  const { state } = ctx;
  if (state.currentOperation !== undefined) {
    throw new InvalidActionError('OperationInFlight', 'Cannot edit a message while an operation is active');
  }
  const graph = state.messageGraph;
  const original = graph.getFirst(a.messageId);
  const message: UserMessage = {
    role: 'user',
    id: a.newMessageId,
    parentMessageId: original?.parentMessageId ?? null,
    timestamp: a.timestamp,
    content: a.newContent,
  };
  graph.add(message);
  startOperation(state, a.opId, { type: 'AgentLoop' });
  state.operationModels = mapWith(state.operationModels, a.opId, a.model);
  emit(ctx, { type: 'UserMessageAdded', message });
  emit(ctx, { type: 'OperationStarted', opId: a.opId, kind: { type: 'AgentLoop' } });
  callModel(ctx, a.opId, a.model);
}

/** spec §3.3.12: busy → queued (never merged); idle → runs at once, bypassing approval (§11.7). */
export function onDirectBashCommand(ctx: ReduceCtx, a: ActionOf<'DirectBashCommand'>): void {
  const { state } = ctx;
  if (state.currentOperation !== undefined) {
    const item: QueuedWorkItem = {
      kind: 'DirectBash',
      command: a.command,
      opId: a.opId,
      messageId: a.messageId,
      queuedAt: a.timestamp,
    };
    queueBashCommand(state, item);
    emit(ctx, { type: 'QueuedWorkAdded', item: queueItemSnapshot(item) });
    return;
  }
  startDirectBash(ctx, a.opId, a.messageId, a.command, a.timestamp);
}
