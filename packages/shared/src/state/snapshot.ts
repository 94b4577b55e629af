import type { SessionStateSnapshot } from '../schemas/snapshot.js';
import type { AppState } from './app-state.js';
import { queueSnapshot } from './queue.js';

/**
 * api.md `getSessionState`: a plain, structured-cloneable view (arrays and objects only; `messages` is the
 * active thread, §1.9). Message/config objects are shared with the state, which never mutates them; a caller
 * that wants to modify the result must copy it (the actor structured-clones it across threads anyway).
 */
export function toSessionStateSnapshot(state: AppState): SessionStateSnapshot {
  const graph = state.messageGraph;
  const op = state.currentOperation;
  const totals = state.llmUsageTotals;
  return {
    sessionId: state.sessionId,
    config: state.sessionConfig ?? null,
    primaryAgentId: state.primaryAgentId ?? null,
    title: state.sessionConfig?.title ?? null,
    messages: graph.getActiveThread(),
    messageCount: graph.size,
    activeMessageId: graph.activeMessageId ?? null,
    queuedWork: queueSnapshot(state.queuedWork),
    currentOperation:
      op === undefined ? null : { opId: op.opId, kind: op.kind, pendingToolCalls: [...op.pendingToolCalls] },
    pendingApproval:
      state.pendingApproval === undefined
        ? null
        : { requestId: state.pendingApproval.requestId, toolCall: state.pendingApproval.toolCall },
    approvalQueueLength: state.approvalQueue.length,
    approvedTools: [...state.approvedTools],
    approvedBashPatterns: [...state.approvedBashPatterns],
    usageTotals: {
      inputTokens: totals.inputTokens,
      outputTokens: totals.outputTokens,
      totalTokens: totals.totalTokens,
    },
    eventSequence: state.eventSequence,
    toolNames: state.tools.map((t) => t.name),
  };
}
