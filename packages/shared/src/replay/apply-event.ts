import type { SessionEvent } from '../schemas/events.js';
import { type AppState, applySessionConfig, setSessionTitleConfig } from '../state/app-state.js';
import { completeOperation, recordCancelledOp } from '../state/operations.js';
import { enqueueFromSnapshot, popNextQueuedWork, queueFromSnapshot } from '../state/queue.js';
import { mapWith, orSharedEmpty, setWith } from '../state/shared-collections.js';
import { recordLlmUsage } from '../state/usage.js';
import { trackOpenOperation } from './open-operation.js';

/**
 * spec §4.1 `applyEventToState`: rebuilds the durable parts of state from one event, then increments
 * `eventSequence` (for every event, including ignored ones). Never restores `currentOperation` (§4.2); the open
 * operation is tracked in `interruptedOperation` instead (deliberate change 6).
 */
export function applyEvent(state: AppState, event: SessionEvent): void {
  const graph = state.messageGraph;
  switch (event.type) {
    case 'SessionCreated':
      applySessionConfig(state, event.config, event.config.primaryAgentId ?? 'normal', true);
      break;
    case 'SessionConfigUpdated':
      // Deliberate change 3: a title update keeps approvals; anything else applies the config in full (§2.8).
      if (event.reason === 'title') setSessionTitleConfig(state, event.config, event.primaryAgentId);
      else applySessionConfig(state, event.config, event.primaryAgentId, false);
      break;
    case 'AssistantMessageAdded':
    case 'UserMessageAdded':
    case 'ToolMessageAdded':
      graph.add(event.message);
      break;
    case 'LlmUsageUpdated':
      recordLlmUsage(state, event.opId, event.model, event.usage, event.contextWindow);
      break;
    case 'MessageUpdated':
      graph.replace(event.message);
      break;
    case 'ApprovalDecided':
      if (event.decision === 'Approved' && event.remember !== undefined) {
        if (event.remember.type === 'Tool') {
          state.approvedTools = setWith(state.approvedTools, event.remember.toolName);
        } else if (event.remember.type === 'BashPattern') {
          state.approvedBashPatterns = setWith(state.approvedBashPatterns, event.remember.pattern);
        }
      }
      state.pendingApproval = undefined;
      break;
    case 'OperationCompleted':
      completeOperation(state, event.opId);
      break;
    case 'OperationCancelled':
      recordCancelledOp(state, event.opId);
      completeOperation(state, event.opId);
      break;
    case 'ConversationCompacted':
      graph.markCompactionSummary(event.record.summaryMessageId);
      break;
    case 'QueueUpdated':
      // spec §4.3: logs written before QueuedWorkAdded/QueuedWorkRemoved carry the whole queue.
      state.queuedWork = orSharedEmpty(queueFromSnapshot(event.queue));
      break;
    case 'QueuedWorkAdded':
      // The same §2.7 rule as the live reducer: a user message after a user message merges into it.
      enqueueFromSnapshot(state, event.item);
      break;
    case 'QueuedWorkRemoved':
      popNextQueuedWork(state);
      break;
    case 'McpServerStateChanged':
      state.mcpServers = mapWith(state.mcpServers, event.serverName, event.state);
      break;
    // ToolCallStarted/Completed/Failed, ApprovalRequested, OperationStarted, CompactResult, WorkspaceChanged
    // and Error change nothing (§4.1).
    default:
      break;
  }
  trackOpenOperation(state, event);
  state.eventSequence += 1;
}

/** Applies events in order (spec §3.3.20 step 1). */
export function replayEvents(state: AppState, events: Iterable<SessionEvent>): void {
  for (const e of events) applyEvent(state, e);
}
