import type { SessionEvent } from '../schemas/events.js';
import type { AppState } from '../state/app-state.js';
import { EMPTY_MAP, mapWith, mapWithout } from '../state/shared-collections.js';

/**
 * Deliberate change 6: follows, from events alone, the operation the log shows as open — started and not yet
 * completed or cancelled — with its model, its outstanding tool calls and its unanswered approval. Called by
 * replay for every applied event and by `reduce` for every event it emits, so `state.interruptedOperation` is
 * the same in a live state and in its replay. Within an open op every tool/model event belongs to it (results
 * for other ops are ignored, deliberate change 4).
 */
export function trackOpenOperation(state: AppState, event: SessionEvent): void {
  if (event.type === 'OperationStarted') {
    state.interruptedOperation = {
      opId: event.opId,
      kind: event.kind,
      model: undefined,
      outstandingToolCalls: EMPTY_MAP,
      pendingApproval: undefined,
    };
    return;
  }
  const open = state.interruptedOperation;
  if (open === undefined) return;
  switch (event.type) {
    case 'OperationCompleted':
    case 'OperationCancelled':
      if (event.opId === open.opId) state.interruptedOperation = undefined;
      return;
    case 'AssistantMessageAdded':
      open.model = event.model;
      for (const c of event.message.content) {
        if (c.type === 'tool_call') {
          open.outstandingToolCalls = mapWith(open.outstandingToolCalls, c.toolCall.id, c.toolCall.name);
        }
      }
      return;
    case 'ToolMessageAdded':
      open.outstandingToolCalls = mapWithout(open.outstandingToolCalls, event.message.toolUseId);
      return;
    case 'ToolCallStarted':
    case 'ToolCallCompleted':
    case 'ToolCallFailed':
      open.model = event.model;
      return;
    case 'LlmUsageUpdated':
      if (event.opId === open.opId) open.model = event.model;
      return;
    case 'SessionConfigUpdated':
      // spec §3.3.8 step 9: an agent switch re-targets a running agent loop to the new default model.
      if (event.reason !== 'title' && open.kind.type === 'AgentLoop') open.model = event.config.defaultModel;
      return;
    case 'ApprovalRequested':
      open.pendingApproval = { requestId: event.requestId, toolCall: event.toolCall };
      return;
    case 'ApprovalDecided':
      if (open.pendingApproval?.requestId === event.requestId) open.pendingApproval = undefined;
      return;
    default:
      return;
  }
}
