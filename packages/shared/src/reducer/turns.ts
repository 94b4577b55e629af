import type { UserContent } from '../schemas/content.js';
import type { ModelId } from '../schemas/ids.js';
import type { UserMessage } from '../schemas/message.js';
import { type AppState, titleMissing } from '../state/app-state.js';
import { startOperation } from '../state/operations.js';
import { popNextQueuedWork } from '../state/queue.js';
import { mapWith } from '../state/shared-collections.js';
import { titleSeed } from '../title.js';
import { callModel } from './call-model.js';
import { emit, type ReduceCtx } from './context.js';

/** spec §3.2.3 `startUserTurn` (idle path of `UserInput`, and queued user messages). */
export function startUserTurn(
  ctx: ReduceCtx,
  content: UserContent[],
  opId: string,
  messageId: string,
  model: ModelId,
  timestamp: number,
): void {
  const { state } = ctx;
  const message = addUserMessage(state, messageId, timestamp, content);
  startOperation(state, opId, { type: 'AgentLoop' });
  state.operationModels = mapWith(state.operationModels, opId, model);
  emit(ctx, { type: 'UserMessageAdded', message });
  emit(ctx, { type: 'OperationStarted', opId, kind: { type: 'AgentLoop' } });
  callModel(ctx, opId, model);
  // spec §3.3.1: a title is requested on every idle turn while it is missing and the message has a seed.
  if (titleMissing(state)) {
    const seed = titleSeed(message);
    if (seed) {
      ctx.effects.push({
        type: 'GenerateSessionTitle',
        sessionId: ctx.sessionId,
        opId,
        model,
        userPrompt: seed,
      });
    }
  }
}

/** spec §3.2.4 `startDirectBash` (idle path of `DirectBashCommand`). No approval check, no model. */
export function startDirectBash(
  ctx: ReduceCtx,
  opId: string,
  messageId: string,
  command: string,
  timestamp: number,
): void {
  const { state } = ctx;
  const message = addUserMessage(state, messageId, timestamp, [
    { type: 'command_execution', command, stdout: '', stderr: '', exitCode: 0 },
  ]);
  const kind = { type: 'DirectBash', command } as const;
  startOperation(state, opId, kind);
  state.operationMessages = mapWith(state.operationMessages, opId, messageId);
  emit(ctx, { type: 'UserMessageAdded', message });
  emit(ctx, { type: 'OperationStarted', opId, kind });
  ctx.effects.push({
    type: 'ExecuteTool',
    sessionId: ctx.sessionId,
    opId,
    toolCall: { id: directBashToolCallId(opId), name: 'bash', parameters: { command } },
  });
}

/** A user message starting a turn, added to the graph under its active message. */
function addUserMessage(
  state: AppState,
  id: string,
  timestamp: number,
  content: UserMessage['content'],
): UserMessage {
  const graph = state.messageGraph;
  const message: UserMessage = {
    role: 'user',
    id,
    parentMessageId: graph.activeMessageId ?? null,
    timestamp,
    content,
  };
  graph.add(message);
  return message;
}

/** Appendix B: the tool-call id of a direct bash command. */
export const directBashToolCallId = (opId: string): string => `direct_bash_${opId}`;

/** spec §3.2.5 `startNextQueuedWork`. Returns whether something was started. */
export function startNextQueuedWork(ctx: ReduceCtx): boolean {
  const { state } = ctx;
  if (state.currentOperation !== undefined) return false;
  const item = popNextQueuedWork(state);
  if (item === undefined) return false;
  emit(ctx, { type: 'QueuedWorkRemoved', opId: item.opId });
  if (item.kind === 'UserMessage') {
    startUserTurn(ctx, item.content, item.opId, item.messageId, item.model, item.queuedAt);
  } else {
    startDirectBash(ctx, item.opId, item.messageId, item.command, item.queuedAt);
  }
  return true;
}
